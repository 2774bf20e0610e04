import { Construct } from 'constructs';
import { declareExternalSecret } from '../core/external-secrets';
import * as strimzi from '../../imports/kafka.strimzi.io';
import { STRIMZI_CLUSTER_LABEL } from './kafka-cluster';

/** Properties for `KafkaUser`. */
export interface KafkaUserProps {
  /** User name (the KafkaUser name and the SCRAM user name). */
  readonly name: string;
  /** Namespace of the Kafka cluster (the User Operator watches it). */
  readonly namespace: string;
  /** Name of the Kafka cluster (label `strimzi.io/cluster`). */
  readonly clusterName: string;
  /**
   * Secret in the Kafka namespace, created outside dist/, whose key `password` holds the user's password (the
   * User Operator sets the SCRAM credential from it instead of generating one).
   */
  readonly passwordSecretName: string;
  /**
   * Topics the user writes.
   * @default - none
   */
  readonly produce?: readonly string[];
  /**
   * Topics the user reads.
   * @default - none
   */
  readonly consume?: readonly string[];
  /**
   * Consumer groups the user joins: a group name, or a prefix ending in `*` (ACL pattern type prefix).
   * @default - none
   */
  readonly consumerGroups?: readonly string[];
}

type Operation = strimzi.KafkaUserSpecAuthorizationAclsOperations;
const Ops = strimzi.KafkaUserSpecAuthorizationAclsOperations;

/**
 * A Kafka client identity as a Strimzi `KafkaUser` (`kafka.strimzi.io/v1`): SCRAM-SHA-512 with the password from a
 * Secret created outside dist/ (`spec.authentication.password.valueFrom.secretKeyRef`, KafkaUser CRD at 1.2.0),
 * and simple authorization with allow ACLs for exactly its topics (literal names) and consumer groups:
 * producers get Write and Describe, consumers Read and Describe on the topic, and Read on each group (the
 * operations the Kafka docs list for produce and consume). Topics are created by KafkaTopic objects only, so
 * no user gets Create.
 */
export class KafkaUser extends Construct {
  /** The KafkaUser object. */
  public readonly resource: strimzi.KafkaUser;
  /** The user name. */
  public readonly userName: string;

  constructor(scope: Construct, id: string, props: KafkaUserProps) {
    super(scope, id);
    const prefix = `KafkaUser '${id}'`;
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.name)) {
      throw new Error(`${prefix}: 'name' ("${props.name}") must be a DNS label`);
    }
    if ((props.produce ?? []).length + (props.consume ?? []).length === 0) {
      throw new Error(`${prefix}: the user neither produces nor consumes a topic; list topics in 'produce' or 'consume'`);
    }
    if ((props.consumerGroups ?? []).length > 0 && (props.consume ?? []).length === 0) {
      throw new Error(`${prefix}: 'consumerGroups' needs at least one topic in 'consume'`);
    }
    this.userName = props.name;
    declareExternalSecret(this, { namespace: props.namespace, name: props.passwordSecretName, purpose: `KafkaUser '${props.name}': key password, the SCRAM-SHA-512 password the User Operator sets (spec.authentication.password.valueFrom)` });

    const topicOps = new Map<string, Set<Operation>>();
    const add = (topic: string, ops: Operation[]) => {
      const set = topicOps.get(topic) ?? new Set<Operation>();
      ops.forEach((op) => set.add(op));
      topicOps.set(topic, set);
    };
    (props.produce ?? []).forEach((topic) => add(topic, [Ops.WRITE, Ops.DESCRIBE]));
    (props.consume ?? []).forEach((topic) => add(topic, [Ops.READ, Ops.DESCRIBE]));
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const acls: strimzi.KafkaUserSpecAuthorizationAcls[] = [
      ...[...topicOps.keys()].sort(byName).map((topic) => ({
        type: strimzi.KafkaUserSpecAuthorizationAclsType.ALLOW,
        resource: { type: strimzi.KafkaUserSpecAuthorizationAclsResourceType.TOPIC, name: topic, patternType: strimzi.KafkaUserSpecAuthorizationAclsResourcePatternType.LITERAL },
        operations: [...topicOps.get(topic)!].sort(byName),
      })),
      ...[...(props.consumerGroups ?? [])].sort(byName).map((group) => ({
        type: strimzi.KafkaUserSpecAuthorizationAclsType.ALLOW,
        resource: {
          type: strimzi.KafkaUserSpecAuthorizationAclsResourceType.GROUP,
          name: group.endsWith('*') ? group.slice(0, -1) : group,
          patternType: group.endsWith('*') ? strimzi.KafkaUserSpecAuthorizationAclsResourcePatternType.PREFIX : strimzi.KafkaUserSpecAuthorizationAclsResourcePatternType.LITERAL,
        },
        operations: [Ops.READ],
      })),
    ];
    this.resource = new strimzi.KafkaUser(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { [STRIMZI_CLUSTER_LABEL]: props.clusterName } },
      spec: {
        authentication: {
          type: strimzi.KafkaUserSpecAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512,
          password: { valueFrom: { secretKeyRef: { name: props.passwordSecretName, key: 'password' } } },
        },
        authorization: { type: strimzi.KafkaUserSpecAuthorizationType.SIMPLE, acls },
      },
    });
  }
}
