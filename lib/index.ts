/** The construct library: one construct per file. */
export * from './namespace-baseline';
export * from './pod-identity-binding';
export * from './pytorch-job';
export * from './azure-files-storage-class';
export * from './hdfs-cluster';
export * from './shared-volume';
export * from './spark-job';
export * from './spark-rbac';
export * from './airflow';
export * from './flux-git-manifests';
export * from './flux-layer-chain';
export * from './helm-release-pinned';
export * from './kserve-model';
export * from './http-microservice';
export * from './mlflow-tracking';
export * from './shared-gateway';
export * from './ingress-routes';
