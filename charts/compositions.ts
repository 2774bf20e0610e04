import { baselineComposition } from './baseline';
import { ClusterComposition, ClusterPostRenderer, EnvironmentArtifacts, PlatformCompositions } from '../lib/synth/cluster-context';
import { dataProcessingComposition } from './data-processing';
import { federatedCredentialsArtifact } from './federated-credentials';
import { fluxPostRenderer } from './gitops';
import { roleAssignmentsArtifact } from './role-assignments';
import { installedVersionsArtifact } from './installed-versions';
import { airflowComposition, operatorsComposition } from './operators';
import { routingComposition } from './routing';
import { servingComposition } from './serving';
import { streamingComposition } from './streaming';
import { notebooksComposition } from './notebooks';
import { trainingComposition } from './training';

/**
 * Every composition, in the order they run for each cluster. A composition decides from the cluster config
 * whether it has anything to add (a cluster without a `serving` section gets no serving objects).
 */
export const CLUSTER_COMPOSITIONS: readonly ClusterComposition[] = [
  baselineComposition,
  dataProcessingComposition,
  trainingComposition,
  operatorsComposition,
  airflowComposition,
  servingComposition,
  streamingComposition,
  notebooksComposition,
  routingComposition,
];

/** Renderers that add folders to a cluster once its layers are rendered (such as the Flux entry point). */
export const CLUSTER_POST_RENDERERS: readonly ClusterPostRenderer[] = [
  fluxPostRenderer,
];

/** Producers of per-environment files outside the layer folders (such as federated credentials). */
export const ENVIRONMENT_ARTIFACTS: readonly EnvironmentArtifacts[] = [
  federatedCredentialsArtifact,
  roleAssignmentsArtifact,
  installedVersionsArtifact,
];

/** The whole platform, as `lib/synth` takes it. */
export const PLATFORM_COMPOSITIONS: PlatformCompositions = {
  clusters: CLUSTER_COMPOSITIONS,
  postRenderers: CLUSTER_POST_RENDERERS,
  environmentArtifacts: ENVIRONMENT_ARTIFACTS,
};
