/** NetworkPolicies of a Spark namespace, on top of the namespace's default deny and DNS allowance. */
import { Construct } from 'constructs';
import * as k8s from '../core/k8s';
import { NAMESPACE_NAME_LABEL } from '../core/labels';
import { ANY_ADDRESS, type DeclaredFlow } from '../core/flows';
import { API_SERVER_PORTS, apiServerEgressRule } from '../core/network-policies';

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
  const drivers = sparkRoles('driver');
  const executors = sparkRoles('executor');
  const policy = (id: string, name: string, spec: k8s.NetworkPolicySpec) =>
    new k8s.KubeNetworkPolicy(scope, id, { metadata: { name, namespace }, spec });
  const driverPorts = [tcp(SPARK_PORTS.driverRpc), tcp(SPARK_PORTS.blockManager)];
  const blockManager = [tcp(SPARK_PORTS.blockManager)];

  // Executors call the driver (RPC and its block manager); the driver and other executors fetch blocks from an
  // executor's block manager. Each role admits exactly those peers and ports.
  const policies = [
    policy('allow-driver-executor', 'spark-allow-driver-executor', {
      podSelector: drivers,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: executors }], ports: driverPorts }],
      egress: [{ to: [{ podSelector: executors }], ports: blockManager }],
    }),
    policy('allow-executor-traffic', 'spark-allow-executor-traffic', {
      podSelector: executors,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: sparkPods }], ports: blockManager }],
      egress: [
        { to: [{ podSelector: drivers }], ports: driverPorts },
        { to: [{ podSelector: executors }], ports: blockManager },
      ],
    }),
    policy('allow-api-server', 'spark-allow-driver-api-server', {
      podSelector: drivers,
      policyTypes: ['Egress'],
      // The API server ports to any address, like every namespace of the platform (see apiServerEgressRule).
      egress: [apiServerEgressRule()],
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

/**
 * The flows Spark jobs of a namespace need, for `declareFlow` by each job (the policies above allow them):
 * executors to the driver (RPC 7078, block manager 7079), driver and executors to executors' block managers,
 * the driver to the API server (it creates the executor pods), driver and executors to Azure Storage and to
 * HDFS on the node addresses (HDFS uses the host network), and the UI peers to the driver.
 */
export function sparkJobFlows(inputs: SparkNetworkInputs): DeclaredFlow[] {
  const pods = (role: 'driver' | 'executor') => ({ namespace: inputs.namespace, podLabels: { [SPARK_ROLE_LABEL]: role } });
  const flows: DeclaredFlow[] = [
    { purpose: 'spark executors to the driver RPC endpoint', from: pods('executor'), to: pods('driver'), port: SPARK_PORTS.driverRpc },
    { purpose: 'spark executors to the driver block manager', from: pods('executor'), to: pods('driver'), port: SPARK_PORTS.blockManager },
    { purpose: 'spark driver to the executors\' block managers', from: pods('driver'), to: pods('executor'), port: SPARK_PORTS.blockManager },
    { purpose: 'spark executors to other executors\' block managers (shuffle)', from: pods('executor'), to: pods('executor'), port: SPARK_PORTS.blockManager },
    ...API_SERVER_PORTS.map((port) => ({ purpose: 'spark driver to the API server (creates executor pods)', from: pods('driver'), to: { cidr: ANY_ADDRESS }, port })),
  ];
  for (const role of ['driver', 'executor'] as const) {
    for (const cidr of inputs.azureStorageCidrs) flows.push({ purpose: `spark ${role} to Azure Storage (ABFS) and Entra ID`, from: pods(role), to: { cidr }, port: 443 });
    for (const cidr of inputs.hdfs?.nodeCidrs ?? []) {
      for (const port of inputs.hdfs!.ports) flows.push({ purpose: `spark ${role} to HDFS on the nodes (host network)`, from: pods(role), to: { cidr }, port });
    }
  }
  for (const namespace of inputs.uiAccessFrom?.namespaces ?? []) {
    flows.push({ purpose: 'spark UI access from a configured namespace', from: { namespace, podLabels: {} }, to: pods('driver'), port: SPARK_PORTS.ui });
  }
  for (const cidr of inputs.uiAccessFrom?.cidrs ?? []) {
    flows.push({ purpose: 'spark UI access from a configured address range', from: { cidr }, to: pods('driver'), port: SPARK_PORTS.ui });
  }
  return flows;
}
