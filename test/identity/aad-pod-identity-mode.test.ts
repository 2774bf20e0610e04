/** identityMode aad-pod-identity end to end on the data-processing cluster (Spark jobs and Airflow). */
import { exampleConfig, Manifest, synthCluster } from '../util';

function aadDataProcessing(): Manifest[] {
  const config = exampleConfig();
  const cluster = config.clusters['data-processing'] as unknown as { identityMode?: string; operators?: Record<string, unknown> };
  cluster.identityMode = 'aad-pod-identity';
  cluster.operators = { ...cluster.operators, aadPodIdentity: { repository: 'https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts', version: '4.1.18' } };
  return synthCluster('data-processing', config);
}

describe('identityMode aad-pod-identity (data-processing)', () => {
  const manifests = aadDataProcessing();

  test('Spark jobs with azureStorage use the MSI token provider (NMI answers IMDS), not the Workload Identity one', () => {
    const apps = manifests.filter((m) => m.kind === 'SparkApplication' || m.kind === 'ScheduledSparkApplication');
    const confs = apps.map((app) => (app.kind === 'SparkApplication' ? app.spec : app.spec.template).hadoopConf ?? {})
      .filter((conf: Record<string, string>) => conf['fs.azure.account.auth.type'] === 'OAuth');
    expect(confs.length).toBeGreaterThan(0);
    for (const conf of confs) {
      expect(conf['fs.azure.account.oauth.provider.type']).toBe('org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider');
      expect(conf['fs.azure.account.oauth2.token.file']).toBeUndefined();
    }
  });

  test('one AzureIdentityBinding per pod label: Airflow\'s three ServiceAccounts share the orchestration identity\'s binding', () => {
    const bindings = manifests.filter((m) => m.kind === 'AzureIdentityBinding');
    const selectors = bindings.map((b) => `${b.metadata.namespace}/${b.spec.selector}`);
    expect(new Set(selectors).size).toBe(selectors.length);
    expect(bindings.filter((b) => b.metadata.namespace === 'airflow')).toHaveLength(1);
    const airflow = manifests.find((m) => m.kind === 'HelmRelease' && m.metadata.name === 'airflow')!;
    expect(airflow.spec.values.labels).toEqual({ aadpodidbinding: bindings.find((b) => b.metadata.namespace === 'airflow')!.spec.selector });
  });

  test('every namespace with bound pods lets them reach the token endpoint through NMI', () => {
    for (const binding of manifests.filter((m) => m.kind === 'AzureIdentityBinding')) {
      const policy = manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === binding.metadata.namespace
        && m.spec.podSelector.matchLabels?.aadpodidbinding === binding.spec.selector);
      expect([binding.metadata.namespace, policy?.spec.egress.flatMap((e: any) => e.to.map((t: any) => t.ipBlock.cidr))])
        .toEqual([binding.metadata.namespace, ['169.254.169.254/32', '127.0.0.1/32']]);
    }
  });
});
