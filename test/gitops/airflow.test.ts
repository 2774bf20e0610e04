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
      dags: { repository: 'ssh://git@github.com/example/dags.git', branch: 'release', subPath: 'dags', credentialsSecret: 'dags-git' },
      releaseName: 'orchestrator',
      imageTag: '3.0.2',
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
      defaultAirflowTag: '3.0.2', fernetKeySecretName: 'fernet', webserverSecretKeySecretName: 'webserver', apiSecretKeySecretName: 'api', jwtSecretName: 'jwt',
      dags: { gitSync: { repo: props.dags.repository, branch: 'release', subPath: 'dags', credentialsSecret: 'dags-git' } },
    });
    expect(release.metadata.labels).toEqual({ team: 'data' });
    expect(airflow.egressPolicy.toJson().spec.egress[0].ports.map((p: { port: number }) => p.port)).toEqual([443, 5432, 22]);
  });

  test('pins every Secret name and turns the Helm hooks of the database jobs off', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', required);
    const values = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values;
    expect(values).toMatchObject({
      fernetKeySecretName: 'airflow-fernet-key', webserverSecretKeySecretName: 'airflow-webserver-secret-key',
      apiSecretKeySecretName: 'airflow-api-secret-key', jwtSecretName: 'airflow-jwt-secret',
      data: { metadataSecretName: 'airflow-metadata-db' },
      migrateDatabaseJob: { useHelmHooks: false }, createUserJob: { useHelmHooks: false },
    });
  });

  test('writes remote logs to Azure Blob through the identity (no credentials in the connection)', () => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', required);
    const values = findManifest(Testing.synth(chart), 'HelmRelease', 'airflow').spec.values;
    expect(values.config.logging).toMatchObject({ remote_logging: 'True', remote_base_log_folder: 'wasb-logs/data-processing', remote_log_conn_id: 'wasb_logs' });
    expect(values.config.azure_remote_logging.remote_wasb_log_container).toBe('airflow-logs');
    expect(JSON.parse(values.env[0].value)).toEqual({ conn_type: 'wasb', host: 'https://exampleartifacts.blob.core.windows.net/' });
  });

  test('allows traffic between Airflow pods and egress to 443 and Postgres only', () => {
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
    expect(egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 5432 }]);
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
