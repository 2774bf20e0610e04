/** Label and annotation keys this project writes, in one place. */

/** Label put on every generated object, so `kubectl get -l` finds what the platform owns. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Value of the managed-by label. */
export const MANAGED_BY = 'ml-platform-manifests';
/** Label naming the platform environment (the config file). */
export const ENVIRONMENT_LABEL = 'platform.ml/environment';
/** Label naming the cluster entry of the config. */
export const CLUSTER_LABEL = 'platform.ml/cluster';
/** Annotation that records why a namespace runs below the restricted Pod Security level. */
export const POD_SECURITY_REASON_ANNOTATION = 'platform.ml/pod-security-reason';
/** The label Kubernetes sets on every Namespace with its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Annotation on one-shot jobs (Job, PyTorchJob, SparkApplication) saying how to run them again under GitOps. */
export const RERUN_ANNOTATION = 'platform.ml/rerun';
