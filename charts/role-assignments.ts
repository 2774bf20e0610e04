import { PodIdentityBinding } from '../lib/identity/pod-identity-binding';
import { roleAssignmentsDocument } from '../lib/models/role-assignments';
import { EnvironmentArtifacts } from '../lib/synth/cluster-context';
import { LAYER_ORDER } from '../lib/synth/layers';

/** Path of the role-assignment list under `dist/<environment>/` (outside every Flux-synced folder). */
export const ROLE_ASSIGNMENTS_FILE = 'azure/role-assignments.json';

/**
 * `azure/role-assignments.json`: the storage roles every identity needs, and in `identityMode: aad-pod-identity`
 * the roles MIC needs for the kubelet identity on the node resource group and on each identity an AzureIdentity of
 * the cluster names (see lib/models/role-assignments.ts), for the IaC step or `npm run role-assignments`.
 */
export const roleAssignmentsArtifact: EnvironmentArtifacts = (environment, clusters) => {
  if (clusters.length === 0) return new Map();
  const aadPodIdentities = new Map<string, string[]>();
  for (const cluster of clusters) {
    const names = LAYER_ORDER.flatMap((layer) => PodIdentityBinding.allIn(cluster.context.layers[layer]))
      .filter((binding) => binding.azureIdentity !== undefined).map((binding) => binding.identityName);
    if (names.length > 0) aadPodIdentities.set(cluster.context.clusterName, names);
  }
  const document = roleAssignmentsDocument(environment, clusters[0].context.platform, aadPodIdentities);
  if (document.roleAssignments.length === 0 && !document.kubeletRoleAssignments) return new Map();
  return new Map([[ROLE_ASSIGNMENTS_FILE, JSON.stringify(document, null, 2) + '\n']]);
};
