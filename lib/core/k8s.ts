/**
 * Kubernetes 1.27 API bindings. We use the generated bindings that cdk8s-plus-27 ships (the same API level as
 * cdk8s-plus-27 itself), loaded directly so synthesis does not pay for loading all of cdk8s-plus.
 */
export * from 'cdk8s-plus-27/lib/imports/k8s';
