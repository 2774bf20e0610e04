/**
 * Semantic rules of the notebooks section: namespace, identity, pools (GPU profiles only where the cluster has a
 * GPU pool), one default profile, the pinned chart, and the Kafka client and Spark namespace it refers to.
 */
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { ClusterConfig, PlatformConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import type { NotebooksConfig } from './config';
import { callbackHost, servedHosts } from '../serving/config-routes';
import { allocatable, vmSize } from '../core/vm-sizes';
import { parseQuantity } from '../core/quantity';
import { podCharge, standingPods } from '../core/quota-fit';
import { dataNodePodRequest } from '../data-processing/hdfs-pods';
import { DEFAULT_DATA_NODE_RESOURCES } from '../data-processing/hdfs-cluster';
import { HUB_RESOURCES, PROXY_RESOURCES } from './jupyterhub';

type SectionCheck = (section: NotebooksConfig, path: ConfigPath, cluster: ClusterConfig, config: PlatformConfig) => RuleViolation[];

/** Runs `check` on every cluster with a notebooks section (own loop: importing `perCluster` would be circular). */
function perSection(check: SectionCheck): ConfigRule {
  return (config) => Object.entries(config.clusters).flatMap(([name, cluster]) =>
    cluster.notebooks ? check(cluster.notebooks, ['clusters', name, 'notebooks'], cluster, config) : []);
}

const notebooksReferencesExist = perSection((section, path, cluster, config) => {
  const violations: RuleViolation[] = [];
  const ns = cluster.namespaces[section.namespace];
  if (!ns) {
    violations.push({ path: [...path, 'namespace'], message: `namespace '${section.namespace}' is not under namespaces; declare it there (JupyterHub runs at Pod Security level restricted)` });
  } else if (ns.podSecurity && ns.podSecurity.level !== 'restricted') {
    violations.push({ path: [...path, 'namespace'], message: `namespace '${section.namespace}' is at level '${ns.podSecurity.level}'; JupyterHub and the user pods run at restricted, use a restricted namespace` });
  }
  if (!config.identities[section.identity]) {
    violations.push({ path: [...path, 'identity'], message: `identity '${section.identity}' is not under identities (known: ${Object.keys(config.identities).join(', ')})` });
  }
  const pool = cluster.nodePools[section.nodePool];
  if (!pool) {
    violations.push({ path: [...path, 'nodePool'], message: `node pool '${section.nodePool}' is not under nodePools; use one of: ${Object.keys(cluster.nodePools).join(', ')}` });
  } else if (pool.mode === 'System' || pool.gpusPerNode !== undefined) {
    violations.push({ path: [...path, 'nodePool'], message: `node pool '${section.nodePool}' is a ${pool.mode === 'System' ? 'System' : 'GPU'} pool; the hub and CPU notebooks run on a User pool without GPUs (GPU profiles name their gpuPool)` });
  }
  if (!cluster.operators?.jupyterhub) {
    violations.push({ path: [...path], message: 'the cluster runs JupyterHub, but operators.jupyterhub does not pin its chart; add operators.jupyterhub with repository https://hub.jupyter.org/helm-chart and version 4.4.0' });
  }
  if (section.kafkaClient !== undefined) {
    const client = cluster.streaming?.clients?.[section.kafkaClient];
    if (!client) {
      violations.push({ path: [...path, 'kafkaClient'], message: `'${section.kafkaClient}' is not under streaming.clients of this cluster` });
    } else if (client.namespace !== section.namespace) {
      violations.push({ path: [...path, 'kafkaClient'], message: `client '${section.kafkaClient}' is in namespace '${client.namespace}', but notebooks run in '${section.namespace}'` });
    }
  }
  if (section.sparkSubmission && !cluster.dataProcessing?.spark.namespaces[section.sparkSubmission.namespace]) {
    violations.push({ path: [...path, 'sparkSubmission', 'namespace'], message: `'${section.sparkSubmission.namespace}' is not a Spark namespace of this cluster (dataProcessing.spark.namespaces: ${Object.keys(cluster.dataProcessing?.spark.namespaces ?? {}).join(', ') || 'none'})` });
  }
  return violations;
});

const profilesFit = perSection((section, path, cluster) => {
  const violations: RuleViolation[] = [];
  const gpuPools = Object.entries(cluster.nodePools).filter(([, pool]) => pool.gpusPerNode !== undefined).map(([name]) => name);
  const defaults = Object.entries(section.profiles).filter(([, profile]) => profile.default).map(([slug]) => slug);
  if (Object.keys(section.profiles).length === 0) violations.push({ path: [...path, 'profiles'], message: 'no profile; add at least one server size' });
  if (defaults.length > 1) violations.push({ path: [...path, 'profiles'], message: `profiles ${defaults.join(', ')} are all marked default; keep one` });
  for (const [slug, profile] of Object.entries(section.profiles)) {
    const at = [...path, 'profiles', slug];
    if (profile.gpus !== undefined && gpuPools.length === 0) {
      violations.push({ path: [...at, 'gpus'], message: `profile '${slug}' asks for GPUs, but the cluster has no GPU pool (a pool with gpusPerNode); remove gpus or add a GPU pool` });
      continue;
    }
    if (profile.gpus !== undefined && profile.gpuPool === undefined) {
      violations.push({ path: [...at, 'gpuPool'], message: `profile '${slug}' asks for GPUs; name its GPU pool (one of: ${gpuPools.join(', ')})` });
    }
    if (profile.gpuPool !== undefined) {
      const pool = cluster.nodePools[profile.gpuPool];
      if (profile.gpus === undefined) {
        violations.push({ path: [...at, 'gpuPool'], message: `profile '${slug}' names a GPU pool but asks for no gpus; set gpus or remove gpuPool` });
      } else if (!pool || pool.gpusPerNode === undefined) {
        violations.push({ path: [...at, 'gpuPool'], message: `'${profile.gpuPool}' is not a GPU pool of this cluster (GPU pools: ${gpuPools.join(', ')})` });
      } else if (profile.gpus > pool.gpusPerNode) {
        violations.push({ path: [...at, 'gpus'], message: `profile '${slug}' asks for ${profile.gpus} GPUs, but a node of pool '${profile.gpuPool}' has ${pool.gpusPerNode}; the pod could never be scheduled` });
      }
    }
  }
  return violations;
});

const GiB = 2 ** 30;
const cores = (n: number) => `${Number(n.toFixed(3))} CPU`;
const gibText = (bytes: number) => `${Number((bytes / GiB).toFixed(2))}Gi`;

/**
 * The DaemonSet pods the platform runs on every node of `pool`, with their requests: the HDFS datanode on
 * `dataProcessing.hdfs.nodePool` (lib/data-processing/hdfs-cluster.ts). The NVIDIA device plugin on GPU pools
 * requests nothing (chart 0.20.0 values.yaml `resources: {}`). AKS's own add-on DaemonSets (kube-proxy, CSI
 * drivers, CNI) are not known here; a profile that fits with no room left may still not.
 */
function daemonSetsOn(cluster: ClusterConfig, pool: string): { what: string; cpu: number; memory: number }[] {
  const hdfs = cluster.dataProcessing?.hdfs;
  if (!hdfs || hdfs.nodePool !== pool) return [];
  return [{ what: 'the HDFS datanode', ...dataNodePodRequest(hdfs.dataNodes.resources ?? DEFAULT_DATA_NODE_RESOURCES) }];
}

/**
 * One user server of each profile can run: KubeSpawner (kubespawner 7.0.0, zero-to-jupyterhub-k8s 4.4.0) makes
 * `cpu_guarantee`/`mem_guarantee` the notebook container's requests and `cpu_limit`/`mem_limit` its limits (the
 * profile's cpu and memory, both), and `extra_resource_limits` its nvidia.com/gpu. So:
 * - the requests fit one node of the profile's pool (gpuPool, else nodePool): its allocatable
 *   (lib/core/vm-sizes.ts `allocatable`) less the DaemonSet pods the platform runs on every node of that pool;
 *   otherwise the pod stays Pending and the spawn fails after singleuser.startTimeout, on every try;
 * - the limits are within the namespace's LimitRange maximum, or the pod is rejected;
 * - the pod fits the namespace quota next to the pods that always run there (the hub, the proxy, see
 *   lib/core/quota-fit.ts `standingPods`), or it is rejected (requests.*, limits.* with the hub's and proxy's limits).
 */
const profilesFitNodeAndQuota = perSection((section, path, cluster) => {
  const violations: RuleViolation[] = [];
  const ns = cluster.namespaces[section.namespace];
  for (const [slug, profile] of Object.entries(section.profiles)) {
    const at = [...path, 'profiles', slug];
    const cpu = profile.cpu;
    const memory = parseQuantity(profile.memory);
    const gpus = profile.gpus ?? 0;
    const poolName = profile.gpuPool ?? section.nodePool;
    const pool = cluster.nodePools[poolName];
    const size = pool && vmSize(pool.vmSize);
    if (pool && size) {
      const node = allocatable(size);
      const daemons = daemonSetsOn(cluster, poolName);
      const freeCpu = node.cpu - daemons.reduce((sum, d) => sum + d.cpu, 0);
      const freeMemory = node.memory - daemons.reduce((sum, d) => sum + d.memory, 0);
      const taken = daemons.length ? ` less ${daemons.map((d) => `${d.what} (${cores(d.cpu)}, ${gibText(d.memory)})`).join(', ')} on every node` : '';
      if (cpu > freeCpu + 1e-9) {
        violations.push({ path: [...at, 'cpu'], message: `profile '${slug}' guarantees ${cores(cpu)}, but a node of pool '${poolName}' (${pool.vmSize}) has ${cores(freeCpu)} for it (allocatable ${cores(node.cpu)}${taken}): its server could never be scheduled and every spawn times out; use at most ${Math.floor(freeCpu * 10) / 10} or a larger VM size` });
      }
      if (memory > freeMemory) {
        violations.push({ path: [...at, 'memory'], message: `profile '${slug}' guarantees ${gibText(memory)} of memory, but a node of pool '${poolName}' (${pool.vmSize}) has ${gibText(freeMemory)} for it (allocatable ${gibText(node.memory)}${taken}): its server could never be scheduled and every spawn times out; use at most ${Math.floor(freeMemory / GiB)}Gi or a larger VM size` });
      }
    }
    if (!ns) continue; // notebooksReferencesExist reports the namespace
    const max = ns.containerDefaults?.max ?? (ns.containerDefaults ? undefined : cluster.namespaceDefaults.containerDefaults.max);
    const maxPath = ns.containerDefaults ? 'namespaces.' + section.namespace + '.containerDefaults.max' : 'namespaceDefaults.containerDefaults.max';
    if (max && cpu > parseQuantity(max.cpu) + 1e-9) {
      violations.push({ path: [...at, 'cpu'], message: `profile '${slug}' has a CPU limit of ${cores(cpu)}, above the maximum ${max.cpu} of namespace '${section.namespace}' (LimitRange, ${maxPath}): its server would be rejected; lower it or raise the maximum` });
    }
    if (max && memory > parseQuantity(max.memory)) {
      violations.push({ path: [...at, 'memory'], message: `profile '${slug}' has a memory limit of ${gibText(memory)}, above the maximum ${max.memory} of namespace '${section.namespace}' (LimitRange, ${maxPath}): its server would be rejected; lower it or raise the maximum` });
    }
    const quota = ns.quota ?? cluster.namespaceDefaults.quota;
    const quotaPath = ns.quota ? `namespaces.${section.namespace}.quota` : 'namespaceDefaults.quota';
    const defaults = (ns.containerDefaults ?? cluster.namespaceDefaults.containerDefaults).request;
    const standing = standingPods(cluster).filter((p) => p.namespace === section.namespace && p.replicas > 0);
    const used = (key: 'pods' | 'requests.cpu' | 'requests.memory' | 'requests.nvidia.com/gpu') => standing.reduce((sum, p) => sum + p.replicas * podCharge(p, defaults)[key], 0);
    const hubLimits = { cpu: parseQuantity(HUB_RESOURCES.limit.cpu) + parseQuantity(PROXY_RESOURCES.limit.cpu), memory: parseQuantity(HUB_RESOURCES.limit.memory) + parseQuantity(PROXY_RESOURCES.limit.memory) };
    const needs: [string, number, number, (n: number) => string][] = [
      ['pods', used('pods'), 1, String],
      ['requests.cpu', used('requests.cpu'), cpu, cores],
      ['requests.memory', used('requests.memory'), memory, gibText],
      ['requests.nvidia.com/gpu', used('requests.nvidia.com/gpu'), gpus, String],
      ['limits.cpu', hubLimits.cpu, cpu, cores],
      ['limits.memory', hubLimits.memory, memory, gibText],
    ];
    for (const [key, others, own, text] of needs) {
      const hard = (quota as Record<string, string | number | undefined>)[key];
      if (hard === undefined || own === 0) continue;
      const allowed = parseQuantity(hard);
      if (others + own > allowed + 1e-9) {
        violations.push({ path: key === 'pods' ? at : [...at, key.endsWith('gpu') ? 'gpus' : key.split('.')[1]], message: `one server of profile '${slug}' (${text(own)} ${key}) next to the hub and proxy (${text(others)}) needs ${text(others + own)}, more than the quota of namespace '${section.namespace}' allows (${quotaPath}.${key}: ${hard}): its server would be rejected; lower the profile or raise the quota` });
      }
    }
  }
  return violations;
});

/** JupyterHub's route goes through the cluster's routing, which must exist. */
const jupyterhubRouteNeedsRouting = perSection((section, path, cluster) => {
  if (!section.route || cluster.routing) return [];
  const name = String(path[1]);
  return [{
    path: [...path, 'route'],
    message: `JupyterHub's route goes through the cluster's gateway, but cluster '${name}' has no routing section; add clusters.${name}.routing (mode, hostname, tls, gateway) serving the host of auth.callbackUrl, or remove the route and route the hub another way`,
  }];
});

/**
 * The hub's host is the host of its OAuth callback URL (Entra ID redirects the browser there) and must be served
 * by the routing's listeners.
 */
const jupyterhubRouteHostIsServed = perSection((section, path, cluster) => {
  if (!section.route || !cluster.routing) return [];
  const callback = callbackHost(section.auth.callbackUrl);
  const host = section.route.host ?? callback;
  if (new URL(section.auth.callbackUrl).port !== '') {
    return [{ path: [...path, 'auth', 'callbackUrl'], message: `the route serves the hub on the gateway's HTTPS port 443, but auth.callbackUrl (${section.auth.callbackUrl}) names another port; use https://${callback}/hub/oauth_callback (and register that redirect URI on the app)` }];
  }
  if (host !== callback) {
    return [{ path: [...path, 'route', 'host'], message: `the route serves '${host}', but auth.callbackUrl (${section.auth.callbackUrl}) sends users back to '${callback}' after sign-in; use one host for both (the callback URL registered on the app is https://<route host>/hub/oauth_callback)` }];
  }
  const served = servedHosts(cluster.routing);
  if (served.includes(host)) return [];
  return [{
    path: section.route.host === undefined ? [...path, 'auth', 'callbackUrl'] : [...path, 'route', 'host'],
    message: `host '${host}' (of the OAuth callback URL) is not served by the routing's listeners (served: ${served.join(', ')}); add it to clusters.${String(path[1])}.routing.hosts (it then gets an HTTPS listener and is on the certificate), or use a served host in the callback URL`,
  }];
});

/** Every rule of the notebooks section. */
export const NOTEBOOKS_RULES: readonly ConfigRule[] = [notebooksReferencesExist, profilesFit, profilesFitNodeAndQuota, jupyterhubRouteNeedsRouting, jupyterhubRouteHostIsServed];
