import { NodePoolMode, NodePoolPlacement } from '../lib/core/node-pool';
import { Operator, OPERATORS } from '../lib/gitops/operators';
import { DEFAULT_KAFKA_LISTENER_PORT, kafkaClientPodLabels, kafkaTopicObjectName, StreamingConfig } from '../lib/streaming/config';
import { KafkaCluster } from '../lib/streaming/kafka-cluster';
import { KafkaTopic } from '../lib/streaming/kafka-topic';
import { KafkaUser } from '../lib/streaming/kafka-user';
import { Nifi } from '../lib/streaming/nifi';
import { SparkSubmitter } from '../lib/data-processing/spark-submitter';
import { parseQuantity } from '../lib/core/quantity';
import { ClusterComposition, ClusterContext } from '../lib/synth/cluster-context';
import { compareText } from '../lib/core/sort';

function placement(context: ClusterContext, name: string): NodePoolPlacement {
  const pool = context.cluster.nodePools[name];
  return { name, mode: pool.mode as NodePoolMode, minCount: pool.minCount, taints: pool.taints, gpusPerNode: pool.gpusPerNode };
}

/** The Kafka cluster of the section, with its client peers (workloads layer: Strimzi's CRDs come with the operator). */
export function addKafka(context: ClusterContext, section: StreamingConfig): KafkaCluster {
  const kafka = section.kafka;
  const clients = Object.entries(section.clients ?? {}).sort(([a], [b]) => compareText(a, b));
  return new KafkaCluster(context.layers.workloads, 'kafka', {
    name: kafka.name,
    namespace: kafka.namespace,
    version: kafka.version,
    nodePool: placement(context, kafka.nodePool),
    storageClassName: kafka.storageClass,
    nodePools: Object.entries(kafka.nodePools).map(([name, pool]) => ({ name, roles: pool.roles, replicas: pool.replicas, storageSize: pool.storageSize, resources: pool.resources })),
    replication: kafka.replication,
    minInSyncReplicas: kafka.minInSyncReplicas,
    listenerPort: kafka.listenerPort ?? DEFAULT_KAFKA_LISTENER_PORT,
    clients: clients.map(([name, client]) => ({ namespace: client.namespace, podLabels: kafkaClientPodLabels(name, client) })),
    operatorNamespace: OPERATORS[Operator.STRIMZI].namespace,
    clusterDomain: context.cluster.clusterDomain,
    clusterCa: kafka.clusterCa,
  });
}

/**
 * The streaming section: the Strimzi Kafka cluster (KRaft, node pools), its KafkaTopics and one KafkaUser per
 * client in the workloads layer (after the operators layer installs Strimzi and its CRDs), and each client's
 * egress to the brokers in the platform layer. Nothing without a `streaming` section.
 */
export const streamingComposition: ClusterComposition = (context) => {
  const section = context.cluster.streaming;
  if (!section) return;
  const kafka = addKafka(context, section);
  for (const name of Object.keys(section.topics ?? {}).sort(compareText)) {
    const topic = section.topics![name];
    new KafkaTopic(context.layers.workloads, `kafka-topic-${name}`, {
      topicName: name,
      objectName: kafkaTopicObjectName(name),
      namespace: kafka.namespace,
      clusterName: kafka.name,
      partitions: topic.partitions,
      replicas: topic.replication ?? section.kafka.replication,
      retentionHours: topic.retentionHours,
      cleanupPolicy: topic.cleanupPolicy as 'delete' | 'compact' | undefined,
    });
  }
  for (const name of Object.keys(section.clients ?? {}).sort(compareText)) {
    const client = section.clients![name];
    new KafkaUser(context.layers.workloads, `kafka-user-${name}`, {
      name,
      namespace: kafka.namespace,
      clusterName: kafka.name,
      passwordSecretName: client.credentialsSecret,
      produce: client.produce,
      consume: client.consume,
      consumerGroups: client.consumerGroups,
    });
    kafka.allowClientEgress(context.layers.platform, `kafka-client-egress-${name}`, { name, namespace: client.namespace, podLabels: kafkaClientPodLabels(name, client) });
  }
  if (section.nifi) addNifi(context, section);
};

/** Size of the smaller repositories: a tenth of the large ones, at least 1Gi. */
function smallRepository(size: string): string {
  return `${Math.max(1, Math.ceil(parseQuantity(size) / 10 / 2 ** 30))}Gi`;
}

/** NiFi (workloads layer) as the Kafka client it is configured as: the client's pod labels admit it to the brokers. */
function addNifi(context: ClusterContext, section: StreamingConfig): Nifi {
  const submission = section.nifi!.sparkSubmission;
  const nifiObject = nifiWorkload(context, section, submission !== undefined);
  if (submission) {
    new SparkSubmitter(context.layers.platform, `spark-submitter-nifi-${submission.namespace}`, {
      name: 'nifi',
      namespace: submission.namespace,
      submitters: [{ namespace: section.nifi!.namespace, name: nifiObject.serviceAccountName }],
    });
  }
  return nifiObject;
}

function nifiWorkload(context: ClusterContext, section: StreamingConfig, apiServerAccess: boolean): Nifi {
  const nifi = section.nifi!;
  const client = section.clients![nifi.kafkaClient];
  const large = nifi.repositorySize ?? '50Gi';
  const small = smallRepository(large);
  const domain = context.cluster.clusterDomain ?? 'cluster.local';
  return new Nifi(context.layers.workloads, 'nifi', {
    name: 'nifi',
    namespace: nifi.namespace,
    image: `${nifi.imageRepository ?? 'apache/nifi'}:${nifi.version}`,
    nodePool: placement(context, nifi.nodePool),
    storageClassName: nifi.storageClass,
    repositorySizes: { content_repository: large, provenance_repository: large, flowfile_repository: small, database_repository: small, state: '1Gi', conf: '1Gi' },
    credentialsSecretName: nifi.credentialsSecret,
    // In-cluster names callers use (port-forward and Services); a gateway hostname joins them once NiFi is routed.
    proxyHosts: [`nifi.${nifi.namespace}.svc.${domain}:8443`, `nifi.${nifi.namespace}.svc:8443`, 'localhost:8443'],
    httpEndpoint: nifi.httpEndpoint,
    resources: nifi.resources ?? { request: { cpu: '1', memory: '4Gi' }, limit: { cpu: '2', memory: '4Gi' } },
    podLabels: kafkaClientPodLabels(nifi.kafkaClient, client),
    apiServerAccess,
  });
}
