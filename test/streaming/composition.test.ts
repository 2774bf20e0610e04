/** The streaming section in the example: which objects land in which layer, and the Strimzi operator release. */
import { exampleConfig, findManifest, synthCluster, synthClusterLayers } from '../util';

describe('streaming composition', () => {
  const layers = synthClusterLayers('data-processing');

  test('Strimzi is pinned in the operators layer, in its baselined namespace, watching the Kafka namespace', () => {
    const release = findManifest(layers.operators, 'HelmRelease', 'strimzi', 'strimzi');
    expect(release.spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'strimzi' });
    expect(findManifest(layers.operators, 'OCIRepository', 'strimzi', 'strimzi').spec).toMatchObject({ url: 'oci://quay.io/strimzi-helm/strimzi-kafka-operator', ref: { tag: '1.2.0' } });
    expect(release.spec.values).toMatchObject({
      watchNamespaces: ['kafka'],
      extraEnvs: [
        { name: 'STRIMZI_OPERATOR_NAMESPACE_LABELS', value: 'kubernetes.io/metadata.name=strimzi' },
        { name: 'STRIMZI_POD_SECURITY_PROVIDER_CLASS', value: 'restricted' },
      ],
    });
    expect(release.spec.values.image).toBeUndefined();
    const ns = findManifest(layers.operators, 'Namespace', 'strimzi');
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(findManifest(layers.operators, 'NetworkPolicy', 'default-deny-all', 'strimzi')).toBeDefined();
  });

  test('Kafka, its node pool, the seed\'s four topics and one user per client are applied after the operator', () => {
    const workloads = layers.workloads;
    expect(findManifest(workloads, 'Kafka', 'events', 'kafka').spec.kafka.version).toBe('4.3.1');
    expect(findManifest(workloads, 'KafkaNodePool', 'dual', 'kafka').spec.replicas).toBe(3);
    expect(workloads.filter((m) => m.kind === 'KafkaTopic').map((m) => [m.spec.topicName, m.spec.partitions, m.spec.replicas, m.spec.config['retention.ms']])).toEqual([
      ['MessaingRaw', 3, 3, 259200000],
      ['MessaingResult', 3, 3, 259200000],
      ['StreamingRaw', 6, 3, 604800000],
      ['StreamingResult', 6, 3, 604800000],
    ]);
    expect(workloads.filter((m) => m.kind === 'KafkaUser').map((m) => m.metadata.name)).toEqual(['nifi', 'streaming-scoring']);
    for (const layer of ['operators', 'platform']) {
      expect(layers[layer].filter((m) => m.apiVersion.startsWith('kafka.strimzi.io/'))).toEqual([]);
    }
  });

  test('each client namespace may reach the brokers on the listener port only', () => {
    const nifi = findManifest(layers.platform, 'NetworkPolicy', 'nifi-kafka-egress', 'nifi');
    expect(nifi.spec.podSelector).toEqual({ matchLabels: { 'platform.ml/kafka-client': 'nifi' } });
    expect(nifi.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9093 }]);
    expect(findManifest(layers.platform, 'NetworkPolicy', 'streaming-scoring-kafka-egress', 'spark')).toBeDefined();
  });

  test('the scoring job runs long in the Spark namespace as its client, against the Kafka cluster\'s bootstrap', () => {
    const app = findManifest(layers.workloads, 'SparkApplication', 'streaming-scoring', 'spark');
    expect(app.spec.restartPolicy.type).toBe('Always');
    expect(app.spec.timeToLiveSeconds).toBeUndefined();
    expect(app.spec.driver.serviceAccount).toBe('spark');
    const env = Object.fromEntries(app.spec.driver.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(env.KAFKA_BOOTSTRAP_SERVERS).toBe('events-kafka-bootstrap.kafka.svc.cluster.local:9093');
    expect(env.KAFKA_USERNAME).toBe('streaming-scoring');
    expect(app.spec.sparkConf['spark.sql.streaming.checkpointLocation']).toBe('file:///mnt/checkpoints/streaming-scoring');
    expect(app.spec.driver.template.spec.volumes).toContainEqual({ name: 'checkpoints', persistentVolumeClaim: { claimName: 'checkpoints' } });
    // The client egress policy of step 1 selects the job's pods.
    const egress = findManifest(layers.platform, 'NetworkPolicy', 'streaming-scoring-kafka-egress', 'spark');
    expect(app.spec.executor.template.metadata.labels).toMatchObject(egress.spec.podSelector.matchLabels);
  });

  test('NiFi runs as the nifi Kafka client and may only create SparkApplications in the Spark namespace', () => {
    const sts = findManifest(layers.workloads, 'StatefulSet', 'nifi', 'nifi');
    expect(sts.spec.template.metadata.labels).toMatchObject(findManifest(layers.platform, 'NetworkPolicy', 'nifi-kafka-egress', 'nifi').spec.podSelector.matchLabels);
    expect(sts.spec.template.spec.containers[0].image).toBe('apache/nifi:2.11.0');
    expect(findManifest(layers.workloads, 'Service', 'nifi', 'nifi').spec.ports.map((p: { port: number }) => p.port)).toEqual([8443, 9192]);
    expect(findManifest(layers.platform, 'RoleBinding', 'spark-submitter-nifi', 'spark').subjects).toEqual([{ kind: 'ServiceAccount', name: 'nifi', namespace: 'nifi' }]);
    expect(findManifest(layers.workloads, 'NetworkPolicy', 'nifi-api-server-egress', 'nifi').spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
  });

  test('no secret values: users name Secrets created outside dist/', () => {
    const all = Object.values(layers).flat();
    expect(all.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(findManifest(all, 'KafkaUser', 'nifi').spec.authentication.password.valueFrom.secretKeyRef).toEqual({ name: 'kafka-user-nifi', key: 'password' });
  });

  test('clusters without a streaming section get no Strimzi objects', () => {
    for (const cluster of ['training', 'serving']) {
      expect(synthCluster(cluster).filter((m) => m.apiVersion.startsWith('kafka.strimzi.io/') || m.metadata.name === 'strimzi')).toEqual([]);
    }
    const config = exampleConfig();
    delete config.clusters['data-processing'].streaming;
    const without = synthCluster('data-processing', config);
    expect(without.filter((m) => m.apiVersion.startsWith('kafka.strimzi.io/') || m.metadata.namespace === 'strimzi')).toEqual([]);
  });
});
