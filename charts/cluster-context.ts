import { Chart } from 'cdk8s';
import { ClusterConfig, PlatformConfig } from '../lib/config/schema';
import { Layer } from './layers';

/** Everything a composition needs to add its objects to one cluster. */
export interface ClusterContext {
  /** Environment name (the config file name). */
  readonly environment: string;
  /** Cluster name (its key under `clusters`). */
  readonly clusterName: string;
  /** The cluster's config. */
  readonly cluster: ClusterConfig;
  /** The whole platform config (Azure settings, identities, other clusters). */
  readonly platform: PlatformConfig;
  /** The chart of each delivery layer. */
  readonly layers: { readonly [L in Layer]: Chart };
}

/**
 * A composition adds one feature's objects to a cluster (for example the namespace baseline, HDFS, or model
 * serving). It must be pure: build constructs, nothing else.
 */
export type ClusterComposition = (context: ClusterContext) => void;
