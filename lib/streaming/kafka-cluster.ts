import { Construct } from 'constructs';
import * as strimzi from '../../imports/kafka.strimzi.io';
import * as k8s from '../core/k8s';
import { NAMESPACE_NAME_LABEL } from '../core/labels';
import { AKS_ACCELERATOR_LABEL, AKS_AGENT_POOL_LABEL, AKS_MODE_LABEL, HOSTNAME_TOPOLOGY_KEY, isSystemOrGpuPool, NodePoolPlacement, poolTolerations } from '../core/node-pool';
import { ContainerResources, toResourceRequirements } from '../core/container-security';
import { declareFlows } from '../core/flows';
import { allowApiServerEgress } from '../core/network-policies';
import { declareFolderPlacement } from '../core/folder-placement';

/** Labels Strimzi 1.2.0 puts on the pods it creates (io.strimzi.api.ResourceLabels, operator-common Labels). */
export const STRIMZI_CLUSTER_LABEL = 'strimzi.io/cluster';
export const STRIMZI_NAME_LABEL = 'strimzi.io/name';
export const STRIMZI_KIND_LABEL = 'strimzi.io/kind';
export const STRIMZI_BROKER_ROLE_LABEL = 'strimzi.io/broker-role';
export const STRIMZI_POOL_LABEL = 'strimzi.io/pool-name';

/**
 * Internal ports of Strimzi Kafka pods (KafkaCluster.java at 1.2.0): 9090 control plane (KRaft controllers,
 * and the cluster operator during rolls), 9091 replication (brokers, the operators, Cruise Control),
 * 8443 Kafka agent (the cluster operator reads the broker state).
 */
export const KAFKA_INTERNAL_PORTS = { controlPlane: 9090, replication: 9091, agent: 8443 } as const;

/** Ports of the API server a pod may call (AKS publishes 443; 6443 is the in-cluster endpoint port). */

/** A Kafka node pool as the construct takes it. */
export interface KafkaNodePoolSpec {
  /** Pool name (`KafkaNodePool` name; pods are `<cluster>-<pool>-<id>`). */
  readonly name: string;
  /** KRaft roles of the nodes. */
  readonly roles: readonly ('controller' | 'broker')[];
  /** Number of nodes. */
  readonly replicas: number;
  /** Size of each node's persistent volume. */
  readonly storageSize: string;
  /**
   * Requests and limits of the Kafka container.
   * @default - 1 CPU and 4Gi requested, 2 CPU and 4Gi limit
   */
  readonly resources?: ContainerResources;
}

/** Pods that may open connections to the TLS listener. */
export interface KafkaClientPeer {
  /** Namespace of the client pods. */
  readonly namespace: string;
  /**
   * Labels of the client pods.
   * @default - every pod of the namespace
   */
  readonly podLabels?: { readonly [key: string]: string };
}

/** Properties for `KafkaCluster`. */
export interface KafkaClusterProps {
  /** Name of the Kafka cluster (Strimzi derives pod, Service and Secret names from it). */
  readonly name: string;
  /** Namespace of the cluster. */
  readonly namespace: string;
  /** Kafka version (one Strimzi 1.2.0 supports). */
  readonly version: string;
  /** The AKS pool that runs the Kafka nodes (a User pool without GPUs). */
  readonly nodePool: NodePoolPlacement;
  /** Storage class of the persistent volumes. */
  readonly storageClassName: string;
  /** The Kafka node pools (at least one controller and one broker node). */
  readonly nodePools: readonly KafkaNodePoolSpec[];
  /** Replication factor of new and internal topics. */
  readonly replication: number;
  /** `min.insync.replicas` of the brokers (and of the transaction state log). */
  readonly minInSyncReplicas: number;
  /**
   * Port of the TLS listener (SCRAM-SHA-512 authentication).
   * @default 9093
   */
  readonly listenerPort?: number;
  /** Pods that may reach the listener; nobody else can. */
  readonly clients: readonly KafkaClientPeer[];
  /** Namespace of the Strimzi cluster operator (it reaches the brokers' internal ports). */
  readonly operatorNamespace: string;
  /**
   * Schedule of the cluster CA Strimzi generates, which clients trust (`ca.crt` of `<name>-cluster-ca-cert`).
   * @default - Strimzi's defaults, written out: 365 days valid, renewed 30 days before it expires
   */
  readonly clusterCa?: KafkaClusterCaSchedule;
  /**
   * Cluster DNS domain (bootstrap address).
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** When Strimzi renews the cluster CA certificate (Kafka `spec.clusterCa`). */
export interface KafkaClusterCaSchedule {
  /** Days a CA certificate is valid. */
  readonly validityDays: number;
  /** Days before expiry at which Strimzi renews it (must be fewer than validityDays). */
  readonly renewalDays: number;
}

/**
 * Strimzi 1.2.0 defaults (api/src/main/java/io/strimzi/api/kafka/model/common/CertificateAuthority.java
 * DEFAULT_CERTS_VALIDITY_DAYS 365, DEFAULT_CERTS_RENEWAL_DAYS 30).
 */
export const STRIMZI_DEFAULT_CLUSTER_CA: KafkaClusterCaSchedule = { validityDays: 365, renewalDays: 30 };

/** The listener name of the TLS listener (Strimzi names the bootstrap port after it). */
const LISTENER_NAME = 'tls';

/**
 * A Kafka cluster run by Strimzi 1.2.0 (`kafka.strimzi.io/v1`): the `Kafka` object in KRaft mode (the only mode
 * of Strimzi 1.x; node pools are mandatory and no `strimzi.io/kraft` or `strimzi.io/node-pools` annotation
 * exists any more, see packaging/examples/kafka/kafka-persistent.yaml at 1.2.0), one `KafkaNodePool` per
 * configured pool on the AKS pool with persistent-claim storage of the configured class, a single internal TLS
 * listener with SCRAM-SHA-512 and simple (ACL) authorization, and the topic and user operators.
 *
 * Network: the namespace denies everything by default. Strimzi generates its own ingress NetworkPolicy
 * `<name>-network-policy-kafka` (KafkaCluster.generateNetworkPolicy at 1.2.0: 9090/9091/8443 from the cluster
 * operator and the cluster's pods, each listener port from its `networkPolicyPeers`, or from everywhere when the
 * list is empty); so the listener lists exactly the client pods. The policies here say the same in dist/ (and
 * hold even with policy generation off), and add the egress the default deny would block: between Kafka pods,
 * from the entity operator to the brokers and the API server, from the cluster operator's namespace.
 */
export class KafkaCluster extends Construct {
  /** The Kafka object. */
  public readonly resource: strimzi.Kafka;
  /** The KafkaNodePools, by pool name. */
  public readonly pools: ReadonlyMap<string, strimzi.KafkaNodePool>;
  /** Name of the Kafka cluster. */
  public readonly name: string;
  /** Namespace of the Kafka cluster. */
  public readonly namespace: string;
  /** Port of the TLS listener. */
  public readonly listenerPort: number;
  /** `host:port` of the bootstrap Service of the TLS listener (`<name>-kafka-bootstrap`). */
  public readonly bootstrapServers: string;
  /** Secret (in the Kafka namespace) with the cluster CA certificate clients trust (`ca.crt`). */
  public readonly clusterCaSecretName: string;
  /** When Strimzi renews the cluster CA. */
  public readonly clusterCa: KafkaClusterCaSchedule;
  /** Labels of the broker pods (what clients connect to). */
  public readonly brokerPodLabels: { readonly [key: string]: string };
  /** Number of broker nodes. */
  public readonly brokerCount: number;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    declareFolderPlacement(this, 'service');
    this.validateProps(id, props);
    this.name = props.name;
    this.namespace = props.namespace;
    this.listenerPort = props.listenerPort ?? 9093;
    const domain = props.clusterDomain ?? 'cluster.local';
    // KafkaResources.bootstrapServiceName(cluster) = <cluster>-kafka-bootstrap (api module at 1.2.0).
    this.bootstrapServers = `${props.name}-kafka-bootstrap.${props.namespace}.svc.${domain}:${this.listenerPort}`;
    // KafkaResources.clusterCaCertificateSecretName(cluster) = <cluster>-cluster-ca-cert.
    this.clusterCaSecretName = `${props.name}-cluster-ca-cert`;
    this.clusterCa = props.clusterCa ?? STRIMZI_DEFAULT_CLUSTER_CA;
    this.brokerPodLabels = { [STRIMZI_CLUSTER_LABEL]: props.name, [STRIMZI_BROKER_ROLE_LABEL]: 'true' };
    this.brokerCount = props.nodePools.filter((pool) => pool.roles.includes('broker')).reduce((sum, pool) => sum + pool.replicas, 0);

    const clusterLabel = { [STRIMZI_CLUSTER_LABEL]: props.name };
    // Kafka node pods carry strimzi.io/name=<cluster>-kafka (KafkaResources.kafkaComponentName); the entity
    // operator's pods have the same cluster label but strimzi.io/name=<cluster>-entity-operator.
    const peers = props.clients.map((client) => ({
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: client.namespace } },
      podSelector: { matchLabels: { ...(client.podLabels ?? {}) } },
    }));

    const pools = new Map<string, strimzi.KafkaNodePool>();
    for (const pool of [...props.nodePools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      pools.set(pool.name, new strimzi.KafkaNodePool(this, `pool-${pool.name}`, {
        metadata: { name: pool.name, namespace: props.namespace, labels: { ...clusterLabel } },
        spec: {
          replicas: pool.replicas,
          roles: [...pool.roles].sort().map((role) => role === 'broker' ? strimzi.KafkaNodePoolSpecRoles.BROKER : strimzi.KafkaNodePoolSpecRoles.CONTROLLER),
          // One persistent volume per node that also holds the KRaft metadata log (kraftMetadata: shared).
          storage: {
            type: strimzi.KafkaNodePoolSpecStorageType.JBOD,
            volumes: [{
              id: 0,
              type: strimzi.KafkaNodePoolSpecStorageVolumesType.PERSISTENT_HYPHEN_CLAIM,
              size: pool.storageSize,
              class: props.storageClassName,
              deleteClaim: false,
              kraftMetadata: strimzi.KafkaNodePoolSpecStorageVolumesKraftMetadata.SHARED,
            }],
          },
          resources: toResourceRequirements(pool.resources ?? { request: { cpu: '1', memory: '4Gi' }, limit: { cpu: '2', memory: '4Gi' } }) as strimzi.KafkaNodePoolSpecResources,
          template: { pod: this.podPlacement(props.nodePool, { ...clusterLabel, [STRIMZI_POOL_LABEL]: pool.name }) as strimzi.KafkaNodePoolSpecTemplatePod },
        },
      }));
    }
    this.pools = pools;

    const replication = props.replication;
    this.resource = new strimzi.Kafka(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        kafka: {
          version: props.version,
          listeners: [{
            name: LISTENER_NAME,
            port: this.listenerPort,
            type: strimzi.KafkaSpecKafkaListenersType.INTERNAL,
            tls: true,
            authentication: { type: strimzi.KafkaSpecKafkaListenersAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512 },
            networkPolicyPeers: peers as strimzi.KafkaSpecKafkaListenersNetworkPolicyPeers[],
          }],
          authorization: { type: strimzi.KafkaSpecKafkaAuthorizationType.SIMPLE },
          config: {
            'default.replication.factor': replication,
            'min.insync.replicas': props.minInSyncReplicas,
            'offsets.topic.replication.factor': replication,
            'transaction.state.log.replication.factor': replication,
            'transaction.state.log.min.isr': Math.min(props.minInSyncReplicas, replication),
            // Topics come from KafkaTopic objects only: a typo in a client's topic name fails instead of creating one.
            'auto.create.topics.enable': false,
          },
        },
        // The cluster CA schedule, written out so the renewal date is explicit in Git. renew-certificate (Strimzi's
        // default) re-signs the CA certificate with the same private key (operator-common Ca.java RenewalType.RENEW_CERT:
        // "new public key is generated using the same private key"), so a client that still holds the previous CA
        // certificate keeps verifying the brokers until that certificate expires: the renewalDays window is the time
        // to copy the new ca.crt to clients (docs/streaming.md, "Cluster CA renewal").
        clusterCa: {
          validityDays: this.clusterCa.validityDays,
          renewalDays: this.clusterCa.renewalDays,
          certificateExpirationPolicy: strimzi.KafkaSpecClusterCaCertificateExpirationPolicy.RENEW_HYPHEN_CERTIFICATE,
        },
        entityOperator: {
          topicOperator: { resources: toResourceRequirements({ request: { cpu: '100m', memory: '256Mi' }, limit: { cpu: '500m', memory: '512Mi' } }) as strimzi.KafkaSpecEntityOperatorTopicOperatorResources },
          userOperator: { resources: toResourceRequirements({ request: { cpu: '100m', memory: '256Mi' }, limit: { cpu: '500m', memory: '512Mi' } }) as strimzi.KafkaSpecEntityOperatorUserOperatorResources },
          template: { pod: this.podPlacement(props.nodePool) as strimzi.KafkaSpecEntityOperatorTemplatePod },
        },
      },
    });

    // The flows the policies below must allow, for the verifier's network-flows rule (lib/verify).
    const kafkaPods = { namespace: props.namespace, podLabels: { ...clusterLabel, [STRIMZI_NAME_LABEL]: `${props.name}-kafka` } };
    const entityOperator = { namespace: props.namespace, podLabels: { [STRIMZI_NAME_LABEL]: `${props.name}-entity-operator` } };
    const clusterOperator = { namespace: props.operatorNamespace, podLabels: { [STRIMZI_KIND_LABEL]: 'cluster-operator' } };
    declareFlows(this, { purpose: 'Kafka nodes: KRaft quorum and replication', from: kafkaPods, to: kafkaPods }, [KAFKA_INTERNAL_PORTS.controlPlane, KAFKA_INTERNAL_PORTS.replication]);
    declareFlows(this, { purpose: 'entity operator (topic and user operators) to the brokers', from: entityOperator, to: kafkaPods }, [KAFKA_INTERNAL_PORTS.replication]);
    declareFlows(this, { purpose: 'Strimzi cluster operator to the Kafka nodes', from: clusterOperator, to: kafkaPods }, [KAFKA_INTERNAL_PORTS.controlPlane, KAFKA_INTERNAL_PORTS.replication, KAFKA_INTERNAL_PORTS.agent]);
    for (const client of props.clients) {
      declareFlows(this, { purpose: 'Kafka client to the TLS listener', from: { namespace: client.namespace, podLabels: { ...(client.podLabels ?? {}) }, deployedElsewhere: 'a Kafka client of streaming.clients, deployed by its owner unless a workload of the output carries its labels' }, to: { namespace: props.namespace, podLabels: { ...this.brokerPodLabels } } }, [this.listenerPort]);
    }

    const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
    const operatorPeer = {
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: props.operatorNamespace } },
      podSelector: { matchLabels: { [STRIMZI_KIND_LABEL]: 'cluster-operator' } },
    };
    const internal = [KAFKA_INTERNAL_PORTS.controlPlane, KAFKA_INTERNAL_PORTS.replication];

    new k8s.KubeNetworkPolicy(this, 'kafka-ingress', {
      metadata: { name: `${props.name}-kafka-ingress`, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...clusterLabel, [STRIMZI_NAME_LABEL]: `${props.name}-kafka` } },
        policyTypes: ['Ingress'],
        ingress: [
          // Kafka nodes among themselves (KRaft quorum, replication) and the entity operator (replication port).
          { from: [{ podSelector: { matchLabels: { ...clusterLabel } } }], ports: tcp(internal) },
          // The cluster operator: control plane during rolls, replication (admin client), Kafka agent.
          { from: [operatorPeer], ports: tcp([...internal, KAFKA_INTERNAL_PORTS.agent]) },
          ...(peers.length > 0 ? [{ from: peers, ports: tcp([this.listenerPort]) }] : []),
        ],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'kafka-egress', {
      metadata: { name: `${props.name}-kafka-egress`, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...clusterLabel } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { ...clusterLabel, [STRIMZI_NAME_LABEL]: `${props.name}-kafka` } } }], ports: tcp(internal) }],
      },
    });
    // The topic and user operators watch KafkaTopic/KafkaUser objects and write Secrets through the API server:
    // the API server ports to any address, like every namespace of the platform (see apiServerEgressRule).
    allowApiServerEgress(this, 'entity-operator-api', {
      name: `${props.name}-entity-operator-api-egress`,
      namespace: props.namespace,
      podLabels: { [STRIMZI_NAME_LABEL]: `${props.name}-entity-operator` },
      purpose: 'entity operator to the API server',
    });
    // The operator namespace's own policy only opens HTTPS egress; the operator also reaches the brokers.
    new k8s.KubeNetworkPolicy(this, 'operator-egress', {
      metadata: { name: `strimzi-to-${props.namespace}-${props.name}`, namespace: props.operatorNamespace },
      spec: {
        podSelector: { matchLabels: { [STRIMZI_KIND_LABEL]: 'cluster-operator' } },
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: props.namespace } }, podSelector: { matchLabels: { ...clusterLabel, [STRIMZI_NAME_LABEL]: `${props.name}-kafka` } } }],
          ports: tcp([...internal, KAFKA_INTERNAL_PORTS.agent]),
        }],
      },
    });
  }

  /** Egress policy that lets client pods in their namespace reach the brokers on the listener port only. */
  public allowClientEgress(scope: Construct, id: string, client: KafkaClientPeer & { readonly name: string }): k8s.KubeNetworkPolicy {
    return new k8s.KubeNetworkPolicy(scope, id, {
      metadata: { name: `${client.name}-kafka-egress`, namespace: client.namespace },
      spec: {
        podSelector: { matchLabels: { ...(client.podLabels ?? {}) } },
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.namespace } }, podSelector: { matchLabels: { ...this.brokerPodLabels } } }],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(this.listenerPort) }],
        }],
      },
    });
  }

  /** Node affinity to the pool (and away from system and GPU nodes), its tolerations, brokers spread over nodes. */
  private podPlacement(pool: NodePoolPlacement, spreadLabels?: { [key: string]: string }): object {
    return {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{
              matchExpressions: [
                { key: AKS_AGENT_POOL_LABEL, operator: 'In', values: [pool.name] },
                { key: AKS_MODE_LABEL, operator: 'NotIn', values: ['system'] },
                { key: AKS_ACCELERATOR_LABEL, operator: 'DoesNotExist' },
              ],
            }],
          },
        },
        ...(spreadLabels ? {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
              weight: 100,
              podAffinityTerm: { labelSelector: { matchLabels: spreadLabels }, topologyKey: HOSTNAME_TOPOLOGY_KEY },
            }],
          },
        } : {}),
      },
      tolerations: poolTolerations(pool),
    };
  }

  private validateProps(id: string, props: KafkaClusterProps): void {
    const prefix = `KafkaCluster '${id}'`;
    const ca = props.clusterCa;
    if (ca && (!Number.isInteger(ca.validityDays) || !Number.isInteger(ca.renewalDays) || ca.renewalDays < 1 || ca.renewalDays >= ca.validityDays)) {
      throw new Error(`${prefix}: 'clusterCa' (validityDays ${ca.validityDays}, renewalDays ${ca.renewalDays}) needs whole days with 1 <= renewalDays < validityDays: renewalDays is the window before expiry in which Strimzi renews the CA certificate`);
    }
    if (isSystemOrGpuPool(props.nodePool)) {
      throw new Error(`${prefix}: 'nodePool' (${props.nodePool.name}) is a system or GPU pool; run Kafka on a User pool without GPUs`);
    }
    const brokers = props.nodePools.filter((pool) => pool.roles.includes('broker')).reduce((sum, pool) => sum + pool.replicas, 0);
    const controllers = props.nodePools.filter((pool) => pool.roles.includes('controller')).reduce((sum, pool) => sum + pool.replicas, 0);
    if (brokers === 0 || controllers === 0) {
      throw new Error(`${prefix}: 'nodePools' has ${brokers} broker and ${controllers} controller node(s); KRaft needs at least one of each (a pool may have both roles)`);
    }
    if (props.replication > brokers) {
      throw new Error(`${prefix}: 'replication' (${props.replication}) is larger than the ${brokers} broker(s); lower it or add brokers`);
    }
    if (props.minInSyncReplicas > props.replication) {
      throw new Error(`${prefix}: 'minInSyncReplicas' (${props.minInSyncReplicas}) is larger than 'replication' (${props.replication}); writes with acks=all would always fail`);
    }
  }
}
