/**
 * Scheduling: every pod can land on a node pool of its cluster. Node selectors and required node affinity
 * match the pool's labels (including the ones AKS sets), tolerations cover its NoSchedule/NoExecute taints,
 * the pod's requests fit one node of the pool's VM size (allocatable, see lib/core/vm-sizes.ts, less the requests of
 * the modelled DaemonSet pods that land on every node of the pool, such as the HDFS datanode), GPUs per pod are at
 * most the pool's gpusPerNode, and every extended resource (nvidia.com/gpu) is made allocatable by a device
 * plugin installed in an earlier folder that itself lands on that pool (kubernetes v1.31 scheduler plugins
 * NodeAffinity, TaintToleration, NodeResourcesFit; learn.microsoft.com/azure/aks/gpu-cluster).
 * Pod (anti-)affinity, topology spread and node capacity taken by other pods are outside the model.
 */
import { ClusterModel } from './cluster-model';
import { fault } from './fault';
import { modelPods, ModeledPod } from './pod-model';
import { formatAmount, limitRangeOf, podResources } from './resources';
import { PoolFacts, VerifyFault, VerifyRule } from './types';
import { allocatable, vmSize } from '../core/vm-sizes';

const SCHEDULER_UPSTREAM = 'kubernetes v1.31 pkg/scheduler/framework/plugins (nodeaffinity, tainttoleration, noderesources): a pod no node fits stays Pending';

interface Toleration { key?: string; operator?: string; value?: string; effect?: string }
interface Requirement { key: string; operator: string; values?: string[] }

function tolerates(tolerations: Toleration[], taint: { key: string; value: string; effect: string }): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === taint.value;
  });
}

function matches(requirement: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'In': return value !== undefined && (requirement.values ?? []).includes(value);
    case 'NotIn': return value === undefined || !(requirement.values ?? []).includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && Number(value) > Number(requirement.values?.[0]);
    case 'Lt': return value !== undefined && Number(value) < Number(requirement.values?.[0]);
    default: return false;
  }
}

/** Why a pod cannot land on a pool, or undefined when its labels and taints let it. */
function placementProblem(pod: ModeledPod, pool: PoolFacts): string | undefined {
  for (const [key, value] of Object.entries((pod.spec.nodeSelector as Record<string, string> | undefined) ?? {})) {
    if (pool.labels[key] !== value) return `nodeSelector ${key}=${value} does not match (pool has ${key}=${pool.labels[key] ?? '(unset)'})`;
  }
  const terms: { matchExpressions?: Requirement[] }[] | undefined = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0 && !terms.some((term) => (term.matchExpressions ?? []).every((r) => matches(r, pool.labels)))) {
    return 'required node affinity matches none of its labels';
  }
  const untolerated = pool.taints.filter((t) => t.effect !== 'PreferNoSchedule' && !tolerates(pod.spec.tolerations ?? [], t));
  if (untolerated.length > 0) return `taint ${untolerated.map((t) => `${t.key}=${t.value}:${t.effect}`).join(', ')} is not tolerated`;
  return undefined;
}

/** The pools whose labels and taints admit the pod. */
export function poolsForPod(model: ClusterModel, pod: ModeledPod): PoolFacts[] {
  return model.cluster.facts.pools.filter((pool) => placementProblem(pod, pool) === undefined);
}

export const schedulingRule: VerifyRule = (cluster) => {
  const model = ClusterModel.of(cluster);
  const faults: VerifyFault[] = [];
  const pods = modelPods(model);
  const pools = cluster.facts.pools;
  // What the DaemonSets that land on a pool take of each of its nodes.
  const daemonSets = new Map(pools.map((pool) => {
    const on = pods.filter((p) => p.perNode && placementProblem(p, pool) === undefined);
    const taken = on.map((p) => ({ pod: p, requests: podResources(p, limitRangeOf(model, p.namespace)).requests }));
    return [pool.name, {
      cpu: taken.reduce((sum, t) => sum + (t.requests.cpu ?? 0), 0),
      memory: taken.reduce((sum, t) => sum + (t.requests.memory ?? 0), 0),
      what: taken.filter((t) => (t.requests.cpu ?? 0) > 0 || (t.requests.memory ?? 0) > 0).map((t) => `${t.pod.owner.obj.kind} ${t.pod.namespace}/${t.pod.owner.obj.metadata.name}`),
    }];
  }));
  for (const pod of pods) {
    if (pod.perNode) continue; // DaemonSets run where they can; the device plugin is checked below.
    const { requests } = podResources(pod, limitRangeOf(model, pod.namespace));
    const problems: string[] = [];
    let fits = false;
    for (const pool of pools) {
      const placement = placementProblem(pod, pool);
      if (placement) { problems.push(`${pool.name}: ${placement}`); continue; }
      const size = vmSize(pool.vmSize);
      if (!size) { problems.push(`${pool.name}: VM size ${pool.vmSize} is not in lib/core/vm-sizes.ts`); continue; }
      const node = allocatable(size);
      const daemons = daemonSets.get(pool.name)!;
      const less = daemons.what.length > 0 ? ` less DaemonSet pods ${daemons.what.join(', ')}` : '';
      const gpus = requests['nvidia.com/gpu'] ?? 0;
      const tooBig: string[] = [];
      if ((requests.cpu ?? 0) > node.cpu - daemons.cpu + 1e-9) tooBig.push(`cpu ${formatAmount('cpu', requests.cpu)} > ${formatAmount('cpu', node.cpu - daemons.cpu)} (${formatAmount('cpu', node.cpu)} allocatable${less})`);
      if ((requests.memory ?? 0) > node.memory - daemons.memory) tooBig.push(`memory ${formatAmount('memory', requests.memory)} > ${formatAmount('memory', node.memory - daemons.memory)} (${formatAmount('memory', node.memory)} allocatable${less})`);
      const perNode = pool.gpusPerNode ?? 0;
      if (gpus > perNode) tooBig.push(`nvidia.com/gpu ${gpus} > ${perNode} per node (gpusPerNode)`);
      if (tooBig.length > 0) { problems.push(`${pool.name} (${pool.vmSize}): ${tooBig.join(', ')}`); continue; }
      fits = true;
    }
    if (!fits) {
      faults.push(fault(cluster, 'scheduling', pod.owner, {
        message: `pods of ${pod.template} fit no node pool and stay Pending: ${problems.join('; ')}`,
        upstream: `${SCHEDULER_UPSTREAM}; pool labels, taints and VM sizes from cluster-facts.json`,
        fix: 'fix the nodeSelector/affinity/tolerations or the requests, or add a node pool that fits',
      }));
    }
    // Extended resources need a device plugin that runs on the pod's pools and is installed in an earlier folder.
    for (const resource of Object.keys(requests).filter((r) => r.includes('/') && (requests[r] ?? 0) > 0)) {
      const podPools = poolsForPod(model, pod);
      const plugins = model.releases.filter((r) => r.facts?.extendedResources?.includes(resource));
      const earlier = plugins.filter((r) => r.order < pod.owner.order);
      const pluginPods = pods.filter((p) => p.perNode && earlier.some((r) => r === p.owner));
      const covered = podPools.filter((pool) => pluginPods.some((p) => placementProblem(p, pool) === undefined));
      if (earlier.length === 0 || covered.length === 0) {
        faults.push(fault(cluster, 'scheduling', pod.owner, {
          message: earlier.length === 0
            ? `pods of ${pod.template} request ${resource}, but no device plugin for it is installed in a folder before ${pod.owner.folder}${plugins.length ? ` (HelmRelease ${plugins[0].obj.metadata.name} is in folder ${plugins[0].folder})` : ''}: no node advertises ${resource} and the pods stay Pending`
            : `pods of ${pod.template} request ${resource}, but the device plugin's DaemonSet lands on none of their pools (${podPools.map((p) => p.name).join(', ') || 'none'}): no node advertises ${resource}`,
          upstream: 'learn.microsoft.com/azure/aks/gpu-cluster (AKS GPU nodes need the NVIDIA device plugin for nvidia.com/gpu); NVIDIA/k8s-device-plugin v0.20.0 deployments/helm/nvidia-device-plugin',
          fix: 'install the NVIDIA device plugin chart in the operators layer, tolerating the GPU pools\' taints and with node affinity on the GPU pools (operators.nvidiaDevicePlugin)',
        }));
      }
    }
  }
  // Device plugin DaemonSets: on every GPU pool, and only on GPU pools.
  for (const pod of pods.filter((p) => p.perNode && model.releases.some((r) => r === p.owner && r.facts?.extendedResources?.length))) {
    const landsOn = poolsForPod(model, pod);
    const gpuPools = pools.filter((p) => (p.gpusPerNode ?? 0) > 0);
    const missing = gpuPools.filter((p) => !landsOn.includes(p));
    const extra = landsOn.filter((p) => !gpuPools.includes(p));
    if (missing.length > 0 || extra.length > 0) {
      faults.push(fault(cluster, 'scheduling', pod.owner, {
        message: [
          missing.length ? `the device plugin does not run on GPU pool(s) ${missing.map((p) => `${p.name} (${placementProblem(pod, p)})`).join(', ')}` : '',
          extra.length ? `the device plugin also lands on non-GPU pool(s) ${extra.map((p) => p.name).join(', ')}` : '',
        ].filter(Boolean).join('; '),
        upstream: 'NVIDIA/k8s-device-plugin v0.20.0 deployments/helm/nvidia-device-plugin/values.yaml (default affinity needs NFD/GFD labels AKS does not set; tolerations replaced wholesale)',
        fix: 'set the chart values affinity (nodeSelectorTerms on kubernetes.azure.com/agentpool In the GPU pools) and tolerations (the GPU pools\' taints)',
      }));
    }
  }
  return faults;
};
