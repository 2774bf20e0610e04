/** Placement of pods on an AKS node pool: node selector, tolerations and guards against system and GPU pools. */
import * as k8s from './k8s';

/** Label AKS puts on every node with the name of its pool. */
export const AKS_AGENT_POOL_LABEL = 'kubernetes.azure.com/agentpool';
/** Label AKS puts on every node with the mode of its pool (`system` or `user`). */
export const AKS_MODE_LABEL = 'kubernetes.azure.com/mode';
/** Label AKS puts on GPU nodes (`nvidia`). */
export const AKS_ACCELERATOR_LABEL = 'kubernetes.azure.com/accelerator';
/** Node label with the node's host name: the topology key of "same node". */
export const HOSTNAME_TOPOLOGY_KEY = 'kubernetes.io/hostname';

/** AKS node pool modes, each value as AKS spells it. */
export enum NodePoolMode {
  /** Runs kube-system; keeps at least one node. */
  SYSTEM = 'System',
  /** Runs workloads; can scale to zero. */
  USER = 'User',
}

/** The facts about an AKS node pool that decide where pods may run. */
export interface NodePoolPlacement {
  /** Pool name (the value of the `kubernetes.azure.com/agentpool` node label). */
  readonly name: string;
  /** Pool mode. */
  readonly mode: NodePoolMode;
  /** Nodes the autoscaler keeps at minimum. */
  readonly minCount: number;
  /**
   * Node taints as AKS takes them (`key=value:Effect`); pods on the pool tolerate each.
   * @default - no taints
   */
  readonly taints?: readonly string[];
  /**
   * GPUs per node; set only on GPU pools.
   * @default - not a GPU pool
   */
  readonly gpusPerNode?: number;
}

const TAINT = /^([^=:]+)=([^:]*):(NoSchedule|PreferNoSchedule|NoExecute)$/;

/** The node selector that pins pods to the pool. */
export function poolNodeSelector(pool: NodePoolPlacement): { [key: string]: string } {
  return { [AKS_AGENT_POOL_LABEL]: pool.name };
}

/** One toleration per taint of the pool (exact key, value and effect). */
export function poolTolerations(pool: NodePoolPlacement): k8s.Toleration[] | undefined {
  const tolerations = (pool.taints ?? []).map((taint) => {
    const match = TAINT.exec(taint);
    if (!match) throw new Error(`node pool '${pool.name}': taint "${taint}" is not key=value:Effect`);
    return { key: match[1], operator: 'Equal', value: match[2], effect: match[3] };
  });
  return tolerations.length > 0 ? tolerations : undefined;
}

/**
 * Required node affinity that keeps pods off system and GPU nodes whatever the node selector says: a second
 * guard, so a pool that later gains GPUs or system mode cannot receive the pods.
 */
export function notOnSystemOrGpuNodes(): k8s.NodeAffinity {
  return {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{
        matchExpressions: [
          { key: AKS_MODE_LABEL, operator: 'NotIn', values: ['system'] },
          { key: AKS_ACCELERATOR_LABEL, operator: 'DoesNotExist' },
        ],
      }],
    },
  };
}

/** True when the pool runs kube-system or has GPUs: no place for data or compute daemons. */
export function isSystemOrGpuPool(pool: NodePoolPlacement): boolean {
  return pool.mode === NodePoolMode.SYSTEM || pool.gpusPerNode !== undefined;
}

/**
 * Preferred pod affinity onto the node of the pods that `labels` select in `namespace`: the scheduler places the
 * pod there when it fits, elsewhere when that node is full (a required affinity to a single pod would pin every
 * such pod to one node and leave the rest Pending).
 */
export function preferredCoLocation(target: { readonly namespace: string; readonly labels: { readonly [key: string]: string } }, weight = 100): k8s.PodAffinity {
  return {
    preferredDuringSchedulingIgnoredDuringExecution: [{
      weight,
      podAffinityTerm: { labelSelector: { matchLabels: { ...target.labels } }, namespaces: [target.namespace], topologyKey: HOSTNAME_TOPOLOGY_KEY },
    }],
  };
}

/** Required pod affinity onto the node of the pods that `labels` select in `namespace`. */
export function requiredCoLocation(target: { readonly namespace: string; readonly labels: { readonly [key: string]: string } }): k8s.PodAffinity {
  return {
    requiredDuringSchedulingIgnoredDuringExecution: [{
      labelSelector: { matchLabels: { ...target.labels } },
      namespaces: [target.namespace],
      topologyKey: HOSTNAME_TOPOLOGY_KEY,
    }],
  };
}
