/**
 * Single-workload feasibility: can the pods of one workload (a training job, a Spark job, a model at its maximum
 * replicas, a microservice) ever run, given the namespace's LimitRange maximum and ResourceQuota, and the node
 * pool's VM size and maximum node count? Each check is one a scheduler or admission controller would apply
 * later, silently (a pending pod, a rejected pod); here it is a config error. Sums over several workloads of a
 * namespace are another rule's business.
 */
import type { RuleViolation } from '../config/rules';
import type { ClusterConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import { parseQuantity } from './quantity';
import { vmSize } from './vm-sizes';

/** Pods of one shape in a workload. */
export interface PodGroup {
  /** How messages name one pod ("a worker pod"). */
  readonly what: string;
  readonly count: number;
  readonly request: { readonly cpu: number; readonly memory: number };
  readonly limit: { readonly cpu: number; readonly memory: number };
  /** Config path of the group's resource settings. */
  readonly at: ConfigPath;
  /** Node pool the pods run on, if pinned to one. */
  readonly pool?: string;
}

const GiB = 2 ** 30;
const cpuText = (cores: number) => `${Number(cores.toFixed(3))} CPU`;
const memoryText = (bytes: number) => `${Number((bytes / GiB).toFixed(2))}Gi`;

/**
 * Violations for a workload of `groups` in `namespace`: a pod above the LimitRange maximum (never admitted) or
 * above a node of its pool (never scheduled); the workload's total above the namespace quota (never all admitted)
 * or above its pool at maxCount (never all scheduled). `workload` names it ("the job", "model 'iris' at maxReplicas").
 */
export function workloadFeasibility(cluster: ClusterConfig, clusterPath: ConfigPath, namespace: string, workload: string, workloadPath: ConfigPath, groups: readonly PodGroup[]): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const ns = cluster.namespaces[namespace];
  if (!ns) return []; // another rule reports the unknown namespace
  const max = ns.containerDefaults?.max ?? (ns.containerDefaults ? undefined : cluster.namespaceDefaults.containerDefaults.max);
  const maxPath = ns.containerDefaults ? [...clusterPath, 'namespaces', namespace, 'containerDefaults', 'max'] : [...clusterPath, 'namespaceDefaults', 'containerDefaults', 'max'];
  for (const group of groups) {
    if (max) {
      if (group.limit.cpu > parseQuantity(max.cpu)) {
        violations.push({ path: group.at, message: `${group.what} has a CPU limit of ${cpuText(group.limit.cpu)}, above the maximum ${max.cpu} of namespace '${namespace}' (LimitRange, ${maxPath.join('.')}): the pod would never be admitted; lower it or raise the maximum` });
      }
      if (group.limit.memory > parseQuantity(max.memory)) {
        violations.push({ path: group.at, message: `${group.what} has a memory limit of ${memoryText(group.limit.memory)}, above the maximum ${max.memory} of namespace '${namespace}' (LimitRange, ${maxPath.join('.')}): the pod would never be admitted; lower it or raise the maximum` });
      }
    }
    const pool = group.pool === undefined ? undefined : cluster.nodePools[group.pool];
    const size = pool && vmSize(pool.vmSize);
    if (pool && size) {
      if (group.request.cpu > size.vcpus) {
        violations.push({ path: group.at, message: `${group.what} requests ${cpuText(group.request.cpu)}, more than a node of pool '${group.pool}' has (${pool.vmSize}: ${size.vcpus} vCPUs): the pod could never be scheduled; lower it or use a larger VM size` });
      }
      if (group.request.memory > size.memoryGiB * GiB) {
        violations.push({ path: group.at, message: `${group.what} requests ${memoryText(group.request.memory)} of memory, more than a node of pool '${group.pool}' has (${pool.vmSize}: ${size.memoryGiB}Gi): the pod could never be scheduled; lower it or use a larger VM size` });
      }
    }
  }
  const quota = ns.quota ?? cluster.namespaceDefaults.quota;
  const quotaPath = [...clusterPath, 'namespaces', namespace, 'quota'];
  const total = (pick: (g: PodGroup) => number) => groups.reduce((sum, g) => sum + g.count * pick(g), 0);
  const sums: readonly [keyof typeof quota, number, (n: number) => string][] = [
    ['requests.cpu', total((g) => g.request.cpu), cpuText],
    ['limits.cpu', total((g) => g.limit.cpu), cpuText],
    ['requests.memory', total((g) => g.request.memory), memoryText],
    ['limits.memory', total((g) => g.limit.memory), memoryText],
  ];
  for (const [key, needed, text] of sums) {
    const hard = quota[key];
    if (hard !== undefined && needed > parseQuantity(hard as string)) {
      violations.push({ path: workloadPath, message: `${workload} needs ${text(needed)} (${key}) for its ${total(() => 1)} pod(s), more than namespace '${namespace}' allows (quota ${key}: ${hard}${ns.quota ? '' : ', from namespaceDefaults'}): its pods would never all be admitted; lower it or raise ${quotaPath.join('.')}` });
    }
  }
  const pods = total(() => 1);
  if (quota.pods !== undefined && pods > quota.pods) {
    violations.push({ path: workloadPath, message: `${workload} needs ${pods} pods, more than namespace '${namespace}' allows (quota pods: ${quota.pods})` });
  }
  for (const poolName of new Set(groups.map((g) => g.pool).filter((p): p is string => p !== undefined))) {
    const pool = cluster.nodePools[poolName];
    const size = pool && vmSize(pool.vmSize);
    if (!pool || !size) continue;
    const onPool = groups.filter((g) => g.pool === poolName);
    const cpu = onPool.reduce((sum, g) => sum + g.count * g.request.cpu, 0);
    const memory = onPool.reduce((sum, g) => sum + g.count * g.request.memory, 0);
    if (cpu > size.vcpus * pool.maxCount || memory > size.memoryGiB * GiB * pool.maxCount) {
      violations.push({ path: workloadPath, message: `${workload} requests ${cpuText(cpu)} and ${memoryText(memory)} on pool '${poolName}', more than its ${pool.maxCount} node(s) of ${pool.vmSize} (${size.vcpus} vCPUs, ${size.memoryGiB}Gi each) hold at maxCount: its pods would never all be scheduled; raise maxCount or lower the request` });
    }
  }
  return violations;
}
