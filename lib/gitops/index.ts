/** GitOps delivery (config keys `gitops`, `operators`, `airflow`): Flux sources and layer chain, pinned operator HelmReleases, Airflow. */
export * from './flux-git-manifests';
export * from './flux-layer-chain';
export * from './helm-release-pinned';
export * from './airflow';
export * from './cert-manager-egress';
