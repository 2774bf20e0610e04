/**
 * Delivery layers of a cluster. Each layer is one cdk8s Chart and one folder under
 * `dist/<environment>/<cluster>/`; Flux (and the deploy step) apply them in this order, each waiting
 * for the previous one, so custom resources are applied only after the operator that owns their CRD.
 */
export enum Layer {
  /** Operators and their CRDs (HelmReleases and sources). */
  OPERATORS = 'operators',
  /** Platform objects: namespaces, RBAC, network policies, quotas, storage, identities. */
  PLATFORM = 'platform',
  /** Workloads: HDFS, Spark and training jobs, models, services, routes. */
  WORKLOADS = 'workloads',
}

/** Layers in delivery order. */
export const LAYER_ORDER: readonly Layer[] = [Layer.OPERATORS, Layer.PLATFORM, Layer.WORKLOADS];
