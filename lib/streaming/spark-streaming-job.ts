import { Construct } from 'constructs';
import { declareExternalSecret } from '../core/external-secrets';
import { SharedVolumeMount } from '../data-processing/shared-volume';
import { SparkJob, SparkJobProps } from '../data-processing/spark-job';
import { SparkPodTemplates } from '../data-processing/spark-pod-templates';

/** How a streaming job reaches Kafka: the TLS listener, its SCRAM user, and the Secret holding the credentials. */
export interface KafkaClientConnection {
  /** `host:port` of the bootstrap Service (`KafkaCluster.bootstrapServers`). */
  readonly bootstrapServers: string;
  /** SCRAM user name (the KafkaUser). */
  readonly username: string;
  /**
   * Secret in the job's namespace, created outside dist/, with keys `password` (the SCRAM password) and `ca.crt`
   * (the Kafka cluster CA, copied from Strimzi's `<cluster>-cluster-ca-cert`).
   */
  readonly credentialsSecretName: string;
  /** Labels the client's pods carry (the brokers admit them, their egress policy selects them). */
  readonly podLabels: { readonly [key: string]: string };
}

/** Where the streaming queries checkpoint. */
export interface StreamingCheckpoint {
  /** Checkpoint root (`spark.sql.streaming.checkpointLocation`): an `abfss://` URL or a `file://` path on `volume`. */
  readonly location: string;
  /**
   * The RWX volume that holds a `file://` location.
   * @default - none (an abfss:// location)
   */
  readonly volume?: SharedVolumeMount;
}

/** Properties for `SparkStreamingJob`. */
export interface SparkStreamingJobProps extends Omit<SparkJobProps, 'schedule' | 'restartPolicy' | 'timeToLiveSeconds'> {
  /** The Kafka client the job connects as. */
  readonly kafka: KafkaClientConnection;
  /** The checkpoint location (required: a restarted query resumes from it). */
  readonly checkpoint: StreamingCheckpoint;
}

/** Where the Kafka cluster CA is mounted in driver and executors (executors run the Kafka consumers and producers). */
export const KAFKA_CA_MOUNT_PATH = '/etc/kafka-ca';

/**
 * Environment variables the job reads to build its Kafka source and sink options (`kafka.bootstrap.servers`,
 * `kafka.security.protocol`, `kafka.sasl.mechanism`, `kafka.sasl.jaas.config` with ScramLoginModule,
 * `kafka.ssl.truststore.type` PEM and `kafka.ssl.truststore.location`).
 */
export const KAFKA_ENV = {
  bootstrapServers: 'KAFKA_BOOTSTRAP_SERVERS',
  securityProtocol: 'KAFKA_SECURITY_PROTOCOL',
  saslMechanism: 'KAFKA_SASL_MECHANISM',
  username: 'KAFKA_USERNAME',
  password: 'KAFKA_PASSWORD',
  truststoreType: 'KAFKA_SSL_TRUSTSTORE_TYPE',
  truststoreLocation: 'KAFKA_SSL_TRUSTSTORE_LOCATION',
  checkpointLocation: 'CHECKPOINT_LOCATION',
} as const;

/**
 * A Spark Structured Streaming job: a `SparkJob` with restart policy Always (resubmitted with back-off whenever it
 * ends, never deleted by a TTL), its checkpoint root in `spark.sql.streaming.checkpointLocation` (Spark's default
 * root for queries without their own `checkpointLocation` option), and the Kafka connection of its client in
 * driver and executor pod templates: the client's pod labels (so the brokers' and the client's NetworkPolicies
 * admit the pods), the bootstrap address and SCRAM-SHA-512 over TLS settings as environment variables, the
 * password from the client's Secret (`secretKeyRef`, never a value), and the cluster CA from the same Secret as a
 * PEM truststore file. The image must contain Spark's Kafka connector (spark-sql-kafka-0-10).
 */
export class SparkStreamingJob extends Construct {
  /** The underlying Spark job (its `resource` is the SparkApplication). */
  public readonly job: SparkJob;

  constructor(scope: Construct, id: string, props: SparkStreamingJobProps) {
    super(scope, id);
    const prefix = `SparkStreamingJob '${id}'`;
    declareExternalSecret(this, { namespace: props.namespace, name: props.kafka.credentialsSecretName, purpose: `Spark streaming job '${id}': keys password and ca.crt, its Kafka user's password and the cluster CA (secretKeyRef env, secret volume)` });
    const location = props.checkpoint.location;
    if (!/^(abfss:\/\/\S+@\S+\.dfs\.core\.windows\.net(\/\S*)?|file:\/\/\/\S+)$/.test(location)) {
      throw new Error(`${prefix}: 'checkpoint.location' ("${location}") must be an abfss://<container>@<account>.dfs.core.windows.net/... URL or a file:/// path on an RWX volume`);
    }
    if (location.startsWith('file://') && !(props.checkpoint.volume && location.slice('file://'.length).startsWith(`${props.checkpoint.volume.mountPath}/`))) {
      throw new Error(`${prefix}: 'checkpoint.location' ("${location}") is a local path, which only survives a restart on a shared volume; pass 'checkpoint.volume' mounted at a parent folder`);
    }
    if (props.checkpoint.volume?.readOnly) {
      throw new Error(`${prefix}: 'checkpoint.volume' (${props.checkpoint.volume.volumeName}) is mounted read-only; the job writes its checkpoints there`);
    }
    if (props.sparkConf?.['spark.sql.streaming.checkpointLocation'] !== undefined) {
      throw new Error(`${prefix}: 'sparkConf' sets spark.sql.streaming.checkpointLocation; use 'checkpoint' instead`);
    }
    const env = [
      { name: KAFKA_ENV.bootstrapServers, value: props.kafka.bootstrapServers },
      { name: KAFKA_ENV.securityProtocol, value: 'SASL_SSL' },
      { name: KAFKA_ENV.saslMechanism, value: 'SCRAM-SHA-512' },
      { name: KAFKA_ENV.username, value: props.kafka.username },
      { name: KAFKA_ENV.password, valueFrom: { secretKeyRef: { name: props.kafka.credentialsSecretName, key: 'password' } } },
      { name: KAFKA_ENV.truststoreType, value: 'PEM' },
      { name: KAFKA_ENV.truststoreLocation, value: `${KAFKA_CA_MOUNT_PATH}/ca.crt` },
      { name: KAFKA_ENV.checkpointLocation, value: location },
    ];
    this.job = new SparkJob(this, 'job', {
      ...props,
      restartPolicy: 'Always',
      sparkConf: { ...props.sparkConf, 'spark.sql.streaming.checkpointLocation': location },
      podTemplates: withKafkaClient(props.podTemplates, props.kafka, env),
      volumes: [...(props.volumes ?? []), ...(props.checkpoint.volume ? [props.checkpoint.volume] : [])],
    });
  }
}

/** Copies of the pod templates with the client's labels, the Kafka environment and the CA file. */
function withKafkaClient(templates: SparkPodTemplates, kafka: KafkaClientConnection, env: readonly object[]): SparkPodTemplates {
  const add = (template: { readonly [key: string]: any }) => {
    const copy = JSON.parse(JSON.stringify(template));
    copy.metadata = { ...copy.metadata, labels: { ...(copy.metadata?.labels ?? {}), ...kafka.podLabels } };
    copy.spec.volumes = [...(copy.spec.volumes ?? []), { name: 'kafka-ca', secret: { secretName: kafka.credentialsSecretName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }];
    const container = copy.spec.containers[0];
    container.env = [...(container.env ?? []), ...env];
    container.volumeMounts = [...(container.volumeMounts ?? []), { name: 'kafka-ca', mountPath: KAFKA_CA_MOUNT_PATH, readOnly: true }];
    return copy;
  };
  return { driver: add(templates.driver), executor: add(templates.executor) };
}
