import { baselineComposition } from './baseline';
import { ClusterComposition } from './cluster-context';

/**
 * Every composition, in the order they run for each cluster. A composition decides from the cluster config
 * whether it has anything to add (a cluster without a `serving` section gets no serving objects).
 */
export const CLUSTER_COMPOSITIONS: readonly ClusterComposition[] = [
  baselineComposition,
];
