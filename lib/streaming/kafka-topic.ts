import { Construct } from 'constructs';
import * as strimzi from '../../imports/kafka.strimzi.io';
import { STRIMZI_CLUSTER_LABEL } from './kafka-cluster';

/** Properties for `KafkaTopic`. */
export interface KafkaTopicProps {
  /** Kafka topic name (may contain uppercase letters and `_`, which Kubernetes names cannot). */
  readonly topicName: string;
  /** Name of the KafkaTopic object (a DNS subdomain). */
  readonly objectName: string;
  /** Namespace of the Kafka cluster (the Topic Operator watches it). */
  readonly namespace: string;
  /** Name of the Kafka cluster (label `strimzi.io/cluster`). */
  readonly clusterName: string;
  /** Number of partitions. */
  readonly partitions: number;
  /** Replication factor. */
  readonly replicas: number;
  /**
   * Retention in hours (`retention.ms`).
   * @default - the broker default (168 hours)
   */
  readonly retentionHours?: number;
  /**
   * `cleanup.policy`.
   * @default - the broker default (delete)
   */
  readonly cleanupPolicy?: 'delete' | 'compact';
}

/**
 * A Kafka topic as a Strimzi `KafkaTopic` (`kafka.strimzi.io/v1`), reconciled by the Topic Operator of the cluster
 * named by the `strimzi.io/cluster` label. `spec.topicName` carries the real topic name, since Kafka topic names
 * (such as the seed's `StreamingRaw`) are not valid object names (KafkaTopic CRD at 1.2.0: "When absent this will
 * default to the metadata.name of the topic").
 */
export class KafkaTopic extends Construct {
  /** The KafkaTopic object. */
  public readonly resource: strimzi.KafkaTopic;
  /** The Kafka topic name. */
  public readonly topicName: string;

  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    const prefix = `KafkaTopic '${id}'`;
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(props.topicName) || props.topicName === '.' || props.topicName === '..') {
      throw new Error(`${prefix}: 'topicName' ("${props.topicName}") is not a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-', not '.' or '..'`);
    }
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(props.objectName)) {
      throw new Error(`${prefix}: 'objectName' ("${props.objectName}") must be a DNS subdomain (lowercase letters, digits, '-' and '.')`);
    }
    if (!Number.isInteger(props.partitions) || props.partitions < 1) {
      throw new Error(`${prefix}: 'partitions' (${props.partitions}) must be a positive integer`);
    }
    this.topicName = props.topicName;
    const config: { [key: string]: string | number } = {};
    if (props.retentionHours !== undefined) config['retention.ms'] = props.retentionHours * 3_600_000;
    if (props.cleanupPolicy !== undefined) config['cleanup.policy'] = props.cleanupPolicy;
    this.resource = new strimzi.KafkaTopic(this, 'Resource', {
      metadata: { name: props.objectName, namespace: props.namespace, labels: { [STRIMZI_CLUSTER_LABEL]: props.clusterName } },
      spec: {
        topicName: props.topicName === props.objectName ? undefined : props.topicName,
        partitions: props.partitions,
        replicas: props.replicas,
        config: Object.keys(config).length > 0 ? config : undefined,
      },
    });
  }
}
