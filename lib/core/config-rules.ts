/** Semantic config rules of the core sections: namespaces, node pools, container defaults. */
import { ConfigRule, perCluster, RuleViolation } from '../config/rules';
import { TAINT_PATTERN } from './node-pools-config';
import { parseQuantity } from './quantity';

const podSecurityNeedsReason = perCluster((cluster, path) =>
  Object.entries(cluster.namespaces).flatMap(([name, ns]) => {
    const level = ns.podSecurity?.level ?? 'restricted';
    if (level === 'restricted' || ns.podSecurity?.reason) return [];
    return [{
      path: [...path, 'namespaces', name, 'podSecurity', 'reason'],
      message: `Pod Security level '${level}' needs a 'reason' that says why 'restricted' is not enough (or set level: restricted)`,
    }];
  }));

const nodePoolScaleRange = perCluster((cluster, path) =>
  Object.entries(cluster.nodePools).flatMap(([name, pool]) => pool.minCount <= pool.maxCount ? [] : [{
    path: [...path, 'nodePools', name, 'minCount'],
    message: `minCount (${pool.minCount}) must be <= maxCount (${pool.maxCount})`,
  }]));

const oneSystemPool = perCluster((cluster, path) => {
  const system = Object.values(cluster.nodePools).filter((pool) => pool.mode === 'System');
  const zeroMin = Object.entries(cluster.nodePools).filter(([, pool]) => pool.mode === 'System' && pool.minCount < 1);
  const violations: RuleViolation[] = zeroMin.map(([name]) => ({
    path: [...path, 'nodePools', name, 'minCount'],
    message: 'a System pool must keep at least 1 node (AKS cannot scale a System pool to zero)',
  }));
  if (system.length === 0) {
    violations.push({ path: [...path, 'nodePools'], message: 'at least one pool must have mode: System (AKS runs kube-system there)' });
  }
  return violations;
});

const gpuPoolsAreTaintedUserPools = perCluster((cluster, path) =>
  Object.entries(cluster.nodePools).flatMap(([name, pool]) => {
    if (pool.gpusPerNode === undefined) return [];
    const violations: RuleViolation[] = [];
    if (pool.mode !== 'User') {
      violations.push({ path: [...path, 'nodePools', name, 'mode'], message: 'a GPU pool (gpusPerNode set) must have mode: User so it can scale to zero and keeps system pods off GPUs' });
    }
    const noSchedule = (pool.taints ?? []).some((taint) => new RegExp(TAINT_PATTERN).exec(taint)?.[3] === 'NoSchedule');
    if (!noSchedule) {
      violations.push({ path: [...path, 'nodePools', name, 'taints'], message: 'a GPU pool (gpusPerNode set) needs a NoSchedule taint such as sku=gpu:NoSchedule, or any pod may land on the expensive nodes and keep them from scaling to zero' });
    }
    return violations;
  }));

const requestsWithinLimits = perCluster((cluster, path) => {
  const sets = [
    { at: [...path, 'namespaceDefaults', 'containerDefaults'], value: cluster.namespaceDefaults.containerDefaults },
    ...Object.entries(cluster.namespaces).map(([name, ns]) => ({ at: [...path, 'namespaces', name, 'containerDefaults'], value: ns.containerDefaults })),
  ];
  return sets.flatMap(({ at, value }) => {
    if (!value) return [];
    return (['cpu', 'memory'] as const).flatMap((resource) => {
      const violations: RuleViolation[] = [];
      if (parseQuantity(value.request[resource]) > parseQuantity(value.limit[resource])) {
        violations.push({ path: [...at, 'request', resource], message: `default request ${value.request[resource]} must be <= default limit ${value.limit[resource]}` });
      }
      if (value.max && parseQuantity(value.limit[resource]) > parseQuantity(value.max[resource])) {
        violations.push({ path: [...at, 'limit', resource], message: `default limit ${value.limit[resource]} must be <= max ${value.max[resource]}` });
      }
      return violations;
    });
  });
});

/** The core rules, listed in `lib/config/platform-rules.ts`. */
export const CORE_RULES: readonly ConfigRule[] = [
  podSecurityNeedsReason,
  nodePoolScaleRange,
  oneSystemPool,
  gpuPoolsAreTaintedUserPools,
  requestsWithinLimits,
];
