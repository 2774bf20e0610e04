/** The day-one verifier: a model of what the cluster, Flux and the operators do with the rendered output. */
export * from './types';
export { clusterFacts, CLUSTER_FACTS_FILE, poolFacts } from './cluster-facts';
export { VERIFY_RULES } from './rules';
export { formatFault, formatReport, verifyCluster, VerifyError } from './verify-cluster';
export { readDistClusters, applyOrder } from './read-dist';
export { ClusterModel, objectRef } from './cluster-model';
