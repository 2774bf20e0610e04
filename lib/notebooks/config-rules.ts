/**
 * Semantic rules of the notebooks section: namespace, identity, pools (GPU profiles only where the cluster has a
 * GPU pool), one default profile, the pinned chart, and the Kafka client and Spark namespace it refers to.
 */
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { ClusterConfig, PlatformConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import type { NotebooksConfig } from './config';
import { callbackHost, servedHosts } from '../serving/config-routes';

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
export const NOTEBOOKS_RULES: readonly ConfigRule[] = [notebooksReferencesExist, profilesFit, jupyterhubRouteNeedsRouting, jupyterhubRouteHostIsServed];
