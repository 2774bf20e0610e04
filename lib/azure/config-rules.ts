/**
 * Rules across clusters and identities: two cluster entries must not be one AKS cluster, an identity used by
 * clusters in several subscriptions must say which one holds it, and one ServiceAccount carries one identity.
 * These were found only while writing `azure/federated-credentials.json` (synth, without file or line) or not
 * at all (preflight and deploy of both entries target one cluster).
 */
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { ClusterConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import { MAX_FEDERATED_CREDENTIALS_PER_IDENTITY } from '../identity/workload-identity-audit';

/** One place a cluster binds an identity to a ServiceAccount (what charts/ passes to `podIdentityFor`). */
export interface IdentityUse {
  readonly identity: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** Config path of the key that names the identity. */
  readonly at: ConfigPath;
}

/** Every identity binding a cluster's sections make (mirrors charts/data-processing, training, serving, operators). */
export function identityUses(cluster: ClusterConfig, clusterPath: ConfigPath): IdentityUse[] {
  const uses: IdentityUse[] = [];
  const spark = cluster.dataProcessing?.spark;
  if (spark?.identity !== undefined) {
    for (const namespace of Object.keys(spark.namespaces)) {
      uses.push({ identity: spark.identity, namespace, serviceAccountName: spark.serviceAccountName ?? 'spark', at: [...clusterPath, 'dataProcessing', 'spark', 'identity'] });
    }
  }
  const training = cluster.training;
  if (training?.identity !== undefined) {
    uses.push({ identity: training.identity, namespace: training.namespace, serviceAccountName: training.serviceAccountName ?? training.identity, at: [...clusterPath, 'training', 'identity'] });
  }
  const serving = cluster.serving;
  for (const [kind, entries] of [['models', serving?.models], ['microservices', serving?.microservices]] as const) {
    for (const [name, workload] of Object.entries(entries ?? {})) {
      if (workload.identity !== undefined) uses.push({ identity: workload.identity, namespace: workload.namespace, serviceAccountName: workload.identity, at: [...clusterPath, 'serving', kind, name, 'identity'] });
    }
  }
  if (serving?.mlflow) uses.push({ identity: serving.mlflow.identity, namespace: serving.mlflow.namespace, serviceAccountName: serving.mlflow.identity, at: [...clusterPath, 'serving', 'mlflow', 'identity'] });
  if (cluster.airflow) {
    for (const serviceAccountName of ['airflow-scheduler', 'airflow-worker', 'airflow-components']) {
      uses.push({ identity: cluster.airflow.identity, namespace: cluster.airflow.namespace ?? 'airflow', serviceAccountName, at: [...clusterPath, 'airflow', 'identity'] });
    }
  }
  // The cert-manager controller's ServiceAccount (chart cert-manager v1.18.2, release cert-manager in namespace
  // cert-manager: `cert-manager.serviceAccountName` is the release name) with the DNS-01 identity (charts/operators.ts).
  const tls = cluster.routing?.tls;
  if (tls?.acmeSolver === 'dns01' && tls.azureDns) {
    uses.push({ identity: tls.azureDns.identity, namespace: 'cert-manager', serviceAccountName: 'cert-manager', at: [...clusterPath, 'routing', 'tls', 'azureDns', 'identity'] });
  }
  return uses;
}

const oneEntryPerAksCluster: ConfigRule = (config) => {
  const seen = new Map<string, string>();
  const violations: RuleViolation[] = [];
  for (const [name, cluster] of Object.entries(config.clusters)) {
    // Azure resource IDs are case-insensitive.
    const id = `${cluster.azure.subscriptionId}/${cluster.azure.resourceGroup}/${cluster.azure.name}`.toLowerCase();
    const other = seen.get(id);
    if (other !== undefined) {
      violations.push({ path: ['clusters', name, 'azure', 'name'], message: `clusters '${other}' and '${name}' are the same AKS cluster (subscription ${cluster.azure.subscriptionId}, resource group ${cluster.azure.resourceGroup}, name ${cluster.azure.name}): preflight and deploy of both would target one cluster and their outputs would overwrite each other; merge the two entries into one` });
    } else {
      seen.set(id, name);
    }
  }
  return violations;
};

const identityHasOneSubscription: ConfigRule = (config) => {
  const clustersOf = new Map<string, Set<string>>();
  for (const [name, cluster] of Object.entries(config.clusters)) {
    for (const use of identityUses(cluster, ['clusters', name])) clustersOf.set(use.identity, (clustersOf.get(use.identity) ?? new Set()).add(name));
  }
  return [...clustersOf.entries()].flatMap(([identity, clusters]) => {
    const entry = config.identities[identity];
    if (!entry || entry.subscriptionId !== undefined) return [];
    const subscriptions = [...new Set([...clusters].map((name) => config.clusters[name].azure.subscriptionId))].sort();
    return subscriptions.length <= 1 ? [] : [{
      path: ['identities', identity],
      message: `identity '${identity}' is used by clusters in several subscriptions (${[...clusters].sort().map((c) => `${c}: ${config.clusters[c].azure.subscriptionId}`).join(', ')}), so the subscription that holds the managed identity is unknown; set identities.${identity}.subscriptionId`,
    }];
  });
};

const oneIdentityPerServiceAccount: ConfigRule = (config) => Object.entries(config.clusters).flatMap(([name, cluster]) => {
  const owners = new Map<string, { identity: string; at: ConfigPath }>();
  const violations: RuleViolation[] = [];
  for (const use of identityUses(cluster, ['clusters', name])) {
    const key = `${use.namespace}/${use.serviceAccountName}`;
    const owner = owners.get(key);
    if (owner && owner.identity !== use.identity) {
      violations.push({ path: use.at, message: `ServiceAccount '${use.serviceAccountName}' in namespace '${use.namespace}' would carry identity '${use.identity}' here and '${owner.identity}' at ${owner.at.join('.')}; a ServiceAccount has one Azure identity: use one identity, or another ServiceAccount name` });
    } else if (!owner) {
      owners.set(key, use);
    }
  }
  return violations;
});

const federatedCredentialLimit: ConfigRule = (config) => {
  const credentials = new Map<string, Set<string>>();
  for (const [name, cluster] of Object.entries(config.clusters)) {
    if ((cluster.identityMode ?? 'workload-identity') !== 'workload-identity') continue;
    for (const use of identityUses(cluster, ['clusters', name])) {
      credentials.set(use.identity, (credentials.get(use.identity) ?? new Set()).add(`${name}/${use.namespace}/${use.serviceAccountName}`));
    }
  }
  return [...credentials.entries()].filter(([, set]) => set.size > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY).map(([identity, set]) => ({
    path: ['identities', identity],
    message: `identity '${identity}' would need ${set.size} federated credentials (one per cluster, namespace and ServiceAccount: ${[...set].sort().slice(0, 5).join(', ')}, ...); Azure allows at most ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity; split the workloads over more identities`,
  }));
};

/** The cross-cluster and identity rules, listed in lib/config/platform-rules.ts. */
export const AZURE_RULES: readonly ConfigRule[] = [
  oneEntryPerAksCluster,
  identityHasOneSubscription,
  oneIdentityPerServiceAccount,
  federatedCredentialLimit,
];
