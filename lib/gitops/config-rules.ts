/**
 * Semantic rules of GitOps delivery: every operator a cluster needs is pinned, Airflow's references resolve,
 * operator namespaces are not also declared as platform namespaces, and HelmReleases have Flux to apply them.
 */
import { CHART_AIRFLOW_VERSIONS } from './airflow-values';
import { installedOperators } from './installed-versions';
import { Operator, OPERATORS, requiredOperators } from './operators';
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { ClusterConfig, PlatformConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';

type ClusterCheck = (cluster: ClusterConfig, path: ConfigPath, config: PlatformConfig) => RuleViolation[];

/** Runs `check` for every cluster (own loop: importing `perCluster` from rules.ts would be circular). */
function eachCluster(check: ClusterCheck): ConfigRule {
  return (config) => Object.entries(config.clusters).flatMap(([name, cluster]) => check(cluster, ['clusters', name], config));
}

/** Operators whose chart location has a default, so they need no entry under `operators`. */
const PINNED_ELSEWHERE: readonly Operator[] = [Operator.KSERVE];

const operatorsArePinned = eachCluster((cluster, path) => {
  const violations: RuleViolation[] = requiredOperators(cluster)
    .filter(({ operator }) => !PINNED_ELSEWHERE.includes(operator) && !cluster.operators?.[OPERATORS[operator].configKey])
    .map(({ operator, neededBy }) => {
      const key = OPERATORS[operator].configKey;
      const fields = operator === Operator.TRAINING_OPERATOR ? 'repository and tag' : 'repository and version';
      return {
        path: [...path, 'operators', key],
        message: `the cluster needs the ${operator} (for ${neededBy.join('.')}), but operators.${key} does not pin it; add operators.${key} with its ${fields}`,
      };
    });
  if (cluster.airflow && !cluster.operators?.airflow) {
    violations.push({ path: [...path, 'operators', 'airflow'], message: 'the cluster runs Airflow, but operators.airflow does not pin its chart; add operators.airflow with its repository and version' });
  }
  return violations;
});

const airflowReferencesResolve = eachCluster((cluster, path, config) => {
  const airflow = cluster.airflow;
  if (!airflow) return [];
  const at = [...path, 'airflow'];
  const violations: RuleViolation[] = [];
  const namespace = airflow.namespace ?? 'airflow';
  if (!cluster.namespaces[namespace]) {
    violations.push({ path: [...at, 'namespace'], message: `namespace '${namespace}' is not under namespaces; declare it there so Airflow gets the namespace baseline (quota, limits, default-deny policies)` });
  }
  if (!config.identities[airflow.identity]) {
    violations.push({ path: [...at, 'identity'], message: `identity '${airflow.identity}' is not under identities (known: ${Object.keys(config.identities).sort().join(', ') || 'none'})` });
  }
  const ssh = airflow.dags.repository.startsWith('ssh://');
  if (ssh && (!airflow.dags.sshKeySecret || !airflow.dags.knownHosts)) {
    violations.push({ path: [...at, 'dags', airflow.dags.sshKeySecret ? 'knownHosts' : 'sshKeySecret'], message: 'the DAG repository is an ssh:// URL: set dags.sshKeySecret (Secret with key gitSshKey, created outside dist/) and dags.knownHosts (the Git host\'s known_hosts lines); git-sync authenticates with the key, and without known hosts it does not verify the host' });
  }
  if (ssh && airflow.dags.credentialsSecret) {
    violations.push({ path: [...at, 'dags', 'credentialsSecret'], message: 'dags.credentialsSecret holds https credentials, but the DAG repository is an ssh:// URL; use dags.sshKeySecret' });
  }
  if (!ssh && (airflow.dags.sshKeySecret || airflow.dags.knownHosts)) {
    violations.push({ path: [...at, 'dags', airflow.dags.sshKeySecret ? 'sshKeySecret' : 'knownHosts'], message: 'dags.sshKeySecret and dags.knownHosts only apply to an ssh:// DAG repository; for https:// use dags.credentialsSecret' });
  }
  const chartVersion = cluster.operators?.airflow?.version;
  if (!airflow.airflowVersion && !airflow.imageTag && chartVersion !== undefined && CHART_AIRFLOW_VERSIONS[chartVersion] === undefined) {
    violations.push({ path: [...at, 'airflowVersion'], message: `the Airflow version of chart ${chartVersion} is not known (known: ${Object.entries(CHART_AIRFLOW_VERSIONS).map(([c, a]) => `${c} runs ${a}`).join(', ')}); set airflow.airflowVersion (X.Y.Z) or airflow.imageTag` });
  }
  if (!config.azure.storageAccounts[airflow.logs.storageAccount]) {
    violations.push({ path: [...at, 'logs', 'storageAccount'], message: `storage account '${airflow.logs.storageAccount}' is not under azure.storageAccounts (known: ${Object.keys(config.azure.storageAccounts).sort().join(', ') || 'none'})` });
  }
  return violations;
});

const operatorNamespacesAreReserved = eachCluster((cluster, path) =>
  requiredOperators(cluster)
    .map(({ operator }) => OPERATORS[operator].namespace)
    .filter((namespace) => cluster.namespaces[namespace] !== undefined)
    .map((namespace) => ({
      path: [...path, 'namespaces', namespace],
      message: `namespace '${namespace}' belongs to an operator the cluster installs (created in the operators layer); remove it from namespaces`,
    })));

const releasesNeedFlux: ConfigRule = (config) => {
  if (config.gitops) return [];
  const users = Object.entries(config.clusters).filter(([, cluster]) => requiredOperators(cluster).length > 0 || cluster.airflow);
  return users.length === 0 ? [] : [{
    path: ['clusters'],
    message: `cluster(s) ${users.map(([name]) => name).join(', ')} install operators or Airflow as Flux HelmReleases, which only Flux applies; add the top-level gitops section (repository url, branch)`,
  }];
};

/** `provider: azure` only for oci:// registries, and not together with a Secret (the construct refuses both too). */
const registryAccessIsUsable = eachCluster((cluster, path) => Object.entries(cluster.operators ?? {}).flatMap(([key, pin]) => {
  const access = pin as { repository?: string; provider?: string; secretName?: string } | undefined;
  if (!access || access.provider !== 'azure') return [];
  const at = [...path, 'operators', key, 'provider'];
  if (access.repository !== undefined && !access.repository.startsWith('oci://')) {
    return [{ path: at, message: `provider azure applies to oci:// registries (an Azure Container Registry) only; ${access.repository} is a classic chart repository: use secretName for its credentials` }];
  }
  if (access.secretName !== undefined) {
    return [{ path: at, message: 'provider azure and secretName are exclusive: with azure, Flux logs in to the registry with its own Azure identity and ignores the Secret; keep one' }];
  }
  return [];
}));

/** One version, one schema: every pinned operator version must have the CRD schemas of that version. */
const pinnedVersionsHaveSchemas = eachCluster((cluster, path) =>
  installedOperators(cluster)
    .filter((installed) => installed.problem !== undefined)
    .map((installed) => ({ path: [...path, ...installed.pinPath], message: installed.problem as string })));

/** Every GitOps rule, exported for CONFIG_RULES. */
export const GITOPS_RULES: readonly ConfigRule[] = [
  operatorsArePinned,
  airflowReferencesResolve,
  operatorNamespacesAreReserved,
  releasesNeedFlux,
  registryAccessIsUsable,
  pinnedVersionsHaveSchemas,
];
