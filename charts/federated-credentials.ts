import { PlainManifest } from '../lib/core/pod-templates';
import { ClusterFederatedCredential, federatedCredentialsDocument, IdentityLocation, unlabelledIdentityPods } from '../lib/identity/workload-identity-audit';
import { PodIdentityBinding } from '../lib/identity/pod-identity-binding';
import { ChartServiceAccountIdentity } from '../lib/identity/chart-service-account-identity';
import { PlatformConfig } from '../lib/config/schema';
import { EnvironmentArtifacts, RenderedCluster } from '../lib/synth/cluster-context';
import { LAYER_ORDER } from '../lib/synth/layers';

/** Path of the federated-credential list under `dist/<environment>/` (outside every Flux-synced folder). */
export const FEDERATED_CREDENTIALS_FILE = 'azure/federated-credentials.json';

/** Where a configured identity lives; the subscription defaults to the one of the clusters that use it. */
function identityLocation(platform: PlatformConfig, identityName: string, clusters: readonly string[]): IdentityLocation {
  const identity = platform.identities[identityName];
  if (!identity) throw new Error(`a PodIdentityBinding uses identity '${identityName}', which is not under 'identities' in the config`);
  const subscriptions = [...new Set(clusters.map((cluster) => platform.clusters[cluster].azure.subscriptionId))];
  if (identity.subscriptionId === undefined && subscriptions.length > 1) {
    throw new Error(`identities.${identityName}: used by clusters in several subscriptions (${subscriptions.join(', ')}); set 'subscriptionId' to the one that holds the managed identity`);
  }
  return {
    resourceName: identity.resourceName ?? identityName,
    resourceGroup: identity.resourceGroup,
    subscriptionId: identity.subscriptionId ?? subscriptions[0],
  };
}

/** Fails when a pod of the cluster runs as a Workload Identity ServiceAccount without the pod label. */
function checkIdentityLabels(cluster: RenderedCluster): void {
  const manifests = cluster.folders.flatMap((folder) => folder.manifests) as readonly PlainManifest[];
  const problems = unlabelledIdentityPods(manifests);
  if (problems.length > 0) {
    throw new Error(`cluster '${cluster.context.clusterName}': ${problems.length} pod template(s) would run without their Azure identity:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * `azure/federated-credentials.json`: every federated credential the environment's Workload Identity
 * bindings (and the chart ServiceAccounts given an identity) need, sorted, for the IaC step or `node build/cli/federated-credentials.js`. Also enforces the
 * identity rules over the whole output (pod labels, at most 20 credentials per identity).
 */
export const federatedCredentialsArtifact: EnvironmentArtifacts = (environment, clusters) => {
  const credentials: ClusterFederatedCredential[] = [];
  for (const cluster of clusters) {
    checkIdentityLabels(cluster);
    for (const layer of LAYER_ORDER) {
      for (const binding of PodIdentityBinding.allIn(cluster.context.layers[layer])) {
        if (binding.federatedCredential) credentials.push({ ...binding.federatedCredential, cluster: cluster.context.clusterName });
      }
      // ServiceAccounts a chart creates (the cert-manager controller for DNS-01 in Azure DNS).
      for (const identity of ChartServiceAccountIdentity.allIn(cluster.context.layers[layer])) {
        credentials.push({ ...identity.federatedCredential, cluster: cluster.context.clusterName });
      }
    }
  }
  if (credentials.length === 0 || clusters.length === 0) return new Map();
  const platform = clusters[0].context.platform;
  const document = federatedCredentialsDocument(environment, credentials, (name, used) => identityLocation(platform, name, used));
  return new Map([[FEDERATED_CREDENTIALS_FILE, JSON.stringify(document, null, 2) + '\n']]);
};
