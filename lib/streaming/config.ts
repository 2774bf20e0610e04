/**
 * The streaming section of a cluster (`clusters.<name>.streaming`): a Kafka cluster run by the Strimzi operator
 * (KRaft, no ZooKeeper), its topics, and one Kafka user with ACLs per client application.
 */
import { REMOVED_API_SERVER_CIDRS_DESCRIPTION } from '../core/api-server-config';
import { Closed, DNS_LABEL_PATTERN, DnsLabel, Guid, NameMap, Pattern, Quantity, StringEnum, Type, Static } from '../config/schema-helpers';
import { SPARK_JOB_NAME_PATTERN, SparkJobSchema } from '../data-processing/config';
import { HOSTNAME_PATTERN } from '../serving/config';


/**
 * Kafka versions Strimzi 1.2.0 runs (`kafka-versions.yaml` at tag 1.2.0: `supported: true` for 4.2.0, 4.2.1,
 * 4.3.0 and 4.3.1; 4.3.1 is the default). Any other version is refused by the operator.
 */
export const STRIMZI_KAFKA_VERSIONS = ['4.2.0', '4.2.1', '4.3.0', '4.3.1'] as const;

/**
 * Kafka topic names: 1 to 249 of [a-zA-Z0-9._-] (Kafka's `org.apache.kafka.common.internals.Topic.validate`);
 * `.` and `..` are refused by Kafka and names starting with `__` are internal (checked by config rules).
 */
export const KAFKA_TOPIC_NAME_PATTERN = '^[a-zA-Z0-9._-]{1,249}$';

/** Names of Kafka node pools: pod names are `<cluster>-<pool>-<id>`, so both are kept short. */
const POOL_NAME_PATTERN = '^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$';

const ResourcesSchema = Closed({
  request: Closed({ cpu: Quantity('CPU request'), memory: Quantity('memory request') }),
  limit: Closed({ cpu: Quantity('CPU limit'), memory: Quantity('memory limit') }),
}, { description: 'container requests and limits' });

export const KafkaNodePoolSchema = Closed({
  roles: Type.Array(StringEnum(['controller', 'broker'] as const, 'a KRaft role'), {
    minItems: 1, maxItems: 2, uniqueItems: true, description: 'KRaft roles of the nodes: controller, broker or both',
  }),
  replicas: Type.Integer({ minimum: 1, maximum: 50, description: 'number of Kafka nodes in the pool' }),
  storageSize: Quantity('size of each node\'s persistent volume (log and KRaft metadata)'),
  resources: Type.Optional(ResourcesSchema),
}, { description: 'a KafkaNodePool: nodes with the same roles, storage and resources' });

export const KafkaClusterSchema = Closed({
  name: Pattern('^[a-z]([-a-z0-9]{0,23}[a-z0-9])?$', 'name of the Kafka cluster (a DNS label of at most 25 characters: Strimzi derives pod, Service and Secret names from it)'),
  namespace: DnsLabel('namespace of the Kafka cluster, its topics and users (declared under namespaces)'),
  version: StringEnum(STRIMZI_KAFKA_VERSIONS, 'Kafka version, one that Strimzi 1.2.0 supports'),
  nodePool: Pattern('^[a-z][a-z0-9]{0,11}$', 'AKS pool that runs the Kafka nodes: the name of a User pool under nodePools'),
  storageClass: DnsLabel('storage class of the Kafka volumes, such as managed-csi-premium'),
  nodePools: NameMap(KafkaNodePoolSchema, POOL_NAME_PATTERN, 'Kafka node pool names (DNS labels of at most 20 characters)'),
  replication: Type.Integer({ minimum: 1, maximum: 10, description: 'replication factor of new topics and of Kafka\'s internal topics (default.replication.factor, offsets and transaction logs)' }),
  minInSyncReplicas: Type.Integer({ minimum: 1, maximum: 10, description: 'replicas that must acknowledge a write with acks=all (min.insync.replicas)' }),
  listenerPort: Type.Optional(Type.Integer({ minimum: 9092, maximum: 65535, description: 'port of the TLS listener clients use (SCRAM-SHA-512 over TLS). Default: 9093' })),
  apiServerCidrs: Type.Optional(Type.Array(Type.String(), { description: REMOVED_API_SERVER_CIDRS_DESCRIPTION })),
  clusterCa: Type.Optional(Closed({
    validityDays: Type.Integer({ minimum: 2, maximum: 36500, description: 'days a cluster CA certificate is valid (Strimzi default 365)' }),
    renewalDays: Type.Integer({ minimum: 1, maximum: 36499, description: 'days before expiry at which Strimzi renews it, fewer than validityDays (Strimzi default 30): the window in which clients must get the new ca.crt' }),
  }, { description: 'when Strimzi renews the cluster CA that clients trust (written into the Kafka resource). Default: validityDays 365, renewalDays 30' })),
}, { description: 'the Kafka cluster (Strimzi Kafka in KRaft mode with KafkaNodePools)' });

export const KafkaTopicSchema = Closed({
  partitions: Type.Integer({ minimum: 1, maximum: 10000, description: 'number of partitions (can grow later, never shrink)' }),
  replication: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'replication factor of the topic. Default: kafka.replication' })),
  retentionHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 87600, description: 'how long records are kept (retention.ms). Default: the broker default, 168 hours' })),
  cleanupPolicy: Type.Optional(StringEnum(['delete', 'compact'] as const, 'cleanup.policy of the topic. Default: delete')),
}, { description: 'a Kafka topic (KafkaTopic, managed by the Topic Operator)' });

export const KafkaClientSchema = Closed({
  namespace: DnsLabel('namespace of the client pods (declared under namespaces)'),
  podLabels: Type.Optional(Type.Record(Type.String({ pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$' }), Type.String({ maxLength: 63 }), {
    additionalProperties: false, description: 'labels of the client pods that may reach the brokers. Default: platform.ml/kafka-client: <client name> (the label the platform\'s streaming jobs and NiFi carry)',
  })),
  credentialsSecret: Pattern('^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$', 'Secret with key "password" (the SCRAM-SHA-512 password), created outside dist/ in the Kafka namespace (the User Operator sets the password from it) and in the client namespace (the client reads it there)'),
  produce: Type.Optional(Type.Array(Type.String({ pattern: KAFKA_TOPIC_NAME_PATTERN }), { uniqueItems: true, description: 'topics (keys of streaming.topics) the client writes' })),
  consume: Type.Optional(Type.Array(Type.String({ pattern: KAFKA_TOPIC_NAME_PATTERN }), { uniqueItems: true, description: 'topics (keys of streaming.topics) the client reads' })),
  consumerGroups: Type.Optional(Type.Array(Type.String({ pattern: '^[a-zA-Z0-9._-]{1,249}\\*?$' }), { uniqueItems: true, description: 'consumer groups the client joins: a group name, or a prefix ending in * for generated group ids (such as Spark\'s spark-kafka-source-...)' })),
}, { description: 'a client application: a KafkaUser (SCRAM-SHA-512) with ACLs for exactly its topics and groups' });

// A streaming job is a Spark job without schedule (it runs until stopped), namespace (its Kafka client's) and
// shared volumes (only the checkpoint volume), with the Kafka client it connects as and its checkpoint.
const { schedule: _schedule, namespace: _namespace, volumes: _volumes, ...SPARK_JOB_PROPERTIES } = SparkJobSchema.properties;

/** Where a streaming query keeps its offsets and state, so a restarted application resumes where it stopped. */
export const CheckpointSchema = Closed({
  abfs: Type.Optional(Pattern('^abfss://[a-z0-9](-?[a-z0-9]){2,62}@[a-z0-9]{3,24}\\.dfs\\.core\\.windows\\.net(/[^\\s]*)?$',
    'ADLS Gen2 folder, such as abfss://checkpoints@account.dfs.core.windows.net/scoring (read and written with dataProcessing.spark.identity)')),
  volume: Type.Optional(DnsLabel('shared RWX volume (a key of dataProcessing.sharedVolumes.volumes in the job\'s namespace)')),
  subPath: Type.Optional(Pattern('^[^/\\s][^\\s]*$', 'folder inside the volume. Default: the job name')),
}, { description: 'checkpoint location: abfs, or volume (with an optional subPath); exactly one. Required: without it a restarted query reprocesses or loses data' });

export const StreamingJobSchema = Closed({
  ...SPARK_JOB_PROPERTIES,
  kafkaClient: DnsLabel('the client (a key of streaming.clients) the job connects as; the job runs in that client\'s namespace, which must be a Spark namespace'),
  checkpoint: CheckpointSchema,
}, { description: 'a Spark Structured Streaming job: a long-running SparkApplication (restart policy Always) reading and writing Kafka' });

const SECRET_NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';
const TimeoutSeconds = Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'request timeout in seconds. Default: routing.defaultTimeoutSeconds' }));

export const NifiOidcSchema = Closed({
  clientId: Guid('application (client) ID of the Entra ID app registration; register the redirect URI https://<route host>/nifi-api/access/oidc/callback'),
  clientSecret: Type.Optional(Closed({
    name: Pattern(SECRET_NAME_PATTERN, 'Secret created outside dist/ in NiFi\'s namespace'),
    key: Pattern('^[-._a-zA-Z0-9]+$', 'key of the client secret in that Secret'),
  }, { description: 'the app registration\'s client secret (required: NiFi authenticates at the token endpoint with it)' })),
  initialAdminIdentity: Pattern('^\\S+$', 'the user (as the identity claim names it, such as alice@example.com) who becomes NiFi\'s first administrator and grants everybody else access'),
  identityClaim: Type.Optional(Pattern('^[A-Za-z0-9_.:-]+$', 'token claim that names the user. Default: preferred_username (the Entra ID sign-in name; NiFi\'s own default, email, is only in Entra ID tokens when configured as an optional claim)')),
  groupsClaim: Type.Optional(Pattern('^[A-Za-z0-9_.:-]+$', 'token claim with the user\'s groups. Default: groups')),
}, { description: 'OpenID Connect sign-in with Microsoft Entra ID (tenant: azure.tenantId)' });

export const NifiSchema = Closed({
  namespace: DnsLabel('namespace of NiFi (declared under namespaces, restricted)'),
  version: Pattern('^2\\.[0-9]+\\.[0-9]+$', 'NiFi version: the tag of the official apache/nifi image, such as 2.11.0 (NiFi 2: HTTPS and single-user sign-in by default)'),
  imageRepository: Type.Optional(Pattern('^[a-z0-9][-a-z0-9._/]*/nifi$', 'a mirror of the official image, such as example.azurecr.io/apache/nifi. Default: apache/nifi (Docker Hub)')),
  nodePool: Pattern('^[a-z][a-z0-9]{0,11}$', 'AKS pool that runs NiFi: the name of a User pool under nodePools'),
  storageClass: DnsLabel('storage class of the repositories (flowfile, content, provenance, database, state, conf)'),
  repositorySize: Type.Optional(Quantity('size of the content and provenance repositories (the others get a tenth, at least 1Gi). Default: 50Gi')),
  credentialsSecret: Pattern('^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$', 'Secret created outside dist/ with key sensitive-props-key, and for single-user sign-in username and password (at least 12 characters)'),
  kafkaClient: DnsLabel('the client (a key of streaming.clients) NiFi connects to Kafka as; its namespace must be NiFi\'s'),
  httpEndpoint: Closed({
    port: Type.Integer({ minimum: 1024, maximum: 65535, description: 'port of the HandleHttpRequest processor (the seed: 9192)' }),
    path: Pattern('^/[-a-zA-Z0-9._~/]*$', 'request path of the endpoint (the seed: /model_serving)'),
    route: Type.Optional(Closed({
      host: Type.Optional(Pattern(HOSTNAME_PATTERN, 'host name of the API path: routing.hostname or one of routing.hosts. Default: routing.hostname')),
      timeoutSeconds: TimeoutSeconds,
    }, { description: 'the endpoint as its own API path https://<host><path> on the cluster\'s routing (to the plain HTTP port; the gateway terminates TLS)' })),
  }, { description: 'the seed\'s REST model-serving endpoint, hosted by a NiFi flow' }),
  tls: Type.Optional(Closed({
    secretName: Pattern(SECRET_NAME_PATTERN, 'Secret created outside dist/ in NiFi\'s namespace, type kubernetes.io/tls with tls.crt, tls.key and ca.crt (such as a cert-manager Certificate from a CA issuer); the certificate must name nifi.<namespace>.svc.<cluster domain>, nifi.<namespace>.svc, route.host and, for kubectl port-forward, localhost (Jetty\'s SNI host check in NiFi 2.11.0 refuses other Host names)'),
  }, { description: 'NiFi\'s HTTPS certificate from a Secret, instead of the self-signed one NiFi generates at first start; required for the UI route (the gateway verifies it)' })),
  route: Type.Optional(Closed({
    host: Pattern(HOSTNAME_PATTERN, 'host name of the UI: routing.hostname or one of routing.hosts; NiFi serves /nifi, /nifi-api and more at the root of it'),
    timeoutSeconds: TimeoutSeconds,
  }, { description: 'NiFi\'s HTTPS UI through the cluster\'s routing (mode gateway-api; the gateway re-encrypts to port 8443 and verifies tls)' })),
  signIn: Type.Optional(Closed({
    oidc: NifiOidcSchema,
  }, { description: 'how users sign in. Default: single-user (username and password from credentialsSecret)' })),
  calls: Type.Optional(Closed({
    routes: Type.Optional(Type.Array(DnsLabel('name of a route of this cluster\'s routing (model-<name>, a microservice, mlflow, nifi-http-endpoint, jupyterhub)'), { uniqueItems: true, description: 'routes of this cluster NiFi calls: egress to the gateway\'s proxies on their HTTPS port' })),
    hosts: Type.Optional(Type.Array(Pattern(HOSTNAME_PATTERN, 'a host name such as ml.example.com'), { uniqueItems: true, description: 'hosts outside the cluster NiFi calls over HTTPS, such as another cluster\'s routing host: 443 to public addresses' })),
  }, { description: 'what NiFi\'s flows call (the seed\'s NiFi called model endpoints); everything else stays blocked' })),
  resources: Type.Optional(ResourcesSchema),
  sparkSubmission: Type.Optional(Closed({
    namespace: DnsLabel('Spark namespace (a key of dataProcessing.spark.namespaces) NiFi submits SparkApplications to'),
  }, { description: 'Spark batch submission over REST (the seed\'s Livy): NiFi creates SparkApplications through the Kubernetes API with its own ServiceAccount, bound to a Role that allows only that' })),
}, { description: 'Apache NiFi (official image) as a single-node StatefulSet with persistent repositories, single-user or Entra ID sign-in, and optional routes' });

export const StreamingSchema = Closed({
  kafka: KafkaClusterSchema,
  topics: Type.Optional(NameMap(KafkaTopicSchema, KAFKA_TOPIC_NAME_PATTERN, 'Kafka topic names (letters, digits, ".", "_" and "-")')),
  clients: Type.Optional(NameMap(KafkaClientSchema, DNS_LABEL_PATTERN, 'client names (DNS labels; each is a KafkaUser)')),
  jobs: Type.Optional(NameMap(StreamingJobSchema, SPARK_JOB_NAME_PATTERN, 'streaming job names (DNS labels of at most 40 characters)')),
  nifi: Type.Optional(NifiSchema),
}, { description: 'streaming: Kafka (Strimzi, KRaft) with its topics, per-client users, and Spark Structured Streaming jobs' });

export type StreamingConfig = Static<typeof StreamingSchema>;
export type KafkaClusterConfig = Static<typeof KafkaClusterSchema>;
export type KafkaTopicConfig = Static<typeof KafkaTopicSchema>;
export type KafkaClientConfig = Static<typeof KafkaClientSchema>;
export type StreamingJobConfig = Static<typeof StreamingJobSchema>;
export type NifiConfig = Static<typeof NifiSchema>;
export type NifiOidcConfig = Static<typeof NifiOidcSchema>;

/** Label that marks the pods of a Kafka client (value: the client name) when the config names no pod labels. */
export const KAFKA_CLIENT_LABEL = 'platform.ml/kafka-client';

/** Labels of a client's pods: the configured ones, else `platform.ml/kafka-client: <client>`. */
export function kafkaClientPodLabels(name: string, client: KafkaClientConfig): { readonly [key: string]: string } {
  return client.podLabels ?? { [KAFKA_CLIENT_LABEL]: name };
}

/** Port of the TLS listener when the config names none. */
export const DEFAULT_KAFKA_LISTENER_PORT = 9093;

/**
 * `host:port` of the Kafka bootstrap Service of the TLS listener: Strimzi names it `<cluster>-kafka-bootstrap`
 * (KafkaResources.bootstrapServiceName at 1.2.0).
 */
export function kafkaBootstrapServers(kafka: Pick<KafkaClusterConfig, 'name' | 'namespace' | 'listenerPort'>, clusterDomain = 'cluster.local'): string {
  return `${kafka.name}-kafka-bootstrap.${kafka.namespace}.svc.${clusterDomain}:${kafka.listenerPort ?? DEFAULT_KAFKA_LISTENER_PORT}`;
}

/** Number of nodes with the broker role (the most replicas a topic can have). */
export function brokerCount(kafka: KafkaClusterConfig): number {
  return Object.values(kafka.nodePools).filter((pool) => pool.roles.includes('broker')).reduce((sum, pool) => sum + pool.replicas, 0);
}

/** Number of nodes with the controller role (the KRaft quorum). */
export function controllerCount(kafka: KafkaClusterConfig): number {
  return Object.values(kafka.nodePools).filter((pool) => pool.roles.includes('controller')).reduce((sum, pool) => sum + pool.replicas, 0);
}

/**
 * Name of the KafkaTopic object of a Kafka topic: Kubernetes names are lowercase DNS subdomains, Kafka topic
 * names are not (the seed's topics are `StreamingRaw` ...), so the object carries the real name in
 * `spec.topicName`. Lowercase, `_` becomes `-`, anything else not allowed becomes `-`.
 */
export function kafkaTopicObjectName(topic: string): string {
  const name = topic.toLowerCase().replace(/[^a-z0-9.-]/g, '-').replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, '');
  return name.slice(0, 253) || 'topic';
}

/** What the Strimzi operator install needs to agree with the streaming section. */
export interface StrimziOperatorSettings {
  /** Namespaces the operator watches (Helm value `watchNamespaces`). */
  readonly watchNamespaces: readonly string[];
}

/** The Strimzi operator settings of a cluster's streaming section; undefined without one. */
export function strimziOperatorSettings(section: StreamingConfig | undefined): StrimziOperatorSettings | undefined {
  return section ? { watchNamespaces: [section.kafka.namespace] } : undefined;
}
