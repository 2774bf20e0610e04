import { baselineComposition } from './baseline';
import { ClusterComposition, ClusterPostRenderer, EnvironmentArtifacts } from './cluster-context';
import { federatedCredentialsArtifact } from './federated-credentials';

/**
 * Every composition, in the order they run for each cluster. A composition decides from the cluster config
 * whether it has anything to add (a cluster without a `serving` section gets no serving objects).
 */
export const CLUSTER_COMPOSITIONS: readonly ClusterComposition[] = [
  baselineComposition,
];

/** Renderers that add folders to a cluster once its layers are rendered (such as the Flux entry point). */
export const CLUSTER_POST_RENDERERS: readonly ClusterPostRenderer[] = [
];

/** Producers of per-environment files outside the layer folders (such as federated credentials). */
export const ENVIRONMENT_ARTIFACTS: readonly EnvironmentArtifacts[] = [
  federatedCredentialsArtifact,
];
