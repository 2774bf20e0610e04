/** The per-cluster compositions of the platform, and the synth types they are written against. */
import { PlatformConfig } from '../lib/config/schema';
import { buildClusterApp as buildApp, ClusterApp } from '../lib/synth/cluster-app';
import { ClusterComposition } from '../lib/synth/cluster-context';
import { CLUSTER_COMPOSITIONS } from './compositions';

export * from '../lib/synth/cluster-context';
export * from '../lib/synth/layers';
export { ClusterApp, clusterLabels } from '../lib/synth/cluster-app';
export * from './compositions';

/** Builds the constructs of one cluster with the platform's compositions (or the given ones). */
export function buildClusterApp(
  environment: string,
  platform: PlatformConfig,
  clusterName: string,
  compositions: readonly ClusterComposition[] = CLUSTER_COMPOSITIONS,
): ClusterApp {
  return buildApp(environment, platform, clusterName, compositions);
}
