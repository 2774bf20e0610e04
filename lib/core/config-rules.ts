/** Semantic config rules of the core sections: namespaces, node pools, container defaults. */
import { ConfigRule, perCluster, RuleViolation } from '../config/rules';
import { ConfigPath } from '../config/yaml-positions';
import { credentialsInUrl, secretNameWord, secretValueReason } from './secret-patterns';
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

/** An environment renders its clusters; one without any would replace its part of dist/ with nothing. */
const atLeastOneCluster: ConfigRule = (config) => Object.keys(config.clusters).length > 0 ? [] : [{
  path: ['clusters'],
  message: 'no cluster: an environment needs at least one cluster under clusters (an empty environment would remove its whole output); add a cluster or delete the file',
}];

/**
 * Kubernetes' tested scalability envelope is 10,000 namespaces per cluster (kubernetes/community,
 * sig-scalability/configs-and-limits/thresholds.md). Beyond it the cluster is untested territory, and the
 * rendering (five baseline objects per namespace, about 7 KB of heap per object) heads for the memory ceiling.
 */
export const MAX_NAMESPACES_PER_CLUSTER = 10_000;

const namespaceCeiling = perCluster((cluster, path) => {
  const count = Object.keys(cluster.namespaces).length;
  return count <= MAX_NAMESPACES_PER_CLUSTER ? [] : [{
    path: [...path, 'namespaces'],
    message: `${count} namespaces, more than ${MAX_NAMESPACES_PER_CLUSTER}, the tested limit of one Kubernetes cluster (SIG Scalability thresholds); split them over more clusters`,
  }];
});

/** How to give the credentials of a URL instead, by where the URL is. */
function urlCredentialsHint(path: ConfigPath): string {
  const at = path.join('.');
  if (at === 'gitops.repository.url') return 'put them in a Secret created at bootstrap, outside dist/, and name it in gitops.repository.secretName';
  if (/\.airflow\.dags\.repository$/.test(at)) return 'put them in a Secret created outside dist/ and name it in airflow.dags.credentialsSecret';
  if (/\.operators\./.test(at)) return 'use a public chart repository, or give Flux the credentials in a Secret created outside dist/ (HelmRepository spec.secretRef; not rendered by this config)';
  return 'keep them in a Secret created outside dist/ (or use Azure Workload Identity through an identity) and leave the URL without user info';
}

/** How to give a secret environment variable instead. */
function envHint(path: ConfigPath, name: string): string {
  const owner = path.slice(0, -2).join('.');
  const secretEnv = /\.(training\.jobs|serving\.microservices)\.[^.]+$/.test(owner)
    ? ` and reference it with secretEnv: { ${name}: { secretName: <secret>, key: <key> } } instead of env`
    : '';
  return `put the value in a Secret created outside dist/ (kubectl create secret generic ...)${secretEnv}; Azure resources need no secret at all with Workload Identity`;
}

/**
 * No secret reaches dist/: every string of the config is checked for credentials in URLs and known token
 * formats, and every `env` map for names that hold secrets. The messages never repeat the secret.
 */
const noSecretsInConfig: ConfigRule = (config) => {
  const violations: RuleViolation[] = [];
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      const url = credentialsInUrl(value);
      if (url) {
        violations.push({ path, message: `${url}; credentials in the config are written to dist/ and committed. Remove them from the URL and ${urlCredentialsHint(path)}` });
        return;
      }
      const reason = secretValueReason(value);
      if (reason) violations.push({ path, message: `${reason}; secrets in the config are written to dist/ and committed. Remove it and ${envHint(path, String(path[path.length - 1]))}` });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...path, i]));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, key];
      const word = path[path.length - 1] === 'env' ? secretNameWord(key) : undefined;
      if (word && typeof child === 'string' && child !== '' && !secretValueReason(child)) {
        violations.push({ path: at, message: `the environment variable '${key}' looks like a secret (its name contains ${word}); env values are written to dist/ in plain text. ${envHint(at, key)[0].toUpperCase()}${envHint(at, key).slice(1)}` });
        continue;
      }
      visit(child, at);
    }
  };
  visit(config, []);
  return violations;
};

/** The core rules, listed in `lib/config/platform-rules.ts`. */
export const CORE_RULES: readonly ConfigRule[] = [
  atLeastOneCluster,
  namespaceCeiling,
  podSecurityNeedsReason,
  nodePoolScaleRange,
  oneSystemPool,
  gpuPoolsAreTaintedUserPools,
  requestsWithinLimits,
  noSecretsInConfig,
];
