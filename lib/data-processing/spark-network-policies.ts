/** NetworkPolicies of a Spark namespace, on top of the namespace's default deny and DNS allowance. */
import { Construct } from 'constructs';
import * as k8s from '../core/k8s';
import { NAMESPACE_NAME_LABEL } from '../core/labels';

/** Label Spark puts on its pods: `driver` or `executor`. */
export const SPARK_ROLE_LABEL = 'spark-role';
/** Spark on Kubernetes ports: driver RPC, block manager (driver and executors), UI. */
export const SPARK_PORTS = { driverRpc: 7078, blockManager: 7079, ui: 4040 } as const;

/** Who may open the Spark UI. */
export interface SparkUiAccess {
  /**
   * Namespaces whose pods may reach port 4040 of the drivers.
   * @default - none
   */
  readonly namespaces?: readonly string[];
  /**
   * Address ranges that may reach port 4040 of the drivers.
   * @default - none
   */
  readonly cidrs?: readonly string[];
}

/** HDFS as seen by its clients: node address ranges and ports. */
export interface HdfsClientAccess {
  /** Address ranges of the nodes HDFS runs on (hostNetwork). */
  readonly nodeCidrs: readonly string[];
  /** Ports clients connect to (namenode RPC, datanode block transfer). */
  readonly ports: readonly number[];
}

/** What the policies allow. */
export interface SparkNetworkInputs {
  readonly namespace: string;
  readonly apiServerCidrs: readonly string[];
  readonly azureStorageCidrs: readonly string[];
  readonly hdfs?: HdfsClientAccess;
  readonly uiAccessFrom?: SparkUiAccess;
}

const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
const ipBlocks = (cidrs: readonly string[]): k8s.NetworkPolicyPeer[] => cidrs.map((cidr) => ({ ipBlock: { cidr } }));

/** Selects Spark pods of the given roles. */
export function sparkRoles(...roles: string[]): k8s.LabelSelector {
  return { matchExpressions: [{ key: SPARK_ROLE_LABEL, operator: 'In', values: roles }] };
}

/** Adds the Spark NetworkPolicies to `scope`; returns them by name. */
export function addSparkNetworkPolicies(scope: Construct, inputs: SparkNetworkInputs): k8s.KubeNetworkPolicy[] {
  const namespace = inputs.namespace;
  const sparkPods = sparkRoles('driver', 'executor');
  const policy = (id: string, name: string, spec: k8s.NetworkPolicySpec) =>
    new k8s.KubeNetworkPolicy(scope, id, { metadata: { name, namespace }, spec });
  const clusterPorts = [tcp(SPARK_PORTS.driverRpc), tcp(SPARK_PORTS.blockManager)];

  const policies = [
    policy('allow-driver-executor', 'spark-allow-driver-executor', {
      podSelector: sparkPods,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: sparkPods }], ports: clusterPorts }],
      egress: [{ to: [{ podSelector: sparkPods }], ports: clusterPorts }],
    }),
    policy('allow-api-server', 'spark-allow-driver-api-server', {
      podSelector: sparkRoles('driver'),
      policyTypes: ['Egress'],
      egress: [{ to: ipBlocks(inputs.apiServerCidrs), ports: [tcp(443)] }],
    }),
    policy('allow-azure-storage', 'spark-allow-azure-storage', {
      podSelector: sparkPods,
      policyTypes: ['Egress'],
      egress: [{ to: ipBlocks(inputs.azureStorageCidrs), ports: [tcp(443)] }],
    }),
  ];
  if (inputs.hdfs) {
    policies.push(policy('allow-hdfs', 'spark-allow-hdfs', {
      podSelector: sparkPods,
      policyTypes: ['Egress'],
      egress: [{ to: ipBlocks(inputs.hdfs.nodeCidrs), ports: inputs.hdfs.ports.map(tcp) }],
    }));
  }
  const ui = inputs.uiAccessFrom;
  const uiPeers: k8s.NetworkPolicyPeer[] = [
    ...(ui?.namespaces ?? []).map((name) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } } })),
    ...ipBlocks(ui?.cidrs ?? []),
  ];
  if (uiPeers.length > 0) {
    policies.push(policy('allow-ui', 'spark-allow-ui', {
      podSelector: sparkRoles('driver'),
      policyTypes: ['Ingress'],
      ingress: [{ from: uiPeers, ports: [tcp(SPARK_PORTS.ui)] }],
    }));
  }
  return policies;
}
