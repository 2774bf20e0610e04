/**
 * KServe facts that depend on the installed version or the model format: deployment-mode annotation values and
 * the default runtime per format.
 */

/** Deployment modes by their current names. */
export type KServeDeploymentMode = 'Standard' | 'Knative';

/** Annotation that selects the deployment mode of one InferenceService. */
export const DEPLOYMENT_MODE_ANNOTATION = 'serving.kserve.io/deploymentMode';
/** Annotation that selects the autoscaler class in the Standard mode. */
export const AUTOSCALER_CLASS_ANNOTATION = 'serving.kserve.io/autoscalerClass';

/** Parses `major.minor.patch`; throws on anything else. */
export function parseVersion(version: string): readonly [number, number, number] {
  const match = /^v?([0-9]+)\.([0-9]+)\.([0-9]+)$/.exec(version);
  if (!match) throw new Error(`"${version}" is not a version of the form 0.16.0`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * The annotation value for `mode` on KServe `version`. KServe 0.16 renamed RawDeployment to Standard and
 * Serverless to Knative (kserve#4608); 0.15 and older reject the new names, and 0.16's validating webhook only
 * applies the HPA metric rules to the new name, so each version gets its own spelling.
 */
export function deploymentModeValue(mode: KServeDeploymentMode, version: string): string {
  const [major, minor] = parseVersion(version);
  const renamed = major > 0 || minor >= 16;
  if (renamed) return mode;
  return mode === 'Standard' ? 'RawDeployment' : 'Serverless';
}

/** Model formats with a known serving runtime. */
export type ModelFormat = 'sklearn' | 'xgboost' | 'lightgbm' | 'mlflow' | 'pytorch' | 'triton' | 'onnx' | 'tensorflow' | 'huggingface';

/** How KServe serves one format. */
export interface FormatDefaults {
  /** Runtime to name explicitly, or undefined to let KServe pick the format's default runtime. */
  readonly runtime?: string;
  /** Inference protocol to name explicitly, or undefined for the runtime's default. */
  readonly protocolVersion?: 'v1' | 'v2' | 'grpc-v2';
  /** Port the serving container listens on for HTTP. */
  readonly containerPort: number;
}

/**
 * Defaults per format. PyTorch goes to Triton (TorchScript model repository, Open Inference Protocol v2)
 * because TorchServe is in limited maintenance and KServe is removing the kserve-torchserve runtime
 * (kserve#4568); MLflow goes to MLServer, which also answers MLflow's own /invocations.
 */
export const FORMAT_DEFAULTS: { readonly [F in ModelFormat]: FormatDefaults } = {
  sklearn: { containerPort: 8080 },
  xgboost: { containerPort: 8080 },
  lightgbm: { containerPort: 8080 },
  mlflow: { runtime: 'kserve-mlserver', protocolVersion: 'v2', containerPort: 8080 },
  pytorch: { runtime: 'kserve-tritonserver', protocolVersion: 'v2', containerPort: 8080 },
  triton: { runtime: 'kserve-tritonserver', protocolVersion: 'v2', containerPort: 8080 },
  onnx: { runtime: 'kserve-tritonserver', protocolVersion: 'v2', containerPort: 8080 },
  tensorflow: { containerPort: 8080 },
  huggingface: { runtime: 'kserve-huggingfaceserver', containerPort: 8080 },
};

/** Port of the Service KServe creates for a predictor in the Standard mode. */
export const PREDICTOR_SERVICE_PORT = 80;

/** Name of the Service KServe creates for the predictor of `isvcName`. */
export function predictorServiceName(isvcName: string): string {
  return `${isvcName}-predictor`;
}

/** Labels KServe puts on every predictor pod of `isvcName`. */
export function predictorPodLabels(isvcName: string): { readonly [key: string]: string } {
  return { 'serving.kserve.io/inferenceservice': isvcName, 'component': 'predictor' };
}

/**
 * Predictor pod annotation with the client ID of the model's managed identity in `identityMode: aad-pod-identity`.
 * The kserve HelmRelease of such a cluster patches the ClusterStorageContainer `default` so the storage initializer
 * reads it into AZURE_CLIENT_ID (downward API), which kserve v0.16.0's `_get_azure_storage_token()` needs before it
 * uses any credential (see `kserveStorageInitializerClientIdPatch` in lib/gitops/operator-values.ts).
 */
export const STORAGE_CLIENT_ID_ANNOTATION = 'platform.ml/azure-client-id';
