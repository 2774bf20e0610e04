import { ApiObject, Testing } from 'cdk8s';
import { Airflow, AirflowProps } from '../../lib/gitops/airflow';
import { findManifest } from '../util';

const required: AirflowProps = {
  namespace: 'airflow',
  chart: { repository: 'https://airflow.apache.org', version: '1.18.0' },
  dags: { repository: 'https://github.com/example/dags.git' },
  remoteLogs: { storageAccount: 'exampleartifacts', container: 'airflow-logs', folder: 'data-processing' },
  metadataSecretName: 'airflow-metadata-db',
  serviceAccounts: { scheduler: 'airflow-scheduler', workers: 'airflow-worker', components: 'airflow-components' },
  identityPodLabels: { 'azure.workload.identity/use': 'true' },
};

describe('Airflow', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Airflow(chart, 'airflow', required);
    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('all props', () => {
    const chart = Testing.chart();
    const props: Required<AirflowProps> = {
      ...required,
      chart: { repository: 'oci://example.azurecr.io/helm', version: '1.18.0', chart: 'airflow' },
      dags: { repository: 'ssh://git@github.com/example/dags.git', branch: 'release', subPath: 'dags', sshKeySecret: 'dags-git', knownHosts: 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', credentialsSecret: undefined as unknown as string },
      releaseName: 'orchestrator',
      imageTag: '3.0.2-python3.12',
      airflowVersion: undefined as unknown as string,
      imageDigest: `sha256:${'a'.repeat(64)}`,
      secretNames: { fernetKey: 'fernet', webserverSecretKey: 'webserver', apiSecretKey: 'api', jwtSecret: 'jwt' },
      interval: '1h',
      labels: { team: 'data' },
    };
    const airflow = new Airflow(chart, 'airflow', props);
    const manifests = Testing.synth(chart);
    const release = findManifest(manifests, 'HelmRelease', 'orchestrator', 'airflow');
    expect(release.spec.interval).toBe('1h');
    expect(release.spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'orchestrator' });
    expect(release.spec.values).toMatchObject({
      defaultAirflowTag: '3.0.2-python3.12', airflowVersion: '3.0.2', defaultAirflowDigest: `sha256:${'a'.repeat(64)}`, fernetKeySecretName: 'fernet', apiSecretKeySecretName: 'api', jwtSecretName: 'jwt',
      dags: { gitSync: { repo: props.dags.repository, ref: 'release', branch: 'release', subPath: 'dags', sshKeySecret: 'dags-git', knownHosts: props.dags.knownHosts } },
    });
    expect(release.spec.values.dags.gitSync.credentialsSecret).toBeUndefined();
    expect(release.metadata.labels).toEqual({ team: 'data' });
    expect(airflow.egressPolicy.toJson().spec.egress.map((rule: { ports: { port: number }[] }) => rule.ports.map((p) => p.port))).toEqual([[5432, 22], [443, 6443]]);
  });

  test('pins every Secret name and turns the Helm hooks of the database jobs off', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', required);
    const values = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values;
    expect(values).toMatchObject({
      fernetKeySecretName: 'airflow-fernet-key',
      apiSecretKeySecretName: 'airflow-api-secret-key', jwtSecretName: 'airflow-jwt-secret',
      data: { metadataSecretName: 'airflow-metadata-db' },
      migrateDatabaseJob: { useHelmHooks: false }, createUserJob: { useHelmHooks: false },
    });
  });

  test('Airflow 3 (chart 1.18.0): no webserver.* values except defaultUser (it still gates the create-user Job), no Airflow 2 secret key', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', required);
    const values = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values;
    expect(values.airflowVersion).toBe('3.0.2');
    expect(values.webserver).toEqual({ defaultUser: { enabled: false } });
    expect(values.webserverSecretKeySecretName).toBeUndefined();
    expect(values.apiServer.serviceAccount).toEqual({ create: false, name: 'airflow-components' });
  });

  test('Airflow 2: webserver values and its secret key, no API server', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', { ...required, airflowVersion: '2.10.5', imageTag: '2.10.5-python3.11' });
    const values = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values;
    expect(values).toMatchObject({ airflowVersion: '2.10.5', defaultAirflowTag: '2.10.5-python3.11', webserverSecretKeySecretName: 'airflow-webserver-secret-key' });
    expect(values.webserver.serviceAccount).toEqual({ create: false, name: 'airflow-components' });
    expect(values.apiServer).toBeUndefined();
    expect(values.apiSecretKeySecretName).toBeUndefined();
  });

  test('airflowVersion is the pure X.Y.Z, never the suffixed image tag (the chart\'s semverCompare gates)', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', { ...required, imageTag: '3.0.2-python3.12' });
    const values = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values;
    expect([values.defaultAirflowTag, values.airflowVersion]).toEqual(['3.0.2-python3.12', '3.0.2']);
    expect(() => new Airflow(Testing.chart(), 'airflow', { ...required, airflowVersion: '3.0.2-python3.12' })).toThrow(/'airflowVersion' \("3.0.2-python3.12"\) must be a plain X.Y.Z/);
  });

  test('git-sync: ref set (v4) and equal to branch (v3), https credentials in credentialsSecret', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', { ...required, dags: { repository: 'https://github.com/example/dags.git', branch: 'prod', credentialsSecret: 'git-creds' } });
    const gitSync = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values.dags.gitSync;
    expect(gitSync).toMatchObject({ ref: 'prod', branch: 'prod', rev: 'HEAD', credentialsSecret: 'git-creds' });
    expect(gitSync.sshKeySecret).toBeUndefined();
  });

  test('ssh:// repositories need sshKeySecret and knownHosts, and refuse credentialsSecret', () => {
    const ssh = 'ssh://git@github.com/example/dags.git';
    expect(() => new Airflow(Testing.chart(), 'airflow', { ...required, dags: { repository: ssh, credentialsSecret: 'x' } })).toThrow(/set 'dags.sshKeySecret'/);
    expect(() => new Airflow(Testing.chart(), 'airflow', { ...required, dags: { repository: ssh, sshKeySecret: 'k', knownHosts: 'h', credentialsSecret: 'x' } })).toThrow(/use 'dags.sshKeySecret'/);
    expect(() => new Airflow(Testing.chart(), 'airflow', { ...required, dags: { repository: 'https://h/r.git', sshKeySecret: 'k' } })).toThrow(/only apply to ssh:\/\//);
  });

  test('login: the FAB auth manager explicitly (users bootstrapped with airflow users create, docs/gitops.md), no default admin/admin user', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', required);
    const values = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values;
    expect(values.config.core.auth_manager).toBe('airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager');
    expect(values.webserver.defaultUser).toEqual({ enabled: false });
  });

  test('the triggerer keeps no log volume (logs go to Blob storage)', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', required);
    expect(findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values.triggerer.persistence).toEqual({ enabled: false });
  });

  test('writes remote logs to Azure Blob through the identity (no credentials in the connection)', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', required);
    const values = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values;
    expect(values.config.logging).toMatchObject({ remote_logging: 'True', remote_base_log_folder: 'wasb-logs/data-processing', remote_log_conn_id: 'wasb_logs' });
    expect(values.config.azure_remote_logging.remote_wasb_log_container).toBe('airflow-logs');
    expect(JSON.parse(values.env[0].value)).toEqual({ conn_type: 'wasb', host: 'https://exampleartifacts.blob.core.windows.net/' });
  });

  test('allows traffic between Airflow pods and egress to 443/6443 (API server, Azure) and Postgres only', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', required);
    const manifests = Testing.synth(chart);
    expect(findManifest(manifests, 'NetworkPolicy', 'airflow-internal', 'airflow').spec.podSelector).toEqual({ matchLabels: { release: 'airflow' } });
    // Ingress only where Airflow 3 needs it: the execution API (8080) and the log servers (8793, 8794).
    const api = findManifest(manifests, 'NetworkPolicy', 'airflow-api-server-ingress', 'airflow').spec;
    expect(api.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    expect(api.ingress[0].from[0].podSelector.matchExpressions[0].values).toEqual(['scheduler', 'dag-processor', 'triggerer', 'worker']);
    const logs = findManifest(manifests, 'NetworkPolicy', 'airflow-log-servers-ingress', 'airflow').spec;
    expect(logs.ingress[0].ports.map((p: { port: number }) => p.port)).toEqual([8793, 8794]);
    const egress = findManifest(manifests, 'NetworkPolicy', 'airflow-egress', 'airflow').spec.egress;
    expect(egress[0]).toEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 5432 }] });
    // The API server's ports without an address (an ipBlock does not match the API server with Cilium); 443 also reaches Azure.
    expect(egress[1]).toEqual({ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] });
  });

  test.each([
    [{ dags: { repository: 'git@github.com:example/dags.git' } }, /'dags.repository' \("git@github.com:example\/dags.git"\) must be an https:\/\/ or ssh:\/\/ Git URL/],
    [{ identityPodLabels: {} }, /'identityPodLabels' is empty/],
    [{ remoteLogs: { ...required.remoteLogs, folder: '/logs' } }, /'remoteLogs.folder' \("\/logs"\) must be a relative folder/],
    [{ metadataSecretName: 'Airflow_DB' }, /'metadataSecretName' \("Airflow_DB"\) must be a Secret name/],
  ])('rejects %j', (override, message) => {
    expect(() => new Airflow(Testing.chart(), 'airflow', { ...required, ...override })).toThrow(message);
  });

  test('escape hatch: the default child is the HelmRelease', () => {
    expect(ApiObject.of(new Airflow(Testing.chart(), 'airflow', required)).kind).toBe('HelmRelease');
  });
});
