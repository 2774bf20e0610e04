/**
 * Semantic rules of the serving section: references to namespaces, node pools, identities and storage
 * accounts; KServe mode constraints; storage URIs KServe can read; routing settings; and routes that collide.
 */
import { parseQuantity } from '../core/quantity';
import { azureBlobLocation, storageUriProblem } from './storage-uri';
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { ClusterConfig, PlatformConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import type { ResourcesConfig, RoutingConfig, ServingConfig } from './config';
import { appRoutes, declaredRoutes } from './config-routes';
import { workloadFeasibility } from '../core/feasibility';
import { predictorServiceName } from './kserve-versions';
import { wildcardListenerHostname } from './shared-gateway';

type SectionCheck = (serving: ServingConfig, path: ConfigPath, cluster: ClusterConfig, config: PlatformConfig) => RuleViolation[];

/** Runs `check` on every cluster with a serving section (own loop: importing `perCluster` would be circular). */
function perServing(check: SectionCheck): ConfigRule {
  return (config) => Object.entries(config.clusters).flatMap(([name, cluster]) =>
    cluster.serving ? check(cluster.serving, ['clusters', name, 'serving'], cluster, config) : []);
}

/** Every workload of the section with its namespace, identity, pool and resources, for the reference checks. */
function workloads(serving: ServingConfig, path: ConfigPath) {
  return [
    ...Object.entries(serving.models ?? {}).map(([name, m]) => ({ at: [...path, 'models', name], ...m })),
    ...Object.entries(serving.microservices ?? {}).map(([name, s]) => ({ at: [...path, 'microservices', name], ...s })),
    ...(serving.mlflow ? [{ at: [...path, 'mlflow'], ...serving.mlflow }] : []),
  ] as { at: ConfigPath; namespace: string; identity?: string; nodePool?: string; resources: ResourcesConfig; gpus?: number }[];
}

const referencesExist = perServing((serving, path, cluster, config) => workloads(serving, path).flatMap((w) => {
  const violations: RuleViolation[] = [];
  if (!cluster.namespaces[w.namespace]) {
    violations.push({ path: [...w.at, 'namespace'], message: `namespace '${w.namespace}' is not under namespaces; declare it there so it gets its baseline (default deny, quota)` });
  }
  if (w.identity !== undefined && !config.identities[w.identity]) {
    violations.push({ path: [...w.at, 'identity'], message: `identity '${w.identity}' is not under identities (known: ${Object.keys(config.identities).sort().join(', ')})` });
  }
  const pool = w.nodePool === undefined ? undefined : cluster.nodePools[w.nodePool];
  if (w.nodePool !== undefined && !pool) {
    violations.push({ path: [...w.at, 'nodePool'], message: `node pool '${w.nodePool}' is not under nodePools (known: ${Object.keys(cluster.nodePools).sort().join(', ')})` });
  }
  if (w.gpus !== undefined && (pool?.gpusPerNode ?? 0) < w.gpus) {
    violations.push({ path: [...w.at, 'gpus'], message: `${w.gpus} GPU(s) need a nodePool whose nodes have at least that many GPUs (gpusPerNode)` });
  }
  for (const resource of ['cpu', 'memory'] as const) {
    if (parseQuantity(w.resources.request[resource]) > parseQuantity(w.resources.limit[resource])) {
      violations.push({ path: [...w.at, 'resources', 'request', resource], message: `request ${w.resources.request[resource]} must be <= limit ${w.resources.limit[resource]}` });
    }
  }
  return violations;
}));

const modelsNeedKserve = perServing((serving, path) => serving.kserve || Object.keys(serving.models ?? {}).length === 0 ? [] : [{
  path: [...path, 'models'],
  message: 'models are KServe InferenceServices, but the section has no kserve block; add serving.kserve (version, deploymentMode), or remove the models to serve only microservices and MLflow',
}]);

const modelsFitTheMode = perServing((serving, path, _cluster, config) => !serving.kserve ? [] : Object.entries(serving.models ?? {}).flatMap(([name, model]) => {
  const at = [...path, 'models', name];
  const kserve = serving.kserve!;
  const standard = kserve.deploymentMode === 'Standard';
  const minReplicas = model.minReplicas ?? 1;
  const violations: RuleViolation[] = [];
  const uriProblem = storageUriProblem(model.storageUri);
  if (uriProblem) violations.push({ path: [...at, 'storageUri'], message: `"${model.storageUri}" ${uriProblem}` });
  const blob = azureBlobLocation(model.storageUri);
  if (blob && !config.azure.storageAccounts[blob.account]) {
    violations.push({ path: [...at, 'storageUri'], message: `storage account '${blob.account}' is not under azure.storageAccounts, so no role assignment grants the model identity read access` });
  }
  if (minReplicas === 0 && standard && model.autoscaler !== 'keda') {
    violations.push({ path: [...at, 'minReplicas'], message: `minReplicas 0 needs scale to zero: the Standard mode with the ${model.autoscaler ?? 'hpa'} autoscaler keeps 1 replica (KServe turns 0 into 1), and the modes that scale to zero (Knative, KEDA) are not installed by this platform; set minReplicas >= 1` });
  }
  if (model.maxReplicas !== undefined && minReplicas > model.maxReplicas) {
    violations.push({ path: [...at, 'minReplicas'], message: `minReplicas (${minReplicas}) must be <= maxReplicas (${model.maxReplicas})` });
  }
  if (model.canaryTrafficPercent !== undefined && standard) {
    violations.push({ path: [...at, 'canaryTrafficPercent'], message: 'canary traffic splitting needs kserve.deploymentMode Knative (not installed by this platform); the Standard mode has no revisions; remove canaryTrafficPercent' });
  }
  if (model.scaleMetric !== undefined && standard !== (model.scaleMetric === 'cpu' || model.scaleMetric === 'memory')) {
    violations.push({ path: [...at, 'scaleMetric'], message: `scaleMetric ${model.scaleMetric} is not available in the ${kserve.deploymentMode} mode; use ${standard ? 'cpu or memory' : 'concurrency or rps'}` });
  }
  if (!standard && model.route?.enabled !== false) {
    violations.push({ path: [...at, 'route'], message: 'routes to models need kserve.deploymentMode Standard: with Knative, requests enter through the Knative gateway, not the predictor Service; set route.enabled: false' });
  }
  return violations;
}));

/**
 * Runs `check` on every cluster with a routing section (`clusters.<name>.routing`, shared by serving, NiFi and
 * JupyterHub).
 */
function perRouting(check: (routing: RoutingConfig, path: ConfigPath, cluster: ClusterConfig) => RuleViolation[]): ConfigRule {
  return (config) => Object.entries(config.clusters).flatMap(([name, cluster]) =>
    cluster.routing ? check(cluster.routing, ['clusters', name, 'routing'], cluster) : []);
}

const routingIsComplete = perRouting((routing, at, cluster) => {
  if (routing.mode === 'gateway-api') {
    if (!routing.gateway) return [{ path: at, message: 'mode gateway-api needs a gateway block (namespace, name, controller)' }];
    if (!cluster.namespaces[routing.gateway.namespace]) {
      return [{ path: [...at, 'gateway', 'namespace'], message: `namespace '${routing.gateway.namespace}' is not under namespaces; declare it (with services.loadbalancers >= 1 in its quota)` }];
    }
    const quota = cluster.namespaces[routing.gateway.namespace].quota ?? cluster.namespaceDefaults.quota;
    if (quota['services.loadbalancers'] === 0) {
      return [{ path: [...at.slice(0, 2), 'namespaces', routing.gateway.namespace, 'quota'], message: `the gateway's LoadBalancer Service needs services.loadbalancers >= 1 in the quota of namespace '${routing.gateway.namespace}'` }];
    }
    return [];
  }
  if (!routing.ingress) return [{ path: at, message: 'mode ingress needs an ingress block (className, controllerNamespace)' }];
  if (routing.tls.clusterIssuer) {
    return [{ path: [...at, 'tls', 'clusterIssuer'], message: `in mode ingress one certificate serves every namespace: the ingress controller's default certificate, Secret '${routing.tls.secretName}' in namespace '${routing.ingress.controllerNamespace}' (Ingresses name no Secret); create it there (a cert-manager Certificate or a Key Vault sync) and set it as the controller's default certificate, and remove clusterIssuer (it only applies to mode gateway-api)` }];
  }
  return [];
});

/**
 * Serving routes need the cluster's routing. An old config that still has `serving.routing` is reported by the
 * schema check (lib/config/moved-keys.ts), so it is not reported twice here.
 */
const servingRoutesNeedRouting = perServing((serving, path, cluster) => {
  if (cluster.routing || Object.prototype.hasOwnProperty.call(serving, 'routing')) return [];
  const routed = declaredRoutes(serving, { hostname: 'unused.invalid' }, path);
  if (routed.length === 0) return [];
  return [{
    path,
    message: `${routed.length} serving workload(s) have a route (${routed.slice(0, 3).map((route) => `${route.kind} '${route.workload}'`).join(', ')}${routed.length > 3 ? ', ...' : ''}), but cluster '${String(path[1])}' has no routing section; add clusters.${String(path[1])}.routing (mode, hostname, tls, gateway), or set route.enabled: false on each workload`,
  }];
});

/**
 * `tls.acmeSolver` says how the ClusterIssuer solves challenges: it needs the issuer, and HTTP-01 cannot prove
 * wildcards. The hosts are those the gateway serves: routing.hostname, routing.hosts and the serving routes' own
 * hosts (the NiFi and JupyterHub hosts are among the first two).
 */
const acmeSolverFits = perRouting((routing, at, cluster) => {
  const { tls, mode } = routing;
  const solverAt = [...at, 'tls', 'acmeSolver'];
  if (tls.acmeSolver !== undefined && (mode !== 'gateway-api' || !tls.clusterIssuer)) {
    return [{ path: solverAt, message: `acmeSolver (${tls.acmeSolver}) says how routing.tls.clusterIssuer solves ACME challenges for the shared Gateway; it applies only to mode gateway-api with a clusterIssuer: set clusterIssuer or remove acmeSolver` }];
  }
  // The default with a clusterIssuer is http01 (SharedGateway).
  if (mode !== 'gateway-api' || !tls.clusterIssuer || (tls.acmeSolver ?? 'http01') !== 'http01') return [];
  const servingRoutes = cluster.serving ? declaredRoutes(cluster.serving, routing) : [];
  const hosts = [...new Set([routing.hostname, ...(routing.hosts ?? []), ...servingRoutes.map((route) => route.host)])];
  const wildcard = wildcardListenerHostname(hosts);
  if (!wildcard) return [];
  return [{
    path: tls.acmeSolver === undefined ? [...at, 'tls', 'clusterIssuer'] : solverAt,
    message: `the ${hosts.length} route host names need wildcard listeners (such as ${wildcard}), and HTTP-01${tls.acmeSolver === undefined ? ' (the default acmeSolver)' : ''} cannot prove a wildcard name (letsencrypt.org/docs/challenge-types: HTTP-01 cannot issue wildcard certificates): use a ClusterIssuer with a dns01 solver and set routing.tls.acmeSolver: dns01`,
  }];
});

/**
 * `acmeSolver: dns01` with Azure DNS: cert-manager v1.18.2 (pkg/issuer/acme/dns/azuredns/azuredns.go
 * `getAuthorization`) authenticates with Workload Identity only when the controller pod has a federated token, which
 * the platform gives it from `tls.azureDns.identity` (charts/operators.ts); the zone gets the role assignment. So
 * dns01 needs that block, the block needs dns01, the identity must be configured and bound with Workload Identity,
 * and every host name the gateway serves must be in the zone (the solver writes `_acme-challenge.<host>` there).
 */
const azureDnsFits: ConfigRule = (config) => Object.entries(config.clusters).flatMap(([name, cluster]) => {
  const routing = cluster.routing;
  if (!routing) return [];
  const at: ConfigPath = ['clusters', name, 'routing', 'tls'];
  const { tls } = routing;
  const dns01 = routing.mode === 'gateway-api' && !!tls.clusterIssuer && tls.acmeSolver === 'dns01';
  if (!tls.azureDns) {
    return dns01 ? [{ path: [...at, 'acmeSolver'], message: 'acmeSolver dns01 needs routing.tls.azureDns (identity, zone, resourceGroup): the cert-manager controller writes the TXT records to Azure DNS with Workload Identity, and without an identity its DNS-01 orders fail to authenticate; add azureDns with an identity under identities and the zone that holds the host names' }] : [];
  }
  if (!dns01) {
    return [{ path: [...at, 'azureDns'], message: `azureDns is the Azure DNS zone of the DNS-01 solver; it applies only with mode gateway-api, a clusterIssuer and acmeSolver dns01 (found acmeSolver ${tls.acmeSolver ?? 'unset, so http01'}): set acmeSolver: dns01 or remove azureDns` }];
  }
  const violations: RuleViolation[] = [];
  const { identity, zone } = tls.azureDns;
  if (!config.identities[identity]) {
    violations.push({ path: [...at, 'azureDns', 'identity'], message: `identity '${identity}' is not under identities (known: ${Object.keys(config.identities).sort().join(', ')}); add the managed identity cert-manager writes DNS records with` });
  } else if ((cluster.identityMode ?? 'workload-identity') !== 'workload-identity') {
    violations.push({ path: [...at, 'azureDns', 'identity'], message: `cluster '${name}' has identityMode ${cluster.identityMode}, but the cert-manager controller gets its Azure identity only through Workload Identity (AZURE_FEDERATED_TOKEN_FILE, cert-manager v1.18.2 azuredns.go); move the cluster to identityMode workload-identity or use another ACME solver` });
  }
  const servingRoutes = cluster.serving ? declaredRoutes(cluster.serving, routing) : [];
  const hosts = [...new Set([routing.hostname, ...(routing.hosts ?? []), ...servingRoutes.map((route) => route.host)])];
  const outside = hosts.filter((host) => host !== zone && !host.endsWith(`.${zone}`));
  if (outside.length > 0) {
    violations.push({ path: [...at, 'azureDns', 'zone'], message: `host name(s) ${outside.slice(0, 3).join(', ')}${outside.length > 3 ? ', ...' : ''} are not in zone ${zone}, so the DNS-01 solver cannot write their _acme-challenge record there; use the zone that holds every route host name` });
  }
  return violations;
});

const routesAreSound = perServing((serving, path, cluster) => {
  const violations: RuleViolation[] = [];
  const names = new Map<string, string>();
  const matches = new Map<string, string>();
  if (!cluster.routing) return []; // servingRoutesNeedRouting
  for (const route of declaredRoutes(serving, cluster.routing, path)) {
    const label = `${route.kind} '${route.workload}'`;
    const sameName = names.get(route.name);
    if (sameName) violations.push({ path: route.configPath, message: `route name '${route.name}' is also used by ${sameName}; rename one workload` });
    names.set(route.name, label);
    const key = `${route.host} ${route.pathType} ${route.path.replace(/(.)\/+$/, '$1')}`;
    const other = matches.get(key);
    if (other) violations.push({ path: route.configPath, message: `route ${route.pathType} ${route.path} on ${route.host} collides with the route of ${other}; change one path or host` });
    matches.set(key, label);
    if (route.pathType !== 'RegularExpression' && /[()[\]{}*+?^$|\\]/.test(route.path)) {
      violations.push({ path: route.configPath, message: `path "${route.path}" looks like a regular expression but pathType is ${route.pathType}; set pathType: RegularExpression or remove the pattern characters` });
    }
    if (route.pathType === 'RegularExpression' && route.rewrite !== undefined) {
      violations.push({ path: route.configPath, message: 'rewrite cannot be combined with pathType RegularExpression; use a PathPrefix path' });
    }
    if (cluster.routing.mode === 'gateway-api' && route.maxBodySize !== undefined) {
      violations.push({ path: [...route.configPath, 'maxBodySize'], message: 'maxBodySize cannot be expressed in a Gateway API HTTPRoute (ingress mode only); remove it' });
    }
    if (route.kind === 'mlflow' && route.rewrite !== undefined) {
      violations.push({ path: [...route.configPath, 'rewrite'], message: 'the MLflow server serves UI and API under its path prefix (--static-prefix = route path); remove rewrite' });
    }
  }
  return violations;
});

/**
 * NiFi's and JupyterHub's routes share the cluster's gateway with the serving routes: names and matches must be
 * unique among all of them (two HTTPRoutes of one name are one object; two equal matches are ambiguous). Serving
 * routes among themselves are checked by routesAreSound.
 */
const appRoutesAreDistinct: ConfigRule = (config) => Object.entries(config.clusters).flatMap(([name, cluster]) => {
  if (!cluster.routing) return [];
  const apps = appRoutes(cluster, cluster.routing, ['clusters', name]);
  if (apps.length === 0) return [];
  const serving = cluster.serving ? declaredRoutes(cluster.serving, cluster.routing, ['clusters', name, 'serving']) : [];
  const violations: RuleViolation[] = [];
  const seen = [...serving];
  for (const route of apps) {
    const label = (r: typeof route) => `${r.kind} '${r.workload}' (${r.configPath.join('.')})`;
    const sameName = seen.find((other) => other.name === route.name);
    if (sameName) violations.push({ path: route.configPath, message: `route name '${route.name}' is also the route of ${label(sameName)}; rename that workload (NiFi's and JupyterHub's route names are fixed)` });
    const key = (r: typeof route) => `${r.host} ${r.pathType} ${r.path.replace(/(.)\/+$/, '$1')}`;
    const sameMatch = seen.find((other) => key(other) === key(route));
    if (sameMatch) violations.push({ path: route.configPath, message: `route ${route.pathType} ${route.path} on ${route.host} collides with the route of ${label(sameMatch)}; give one of them another host or path` });
    seen.push(route);
  }
  return violations;
});

const mlflowArtifactsAccountExists = perServing((serving, path, _cluster, config) => {
  const account = serving.mlflow?.artifacts.storageAccount;
  if (account === undefined || config.azure.storageAccounts[account]) return [];
  return [{ path: [...path, 'mlflow', 'artifacts', 'storageAccount'], message: `storage account '${account}' is not under azure.storageAccounts (known: ${Object.keys(config.azure.storageAccounts).sort().join(', ')})` }];
});

const volumesHaveOneSource = perServing((serving, path) => Object.entries(serving.microservices ?? {}).flatMap(([name, service]) =>
  Object.entries(service.volumes ?? {}).flatMap(([volume, spec]) => {
    const sources = [spec.emptyDir, spec.claim, spec.existingClaim].filter((source) => source !== undefined).length;
    return sources === 1 ? [] : [{
      path: [...path, 'microservices', name, 'volumes', volume],
      message: `set exactly one of emptyDir, claim and existingClaim (found ${sources})`,
    }];
  })));

/**
 * KServe names the predictor's Deployment and Service `<model>-predictor` (lib/serving/kserve-versions.ts): a
 * microservice of that name in the model's namespace would take (or lose) those objects and their policies.
 */
const namesDoNotCollide = perServing((serving, path) => {
  const taken = new Map<string, string>();
  for (const [name, model] of Object.entries(serving.models ?? {})) taken.set(`${model.namespace}/${predictorServiceName(name)}`, name);
  return Object.entries(serving.microservices ?? {}).flatMap(([name, service]) => {
    const model = taken.get(`${service.namespace}/${name}`);
    return model === undefined ? [] : [{
      path: [...path, 'microservices', name],
      message: `microservice '${name}' in namespace '${service.namespace}' has the name KServe gives the predictor Deployment and Service of model '${model}' (${name}); the two would overwrite each other; rename the microservice or move it to another namespace`,
    }];
  });
});

/**
 * PersistentVolumeClaim names of a cluster, per namespace: shared volumes (`sharedVolumes.volumes.<name>`) and
 * microservice claims (`<service>-<volume>`, charts/serving.ts). Two of one name would be one claim (and a
 * construct-id clash at synth).
 */
const claimNamesAreUnique: ConfigRule = (config) => Object.entries(config.clusters).flatMap(([clusterName, cluster]) => {
  const claims = new Map<string, string>();
  const violations: RuleViolation[] = [];
  const add = (namespace: string, claim: string, at: ConfigPath) => {
    const key = `${namespace}/${claim}`;
    const other = claims.get(key);
    if (other !== undefined) {
      violations.push({ path: at, message: `the PersistentVolumeClaim '${claim}' in namespace '${namespace}' made for this volume is also made for ${other}; rename one of the volumes (or services)` });
    } else {
      claims.set(key, at.join('.'));
    }
  };
  for (const [name, volume] of Object.entries(cluster.dataProcessing?.sharedVolumes?.volumes ?? {})) {
    add(volume.namespace, name, ['clusters', clusterName, 'dataProcessing', 'sharedVolumes', 'volumes', name]);
  }
  for (const [service, spec] of Object.entries(cluster.serving?.microservices ?? {})) {
    for (const [volume, source] of Object.entries(spec.volumes ?? {})) {
      if (source.claim) add(spec.namespace, `${service}-${volume}`, ['clusters', clusterName, 'serving', 'microservices', service, 'volumes', volume]);
    }
  }
  return violations;
});

/** Each model (at maxReplicas), microservice and the MLflow server, alone, fits its namespace quota and pool. */
const workloadsFit = perServing((serving, path, cluster) => {
  const clusterPath = path.slice(0, 2);
  return workloads(serving, path).flatMap((w) => {
    const kind = w.at[w.at.length - 2] === 'models' ? 'model' : w.at[w.at.length - 2] === 'microservices' ? 'microservice' : 'MLflow server';
    const name = String(w.at[w.at.length - 1]);
    const entry = w as unknown as { replicas?: number; minReplicas?: number; maxReplicas?: number };
    const count = kind === 'model' ? entry.maxReplicas ?? Math.max(entry.minReplicas ?? 1, 1) : entry.replicas ?? 2;
    const label = kind === 'MLflow server' ? 'the MLflow server' : `${kind} '${name}'`;
    const cpuMemory = (pair: { cpu: string; memory: string }) => ({ cpu: parseQuantity(pair.cpu), memory: parseQuantity(pair.memory) });
    return workloadFeasibility(cluster, clusterPath, w.namespace, `${label} with ${count} replica(s)${kind === 'model' ? ' (maxReplicas)' : ''}`, w.at, [{
      what: `a pod of ${label}`, count,
      request: cpuMemory(w.resources.request), limit: cpuMemory(w.resources.limit),
      at: [...w.at, 'resources'], pool: w.nodePool,
    }]);
  });
});

/**
 * Knative Serving and KEDA are refused: nothing in the operators layer installs them (lib/gitops/operators.ts
 * pins cert-manager, the Spark and training operators, KServe, the gateway controller, aad-pod-identity and
 * Airflow), so an InferenceService in the Knative mode would never become ready and a KEDA-scaled one would
 * get no ScaledObject controller. KServe's own chart does not bundle either.
 */
const onlyInstalledAutoscaling = perServing((serving, path) => {
  const violations: RuleViolation[] = [];
  if (serving.kserve?.deploymentMode === 'Knative') {
    violations.push({ path: [...path, 'kserve', 'deploymentMode'], message: 'deploymentMode Knative needs Knative Serving and a networking layer on the cluster, and nothing in this platform installs them; use Standard (Deployment and HPA). Scale to zero and canary traffic splitting are not available without Knative' });
  }
  for (const [name, model] of Object.entries(serving.models ?? {})) {
    if (model.autoscaler === 'keda') {
      violations.push({ path: [...path, 'models', name, 'autoscaler'], message: 'autoscaler keda needs KEDA on the cluster, and nothing in this platform installs it; use hpa (scales on cpu or memory between minReplicas >= 1 and maxReplicas) or none' });
    }
  }
  return violations;
});

const callsResolve = perServing((serving, path) => Object.entries(serving.microservices ?? {}).flatMap(([name, service]) =>
  (service.calls ?? []).flatMap((callee, index) => {
    const at = [...path, 'microservices', name, 'calls', index];
    if (callee === name) return [{ path: at, message: `microservice '${name}' lists itself under calls; pods of one service reach each other only through a rule of their own, so remove it` }];
    if (!serving.microservices?.[callee]) {
      return [{ path: at, message: `'${callee}' is not under serving.microservices (known: ${Object.keys(serving.microservices ?? {}).sort().join(', ')}); calls name microservices of this cluster` }];
    }
    return [];
  })));

/** The checks HttpMicroservice and MlflowTracking make on their props, at config time. */
const workloadsFitTheirConstructs = perServing((serving, path) => {
  const violations: RuleViolation[] = [];
  for (const [name, service] of Object.entries(serving.microservices ?? {})) {
    const at = [...path, 'microservices', name];
    for (const key of Object.keys(service.secretEnv ?? {})) {
      if (service.env?.[key] !== undefined) violations.push({ path: [...at, 'secretEnv', key], message: `${key} is also set under env; keep one of them` });
    }
    if (service.volumes?.tmp) violations.push({ path: [...at, 'volumes', 'tmp'], message: "the name 'tmp' is taken by the built-in writable /tmp of every service; rename the volume" });
  }
  const mlflowPath = serving.mlflow?.route?.path;
  if (mlflowPath !== undefined && !/^\/[a-z0-9][-a-z0-9/]*[a-z0-9]$/.test(mlflowPath)) {
    violations.push({ path: [...path, 'mlflow', 'route', 'path'], message: `"${mlflowPath}" is also MLflow's --static-prefix, so it must start with '/' and hold lowercase letters, digits, '-' and '/', without a trailing '/', such as /mlflow` });
  }
  return violations;
});

/** Every serving rule, in order. */
export const SERVING_RULES: readonly ConfigRule[] = [
  referencesExist,
  modelsNeedKserve,
  modelsFitTheMode,
  routingIsComplete,
  acmeSolverFits,
  azureDnsFits,
  servingRoutesNeedRouting,
  routesAreSound,
  appRoutesAreDistinct,
  mlflowArtifactsAccountExists,
  volumesHaveOneSource,
  onlyInstalledAutoscaling,
  workloadsFitTheirConstructs,
  callsResolve,
  namesDoNotCollide,
  claimNamesAreUnique,
  workloadsFit,
];
