/**
 * Quota fit: in every namespace with a ResourceQuota, the pods that run at the same time (standing replicas,
 * every job running at once, DaemonSets on every node they can land on) fit the quota's requests, limits,
 * GPU and pod counts, and PVC storage; every container (Spark drivers and executors with their memory
 * overhead included) is within the LimitRange minimum and maximum; a quota on limits needs a limit on every
 * container (kubernetes v1.31 ResourceQuota and LimitRanger admission plugins).
 */
import { parseQuantity } from '../core/quantity';
import { at, ClusterModel } from './cluster-model';
import { fault } from './fault';
import { containersOf, modelPods, ModeledPod } from './pod-model';
import { Amounts, effectiveResources, formatAmount, limitRangeOf, podResources } from './resources';
import { poolsForPod } from './scheduling-rule';
import { VerifyFault, VerifyRule } from './types';

const QUOTA_UPSTREAM = 'kubernetes v1.31 plugin/pkg/admission/resourcequota and limitranger: pods over the quota or the LimitRange bounds are rejected';

/** How many pods of a template run at once at most. */
function podCount(model: ClusterModel, pod: ModeledPod): number {
  if (!pod.perNode) return pod.replicas;
  return poolsForPod(model, pod).reduce((sum, pool) => sum + pool.maxCount, 0);
}

export const quotaFitRule: VerifyRule = (cluster) => {
  const model = ClusterModel.of(cluster);
  const faults: VerifyFault[] = [];
  const pods = modelPods(model);
  for (const quota of model.ofKind('ResourceQuota')) {
    const ns = quota.obj.metadata.namespace!;
    const hard = (at(quota.obj, 'spec', 'hard') as Record<string, string | number> | undefined) ?? {};
    const limitRange = limitRangeOf(model, ns);
    const used: Amounts = {};
    const contributors: Record<string, string[]> = {};
    const bump = (key: string, value: number, who: string) => {
      used[key] = (used[key] ?? 0) + value;
      (contributors[key] ??= []).push(who);
    };
    for (const pod of pods.filter((p) => p.namespace === ns)) {
      const count = podCount(model, pod);
      if (count === 0) continue;
      const who = `${pod.owner.obj.kind}/${pod.owner.obj.metadata.name} ${pod.template} x${count}`;
      const { requests, limits } = podResources(pod, limitRange);
      bump('pods', count, who);
      for (const [r, v] of Object.entries(requests)) {
        bump(`requests.${r}`, v * count, who);
        if (r === 'cpu' || r === 'memory') bump(r, v * count, who);
      }
      for (const [r, v] of Object.entries(limits)) bump(`limits.${r}`, v * count, who);
      // A quota on limits.cpu / limits.memory rejects containers without that limit (after LimitRange defaults).
      for (const key of ['cpu', 'memory']) {
        if (hard[`limits.${key}`] === undefined) continue;
        const missing = containersOf(pod).filter((c) => effectiveResources(c, limitRange).limits[key] === undefined);
        if (missing.length > 0) {
          faults.push(fault(cluster, 'quota-fit', pod.owner, {
            message: `pods of ${pod.template} are rejected in namespace ${ns}: ResourceQuota ${quota.obj.metadata.name} limits limits.${key}, but container(s) ${missing.map((c) => c.name).join(', ')} set no ${key} limit and no LimitRange gives a default`,
            upstream: QUOTA_UPSTREAM, fix: `set resources.limits.${key} on every container, or a LimitRange default`,
          }));
        }
      }
    }
    for (const pvc of model.ofKind('PersistentVolumeClaim').filter((p) => p.obj.metadata.namespace === ns)) {
      bump('persistentvolumeclaims', 1, `PersistentVolumeClaim/${pvc.obj.metadata.name}`);
      const size = at(pvc.obj, 'spec', 'resources', 'requests', 'storage');
      if (size) bump('requests.storage', parseQuantity(size as string), `PersistentVolumeClaim/${pvc.obj.metadata.name}`);
    }
    for (const sts of model.ofKind('StatefulSet').filter((p) => p.obj.metadata.namespace === ns)) {
      const replicas = Number(at(sts.obj, 'spec', 'replicas') ?? 1);
      for (const claim of (at(sts.obj, 'spec', 'volumeClaimTemplates') as any[] | undefined) ?? []) {
        bump('persistentvolumeclaims', replicas, `StatefulSet/${sts.obj.metadata.name} volumeClaimTemplate ${claim.metadata?.name}`);
        const size = claim.spec?.resources?.requests?.storage;
        if (size) bump('requests.storage', parseQuantity(size) * replicas, `StatefulSet/${sts.obj.metadata.name}`);
      }
    }
    for (const [key, limit] of Object.entries(hard)) {
      const value = used[key];
      if (value === undefined) continue;
      const max = parseQuantity(limit);
      if (value > max + 1e-9) {
        faults.push(fault(cluster, 'quota-fit', quota, {
          message: `${key} of the pods and claims that run at once is ${formatAmount(key, value)}, over the quota's ${String(limit)}: the last pods are rejected (${(contributors[key] ?? []).join(', ')})`,
          upstream: QUOTA_UPSTREAM, fix: `raise ${key} of the namespace quota (namespaces.${ns}.quota) or lower the workloads' requests or replicas`,
        }));
      }
    }
  }
  // LimitRange bounds of every container.
  for (const pod of pods) {
    const limitRange = limitRangeOf(model, pod.namespace);
    if (Object.keys(limitRange.max).length === 0 && Object.keys(limitRange.min).length === 0) continue;
    for (const c of containersOf(pod)) {
      const { requests, limits } = effectiveResources(c, limitRange);
      for (const [r, max] of Object.entries(limitRange.max)) {
        const value = Math.max(limits[r] ?? 0, requests[r] ?? 0);
        if (value > max + 1e-9) {
          faults.push(fault(cluster, 'quota-fit', pod.owner, {
            message: `container ${c.name} of ${pod.template} asks for ${r} ${formatAmount(r, value)}, over the maximum ${formatAmount(r, max)} of LimitRange ${limitRange.name} in namespace ${pod.namespace}${c.name.startsWith('spark-kubernetes') ? ' (Spark memory includes memoryOverhead)' : ''}: the pod is rejected`,
            upstream: QUOTA_UPSTREAM, fix: `lower the container's ${r}, or raise the namespace's containerDefaults.max`,
          }));
        }
      }
      for (const [r, min] of Object.entries(limitRange.min)) {
        const value = requests[r];
        if (value !== undefined && value < min - 1e-9) {
          faults.push(fault(cluster, 'quota-fit', pod.owner, {
            message: `container ${c.name} of ${pod.template} requests ${r} ${formatAmount(r, value)}, under the minimum ${formatAmount(r, min)} of LimitRange ${limitRange.name}: the pod is rejected`,
            upstream: QUOTA_UPSTREAM, fix: `raise the container's ${r} request`,
          }));
        }
      }
    }
  }
  return faults;
};
