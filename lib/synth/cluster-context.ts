import { Chart } from 'cdk8s';
import { ClusterConfig, PlatformConfig } from '../config/schema';
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

/** One folder of a cluster's rendered output, in delivery order. */
export interface RenderedFolder {
  /** The layer the folder belongs to (a `Layer`, or another name for extra folders such as `flux`). */
  readonly layer: string;
  /** Folder name under the cluster folder (`workloads`, or `workloads-2` when a layer is split). */
  readonly folder: string;
  /** File name to file text, including `kustomization.yaml`. */
  readonly files: ReadonlyMap<string, string>;
  /** Number of Kubernetes objects in the folder. */
  readonly objectCount: number;
  /** The folder's objects as plain JSON, in file-name order (for checks over the output without re-parsing YAML). */
  readonly manifests: readonly ManifestJson[];
}

/** A rendered Kubernetes object as plain JSON. */
export interface ManifestJson {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** A cluster after rendering: its context and folders. */
export interface RenderedCluster {
  readonly context: ClusterContext;
  readonly folders: readonly RenderedFolder[];
}

/**
 * Adds folders to a rendered cluster, for output that depends on the final folder list (the Flux entry point
 * needs to know which layer folders exist). Must be pure.
 */
export type ClusterPostRenderer = (cluster: RenderedCluster) => RenderedFolder[];

/**
 * Produces files for a whole environment, outside the cluster folders and so outside what Flux applies, as
 * paths relative to `dist/<environment>/` (for example `azure/federated-credentials.json`). Must be pure.
 */
export type EnvironmentArtifacts = (environment: string, clusters: readonly RenderedCluster[]) => ReadonlyMap<string, string>;

/** Everything that makes up the platform: what runs per cluster, after rendering, and per environment. */
export interface PlatformCompositions {
  /** Compositions in the order they run for each cluster. */
  readonly clusters: readonly ClusterComposition[];
  /** Renderers that add folders once a cluster's layers are rendered (such as the Flux entry point). */
  readonly postRenderers: readonly ClusterPostRenderer[];
  /** Producers of per-environment files outside the layer folders (such as federated credentials). */
  readonly environmentArtifacts: readonly EnvironmentArtifacts[];
}
