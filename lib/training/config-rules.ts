/**
 * Semantic rules of the training section: references to the namespace, identity and GPU pool, and jobs that
 * could never be scheduled (GPUs without a GPU pool, more GPUs than a node, the pool or the quota holds).
 */
import { parseQuantity } from '../core/quantity';
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { ClusterConfig, PlatformConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import { workloadFeasibility, PodGroup } from '../core/feasibility';
import { TrainingConfig, TrainingJobConfig, trainingGpuPoolName, trainingJobSize } from './config';

type SectionCheck = (section: TrainingConfig, path: ConfigPath, cluster: ClusterConfig, config: PlatformConfig) => RuleViolation[];

/** Runs `check` on every cluster with a training section (own loop: importing `perCluster` would be circular). */
function perSection(check: SectionCheck): ConfigRule {
  return (config) => Object.entries(config.clusters).flatMap(([name, cluster]) =>
    cluster.training ? check(cluster.training, ['clusters', name, 'training'], cluster, config) : []);
}

/** Runs `check` on every job of every training section. */
function perJob(check: (job: TrainingJobConfig, path: ConfigPath, section: TrainingConfig, cluster: ClusterConfig) => RuleViolation[]): ConfigRule {
  return perSection((section, path, cluster) => Object.entries(section.jobs).flatMap(([name, job]) => check(job, [...path, 'jobs', name], section, cluster)));
}

const namespaceExists = perSection((section, path, cluster) => cluster.namespaces[section.namespace] ? [] : [{
  path: [...path, 'namespace'],
  message: `namespace '${section.namespace}' is not under namespaces of this cluster; add it there (with a requests.nvidia.com/gpu quota)`,
}]);

const identityExists = perSection((section, path, _cluster, config) => section.identity === undefined || config.identities[section.identity] ? [] : [{
  path: [...path, 'identity'],
  message: `identity '${section.identity}' is not under identities; use one of: ${Object.keys(config.identities).sort().join(', ') || '(none)'}`,
}]);

const gpuPoolIsAGpuPool = perSection((section, path, cluster) => {
  if (section.gpuPool !== undefined) {
    const pool = cluster.nodePools[section.gpuPool];
    if (!pool) return [{ path: [...path, 'gpuPool'], message: `node pool '${section.gpuPool}' is not under nodePools of this cluster` }];
    if (pool.gpusPerNode === undefined) return [{ path: [...path, 'gpuPool'], message: `node pool '${section.gpuPool}' has no gpusPerNode; pick a GPU pool or set gpusPerNode on it` }];
    return [];
  }
  const gpuPools = Object.keys(cluster.nodePools).filter((name) => cluster.nodePools[name].gpusPerNode !== undefined);
  return gpuPools.length > 1 ? [{ path: [...path, 'gpuPool'], message: `the cluster has several GPU pools (${gpuPools.join(', ')}); set gpuPool to the one training uses` }] : [];
});

const cpuPoolIsACpuPool = perSection((section, path, cluster) => {
  if (section.cpuPool === undefined) return [];
  const pool = cluster.nodePools[section.cpuPool];
  if (!pool) return [{ path: [...path, 'cpuPool'], message: `node pool '${section.cpuPool}' is not under nodePools of this cluster (known: ${Object.keys(cluster.nodePools).sort().join(', ')})` }];
  if (pool.mode === 'System' || pool.gpusPerNode !== undefined) {
    return [{ path: [...path, 'cpuPool'], message: `node pool '${section.cpuPool}' is a ${pool.mode === 'System' ? 'System' : 'GPU'} pool; CPU-only replicas run on a User pool without GPUs` }];
  }
  return [];
});

const replicasAreComplete = perJob((job, path) => {
  if (!job.master && !job.workers) return [{ path, message: 'a job needs a master, workers, or both' }];
  if (!job.master && !job.elastic) return [{ path: [...path, 'workers'], message: 'workers without a master: a non-elastic PyTorchJob needs a Master (rank 0); add master or set elastic' }];
  return [];
});

const gpusFitThePool = perJob((job, path, section, cluster) => {
  const { gpus } = trainingJobSize(job);
  if (gpus === 0) return [];
  const poolName = trainingGpuPoolName(section, cluster.nodePools);
  const pool = poolName === undefined ? undefined : cluster.nodePools[poolName];
  if (!pool?.gpusPerNode) {
    return section.gpuPool === undefined ? [{ path, message: `the job requests ${gpus} GPU(s) but the cluster has no node pool with gpusPerNode; add a GPU pool (mode User, minCount 0, taint sku=gpu:NoSchedule)` }] : [];
  }
  const perNode = pool.gpusPerNode;
  const violations: RuleViolation[] = (['master', 'workers'] as const).flatMap((role) => {
    const replicaGpus = job[role]?.gpus ?? 0;
    return replicaGpus > perNode ? [{ path: [...path, role, 'gpus'], message: `${replicaGpus} GPUs per pod exceed the ${perNode} GPU(s) per node of pool '${poolName}'; the pod could never be scheduled` }] : [];
  });
  const capacity = perNode * pool.maxCount;
  if (gpus > capacity) violations.push({ path, message: `the job needs ${gpus} GPUs but pool '${poolName}' holds at most ${capacity} (${pool.maxCount} nodes x ${perNode}); raise maxCount or use fewer workers` });
  const quota = (cluster.namespaces[section.namespace]?.quota ?? cluster.namespaceDefaults.quota)['requests.nvidia.com/gpu'];
  if (quota !== undefined && gpus > parseQuantity(quota)) {
    violations.push({ path, message: `the job needs ${gpus} GPUs but namespace '${section.namespace}' allows ${quota} (quota requests.nvidia.com/gpu)` });
  }
  return violations;
});

const sharedMemoryFitsMemory = perJob((job, path) => {
  const shm = parseQuantity(job.sharedMemory ?? '2Gi');
  return (['master', 'workers'] as const).flatMap((role) => {
    const replica = job[role];
    return replica && shm >= parseQuantity(replica.memory) ? [{
      path: [...path, 'sharedMemory'],
      message: `sharedMemory (${job.sharedMemory ?? '2Gi'}) must be less than ${role}.memory (${replica.memory}): the in-memory /dev/shm counts against the memory limit`,
    }] : [];
  });
});

const elasticBounds = perJob((job, path) => {
  if (!job.elastic) return [];
  const { minReplicas, maxReplicas } = job.elastic;
  if (minReplicas > maxReplicas) return [{ path: [...path, 'elastic', 'minReplicas'], message: `minReplicas (${minReplicas}) must be <= maxReplicas (${maxReplicas})` }];
  const workers = job.workers?.replicas ?? 0;
  return workers < minReplicas || workers > maxReplicas ? [{ path: [...path, 'workers', 'replicas'], message: `workers.replicas (${workers}) must be between elastic.minReplicas (${minReplicas}) and elastic.maxReplicas (${maxReplicas})` }] : [];
});

const gangFitsTheJob = perJob((job, path) => {
  const minAvailable = job.gangScheduling?.minAvailable;
  const { pods } = trainingJobSize(job);
  return minAvailable !== undefined && minAvailable > pods ? [{ path: [...path, 'gangScheduling', 'minAvailable'], message: `minAvailable (${minAvailable}) exceeds the job's ${pods} pod(s); the gang could never start` }] : [];
});

/** Each job alone fits the LimitRange maximum and quota of the training namespace, and its pool. */
const jobsFit = perJob((job, path, section, cluster) => {
  const gpuPool = trainingGpuPoolName(section, cluster.nodePools);
  const groups: PodGroup[] = (['master', 'workers'] as const).flatMap((role) => {
    const replica = job[role];
    if (!replica) return [];
    const count = role === 'master' ? 1 : Math.max(job.workers!.replicas, job.elastic?.maxReplicas ?? 0);
    const size = { cpu: parseQuantity(replica.cpu), memory: parseQuantity(replica.memory) };
    const pool = (replica.gpus ?? 0) > 0 ? gpuPool : section.cpuPool;
    return [{ what: `a ${role === 'master' ? 'master' : 'worker'} pod (${replica.cpu} CPU, ${replica.memory})`, count, request: size, limit: size, at: [...path, role], pool }];
  });
  return workloadFeasibility(cluster, path.slice(0, 2), section.namespace, `the job`, path, groups);
});

/** The checks PyTorchJob makes on its props, at config time. */
const jobsFitTheirConstruct = perJob((job, path) => {
  const violations: RuleViolation[] = [];
  if (/:latest$/.test(job.image)) violations.push({ path: [...path, 'image'], message: `"${job.image}" is pinned to latest, which moves; pin a version tag or a digest such as registry.example/train:1.2.0` });
  for (const key of Object.keys(job.secretEnv ?? {})) {
    if (job.env?.[key] !== undefined) violations.push({ path: [...path, 'secretEnv', key], message: `${key} is also set under env; keep one of them` });
  }
  return violations;
});

/** The training rules, spread into CONFIG_RULES. */
export const TRAINING_RULES: readonly ConfigRule[] = [
  namespaceExists,
  identityExists,
  gpuPoolIsAGpuPool,
  cpuPoolIsACpuPool,
  replicasAreComplete,
  gpusFitThePool,
  sharedMemoryFitsMemory,
  elasticBounds,
  gangFitsTheJob,
  jobsFit,
  jobsFitTheirConstruct,
];
