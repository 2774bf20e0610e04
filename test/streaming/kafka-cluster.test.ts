import { Testing } from 'cdk8s';
import { NodePoolMode } from '../../lib/core/node-pool';
import { KafkaCluster, KafkaClusterProps } from '../../lib/streaming/kafka-cluster';
import { findManifest, Manifest } from '../util';

const required: KafkaClusterProps = {
  name: 'events',
  namespace: 'kafka',
  version: '4.3.1',
  nodePool: { name: 'kafka', mode: NodePoolMode.USER, minCount: 3, taints: ['workload=kafka:NoSchedule'] },
  storageClassName: 'managed-csi-premium',
  nodePools: [{ name: 'dual', roles: ['controller', 'broker'], replicas: 3, storageSize: '100Gi' }],
  replication: 3,
  minInSyncReplicas: 2,
  clients: [{ namespace: 'spark', podLabels: { 'platform.ml/kafka-client': 'scoring' } }],
  operatorNamespace: 'strimzi',
};

function synth(props: KafkaClusterProps = required): { kafka: KafkaCluster; manifests: Manifest[] } {
  const chart = Testing.chart();
  const kafka = new KafkaCluster(chart, 'kafka', props);
  kafka.allowClientEgress(chart, 'egress', { name: 'scoring', namespace: 'spark', podLabels: { 'platform.ml/kafka-client': 'scoring' } });
  return { kafka, manifests: Testing.synth(chart) as Manifest[] };
}

describe('KafkaCluster', () => {
  test('defaults', () => {
    expect(synth().manifests).toMatchSnapshot();
  });

  test('KRaft with node pools, replication and min ISR from props, one TLS SCRAM listener with simple authorization', () => {
    const { kafka, manifests } = synth();
    const cr = findManifest(manifests, 'Kafka', 'events', 'kafka');
    expect(cr.apiVersion).toBe('kafka.strimzi.io/v1');
    expect(cr.metadata.annotations).toBeUndefined(); // Strimzi 1.x: no kraft/node-pools annotations
    expect(cr.spec.kafka.listeners).toEqual([expect.objectContaining({ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } })]);
    expect(cr.spec.kafka.authorization).toEqual({ type: 'simple' });
    expect(cr.spec.kafka.config).toMatchObject({ 'default.replication.factor': 3, 'min.insync.replicas': 2, 'offsets.topic.replication.factor': 3, 'auto.create.topics.enable': false });
    expect(cr.spec.kafka.replicas).toBeUndefined();
    expect(cr.spec.zookeeper).toBeUndefined();
    const pool = findManifest(manifests, 'KafkaNodePool', 'dual', 'kafka');
    expect(pool.metadata.labels).toMatchObject({ 'strimzi.io/cluster': 'events' });
    expect(pool.spec.roles).toEqual(['broker', 'controller']);
    expect(pool.spec.storage.volumes).toEqual([{ id: 0, type: 'persistent-claim', size: '100Gi', class: 'managed-csi-premium', deleteClaim: false, kraftMetadata: 'shared' }]);
    expect(pool.spec.template.pod.tolerations).toEqual([{ key: 'workload', operator: 'Equal', value: 'kafka', effect: 'NoSchedule' }]);
    expect(pool.spec.template.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toContainEqual({ key: 'kubernetes.azure.com/agentpool', operator: 'In', values: ['kafka'] });
    expect(pool.spec.resources).toEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(kafka.bootstrapServers).toBe('events-kafka-bootstrap.kafka.svc.cluster.local:9093');
    expect(kafka.clusterCaSecretName).toBe('events-cluster-ca-cert');
    expect(kafka.brokerCount).toBe(3);
  });

  test('network: clients reach only the listener port, the operator only the internal ports', () => {
    const { manifests } = synth();
    const clientPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'spark' } }, podSelector: { matchLabels: { 'platform.ml/kafka-client': 'scoring' } } };
    // The operator generates its listener rule from networkPolicyPeers (open to all when empty).
    expect(findManifest(manifests, 'Kafka', 'events').spec.kafka.listeners[0].networkPolicyPeers).toEqual([clientPeer]);
    const ingress = findManifest(manifests, 'NetworkPolicy', 'events-kafka-ingress', 'kafka');
    expect(ingress.spec.podSelector.matchLabels).toEqual({ 'strimzi.io/cluster': 'events', 'strimzi.io/name': 'events-kafka' });
    expect(ingress.spec.ingress).toContainEqual({ from: [clientPeer], ports: [{ protocol: 'TCP', port: 9093 }] });
    expect(ingress.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'strimzi' } }, podSelector: { matchLabels: { 'strimzi.io/kind': 'cluster-operator' } } }],
      ports: [9090, 9091, 8443].map((port) => ({ protocol: 'TCP', port })),
    });
    const operatorEgress = findManifest(manifests, 'NetworkPolicy', 'strimzi-to-kafka-events', 'strimzi');
    expect(operatorEgress.spec.egress[0].ports.map((p: { port: number }) => p.port)).toEqual([9090, 9091, 8443]);
    const clientEgress = findManifest(manifests, 'NetworkPolicy', 'scoring-kafka-egress', 'spark');
    expect(clientEgress.spec).toEqual({
      podSelector: { matchLabels: { 'platform.ml/kafka-client': 'scoring' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } }, podSelector: { matchLabels: { 'strimzi.io/cluster': 'events', 'strimzi.io/broker-role': 'true' } } }], ports: [{ protocol: 'TCP', port: 9093 }] }],
    });
    const api = findManifest(manifests, 'NetworkPolicy', 'events-entity-operator-api-egress', 'kafka');
    // The API server ports without an address, like the operator namespaces (lib/core apiServerEgressRule).
    expect(api.spec.egress).toEqual([{ ports: [443, 6443].map((port) => ({ protocol: 'TCP', port })) }]);
  });

  test('separate controller and broker pools, another listener port and cluster domain', () => {
    const { kafka, manifests } = synth({
      ...required,
      listenerPort: 9094,
      clusterDomain: 'example.internal',
      nodePools: [
        { name: 'controllers', roles: ['controller'], replicas: 3, storageSize: '20Gi' },
        { name: 'brokers', roles: ['broker'], replicas: 4, storageSize: '500Gi', resources: { request: { cpu: '2', memory: '8Gi' }, limit: { cpu: '4', memory: '8Gi' } } },
      ],
    });
    expect(manifests.filter((m) => m.kind === 'KafkaNodePool').map((m) => [m.metadata.name, m.spec.roles, m.spec.replicas])).toEqual([['brokers', ['broker'], 4], ['controllers', ['controller'], 3]]);
    expect(kafka.brokerCount).toBe(4);
    expect(kafka.bootstrapServers).toBe('events-kafka-bootstrap.kafka.svc.example.internal:9094');
  });

  test('the cluster CA schedule is written out (Strimzi 1.2.0 defaults 365/30), key kept on renewal', () => {
    const ca = (manifests: Manifest[]) => findManifest(manifests, 'Kafka', 'events', 'kafka').spec.clusterCa;
    expect(ca(synth().manifests)).toEqual({ validityDays: 365, renewalDays: 30, certificateExpirationPolicy: 'renew-certificate' });
    const custom = synth({ ...required, clusterCa: { validityDays: 730, renewalDays: 60 } });
    expect(ca(custom.manifests)).toEqual({ validityDays: 730, renewalDays: 60, certificateExpirationPolicy: 'renew-certificate' });
    expect(custom.kafka.clusterCa).toEqual({ validityDays: 730, renewalDays: 60 });
  });

  describe('validation', () => {
    const build = (props: Partial<KafkaClusterProps>) => () => new KafkaCluster(Testing.chart(), 'kafka', { ...required, ...props });
    test('cluster CA schedule', () => {
      expect(build({ clusterCa: { validityDays: 30, renewalDays: 30 } })).toThrow(/KafkaCluster 'kafka': 'clusterCa' \(validityDays 30, renewalDays 30\) needs whole days with 1 <= renewalDays < validityDays/);
    });
    test('pool', () => {
      expect(build({ nodePool: { name: 'system', mode: NodePoolMode.SYSTEM, minCount: 1 } })).toThrow(/KafkaCluster 'kafka': 'nodePool' \(system\) is a system or GPU pool/);
    });
    test('roles, replication and min ISR', () => {
      expect(build({ nodePools: [{ name: 'b', roles: ['broker'], replicas: 3, storageSize: '1Gi' }] })).toThrow(/KRaft needs at least one of each/);
      expect(build({ replication: 4 })).toThrow(/'replication' \(4\) is larger than the 3 broker\(s\)/);
      expect(build({ minInSyncReplicas: 4, replication: 3 })).toThrow(/'minInSyncReplicas' \(4\) is larger than 'replication' \(3\)/);
    });
  });
});
