import { Construct } from 'constructs';
import { NAME_RULES, nameProblem } from '../core/names';
import { declareFlow } from '../core/flows';
import * as kserve from '../../imports/serving.kserve.io';
import { ContainerResources, restrictedContainerSecurity, nonRootPodSecurity } from '../core/container-security';
import * as k8s from '../core/k8s';
import {
  AUTOSCALER_CLASS_ANNOTATION, DEPLOYMENT_MODE_ANNOTATION, FORMAT_DEFAULTS, KServeDeploymentMode, ModelFormat,
  PREDICTOR_SERVICE_PORT, STORAGE_CLIENT_ID_ANNOTATION, deploymentModeValue, parseVersion, predictorPodLabels, predictorServiceName,
} from './kserve-versions';
import { allowEgressTo, AZURE_HTTPS_EGRESS } from '../core/network-policies';
import { NodePoolPlacement, poolNodeSelector, poolTolerations } from '../core/node-pool';
import { parseQuantity } from '../core/quantity';
import { RouteBackend } from './route-backend';
import { storageUriProblem } from './storage-uri';
import { IdentityMode, PodIdentityBinding } from '../identity/pod-identity-binding';

export { KServeDeploymentMode, ModelFormat } from './kserve-versions';

/** Autoscaler classes of the Standard mode. */
export type KServeAutoscaler = 'hpa' | 'keda' | 'none';
/** Metrics an autoscaler can follow (cpu and memory in Standard mode, concurrency and rps with Knative). */
export type KServeScaleMetric = 'cpu' | 'memory' | 'concurrency' | 'rps';

/** User and group the predictor runs as (the uid of the KServe and MLServer runtime images). */
const PREDICTOR_UID = 1000;

/** Minimum replicas of a model that sets none. */
export const DEFAULT_MODEL_MIN_REPLICAS = 1;

/** Properties for `KServeModel`. */
export interface KServeModelProps {
  /** Name of the InferenceService (a DNS-1035 label of at most 45 characters, as KServe requires). */
  readonly name: string;
  /** Namespace of the InferenceService. */
  readonly namespace: string;
  /** Model format (`predictor.model.modelFormat.name`). */
  readonly format: ModelFormat;
  /**
   * Model format version, such as `2` for MLflow 2.x models.
   * @default - none (KServe matches any version)
   */
  readonly formatVersion?: string;
  /**
   * ServingRuntime or ClusterServingRuntime to use.
   * @default - per format: kserve-tritonserver for pytorch (TorchServe is being retired), kserve-mlserver for
   *   mlflow, otherwise KServe's default runtime for the format
   */
  readonly runtime?: string;
  /**
   * Inference protocol.
   * @default - per format: v2 for pytorch, triton, onnx and mlflow; the runtime's default otherwise
   */
  readonly protocolVersion?: 'v1' | 'v2' | 'grpc-v2';
  /** Where the model lives; checked against the forms KServe's storage initializer reads. */
  readonly storageUri: string;
  /** Requests and limits of the serving container. */
  readonly resources: ContainerResources;
  /** Installed KServe version, such as `0.16.0`; decides the spelling of the deployment mode. */
  readonly kserveVersion: string;
  /**
   * Deployment mode.
   * @default 'Standard'
   */
  readonly deploymentMode?: KServeDeploymentMode;
  /**
   * Autoscaler class in the Standard mode (ignored with Knative, which uses its own autoscaler).
   * @default 'hpa'
   */
  readonly autoscaler?: KServeAutoscaler;
  /**
   * Metric the autoscaler follows.
   * @default - 'cpu' in Standard mode, 'concurrency' with Knative
   */
  readonly scaleMetric?: KServeScaleMetric;
  /**
   * Target value of the metric (percent for cpu and memory, requests for concurrency and rps).
   * @default - KServe's default (80 percent, or 1 concurrent request)
   */
  readonly scaleTarget?: number;
  /**
   * Minimum replicas; 0 only where the mode can scale to zero (Knative, or the keda autoscaler).
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Maximum replicas.
   * @default - minReplicas + 2
   */
  readonly maxReplicas?: number;
  /**
   * Share of traffic sent to the latest revision during a rollout (Knative mode only).
   * @default - none (all traffic to the latest revision)
   */
  readonly canaryTrafficPercent?: number;
  /**
   * Predictor request timeout in seconds.
   * @default - KServe's default
   */
  readonly timeoutSeconds?: number;
  /**
   * NVIDIA GPUs per replica; needs `nodePool` with GPUs.
   * @default - no GPU
   */
  readonly gpus?: number;
  /**
   * Node pool the predictor runs on (node selector plus tolerations for its taints).
   * @default - anywhere the scheduler puts it
   */
  readonly nodePool?: NodePoolPlacement;
  /**
   * Identity the predictor (and its storage initializer) reads the model with; no storage secrets. With Workload
   * Identity, the azure-workload-identity webhook (reinvocationPolicy IfNeeded) also mutates the storage-initializer
   * KServe's pod webhook adds; with aad-pod-identity the predictor pods carry the identity's client ID in
   * STORAGE_CLIENT_ID_ANNOTATION for the storage initializer.
   * @default - no Azure identity (only for public or pvc:// models)
   */
  readonly identity?: PodIdentityBinding;
  /**
   * Let the predictor pods reach Azure over HTTPS (storage and the token endpoint) through the namespace's
   * default-deny egress policy.
   * @default true
   */
  readonly allowAzureEgress?: boolean;
}

/**
 * A model served by KServe: one `serving.kserve.io/v1beta1` InferenceService in the new schema
 * (`predictor.model.modelFormat`), with the deployment-mode annotation for the installed KServe version,
 * autoscaling, restricted security contexts, optional GPU placement and identity binding.
 *
 * `backend` describes the predictor Service KServe creates, so routes can point at it.
 */
export class KServeModel extends Construct {
  /** The InferenceService (the default child). */
  public readonly resource: kserve.InferenceService;
  /** Name of the InferenceService. */
  public readonly name: string;
  /** Namespace of the InferenceService. */
  public readonly namespace: string;
  /** Effective deployment mode. */
  public readonly deploymentMode: KServeDeploymentMode;
  /** The predictor Service as routes see it (Standard mode only: with Knative, traffic enters through Knative's gateway). */
  public readonly backend?: RouteBackend;
  /** Egress policy to Azure over HTTPS, when allowed. */
  public readonly azureEgress?: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: KServeModelProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace;
    this.deploymentMode = props.deploymentMode ?? 'Standard';
    this.validateProps(id, props);

    const standard = this.deploymentMode === 'Standard';
    const defaults = FORMAT_DEFAULTS[props.format];
    const minReplicas = props.minReplicas ?? DEFAULT_MODEL_MIN_REPLICAS;
    const gpus: { [name: string]: string } = props.gpus ? { 'nvidia.com/gpu': String(props.gpus) } : {};
    const requests = { ...props.resources.request, ...gpus };
    const limits = { ...props.resources.limit, ...gpus };

    this.resource = new kserve.InferenceService(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        annotations: {
          [DEPLOYMENT_MODE_ANNOTATION]: deploymentModeValue(this.deploymentMode, props.kserveVersion),
          ...(standard ? { [AUTOSCALER_CLASS_ANNOTATION]: props.autoscaler ?? 'hpa' } : {}),
        },
      },
      spec: {
        predictor: {
          minReplicas,
          maxReplicas: props.maxReplicas ?? minReplicas + 2,
          scaleMetric: (props.scaleMetric ?? (standard ? 'cpu' : 'concurrency')) as kserve.InferenceServiceSpecPredictorScaleMetric,
          scaleTarget: props.scaleTarget,
          canaryTrafficPercent: props.canaryTrafficPercent,
          timeout: props.timeoutSeconds,
          automountServiceAccountToken: false,
          // aad-pod-identity only: the storage initializer reads the client ID from this annotation (see
          // STORAGE_CLIENT_ID_ANNOTATION); with Workload Identity the azure-workload-identity webhook injects it.
          annotations: props.identity?.mode === IdentityMode.AAD_POD_IDENTITY
            ? { [STORAGE_CLIENT_ID_ANNOTATION]: props.identity.clientId } : undefined,
          securityContext: nonRootPodSecurity(PREDICTOR_UID),
          nodeSelector: props.nodePool ? poolNodeSelector(props.nodePool) : undefined,
          tolerations: props.nodePool ? poolTolerations(props.nodePool) : undefined,
          model: {
            modelFormat: { name: props.format, version: props.formatVersion },
            runtime: props.runtime ?? defaults.runtime,
            protocolVersion: props.protocolVersion ?? defaults.protocolVersion,
            storageUri: props.storageUri,
            resources: {
              requests: mapValues(requests, kserve.InferenceServiceSpecPredictorModelResourcesRequests.fromString),
              limits: mapValues(limits, kserve.InferenceServiceSpecPredictorModelResourcesLimits.fromString),
            },
            // Read-only root: the runtime writes to /tmp only (runtime-specific folders moved there, below).
            securityContext: restrictedContainerSecurity({ readOnlyRootFilesystem: true }),
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            env: runtimeWritableEnv(props.runtime ?? defaults.runtime),
          },
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    });
    props.identity?.bind(this.resource);

    const podLabels = predictorPodLabels(props.name);
    if (standard) {
      this.backend = {
        namespace: props.namespace,
        serviceName: predictorServiceName(props.name),
        ports: [{ port: PREDICTOR_SERVICE_PORT, targetPort: defaults.containerPort }],
        podLabels,
      };
    }
    if (props.allowAzureEgress ?? true) {
      // The storage initializer (an init container of the predictor pod, kserve v0.16.0
      // pkg/webhook/admission/pod/storage_initializer_injector.go) downloads the model; the predictor reads Azure too.
      declareFlow(this, { purpose: 'predictor and its storage initializer to Azure Storage and Entra ID', from: { namespace: props.namespace, podLabels }, to: { cidr: '0.0.0.0/0' }, port: 443 });
      this.azureEgress = allowEgressTo(this, 'azure-egress', {
        name: `${props.name}-azure-egress`, namespace: props.namespace, podLabels, ...AZURE_HTTPS_EGRESS,
      });
    }
  }

  private validateProps(id: string, props: KServeModelProps): void {
    const prefix = `KServeModel '${id}'`;
    const standard = this.deploymentMode === 'Standard';
    const nameIssue = nameProblem(NAME_RULES.inferenceService, props.name);
    if (nameIssue) throw new Error(`${prefix}: 'name' ${nameIssue}`);
    parseVersion(props.kserveVersion);
    const uriProblem = storageUriProblem(props.storageUri);
    if (uriProblem) throw new Error(`${prefix}: 'storageUri' ("${props.storageUri}") ${uriProblem}`);
    const minReplicas = props.minReplicas ?? DEFAULT_MODEL_MIN_REPLICAS;
    const maxReplicas = props.maxReplicas ?? minReplicas + 2;
    const scalesToZero = !standard || props.autoscaler === 'keda';
    if (minReplicas === 0 && !scalesToZero) {
      throw new Error(`${prefix}: 'minReplicas' (0) needs a mode that scales to zero; the Standard mode with the ${props.autoscaler ?? 'hpa'} autoscaler keeps at least 1 replica (KServe silently turns 0 into 1), so set minReplicas >= 1, autoscaler 'keda', or deploymentMode 'Knative'`);
    }
    if (minReplicas > maxReplicas) {
      throw new Error(`${prefix}: 'minReplicas' (${minReplicas}) must be <= 'maxReplicas' (${maxReplicas})`);
    }
    if (props.canaryTrafficPercent !== undefined && standard) {
      throw new Error(`${prefix}: 'canaryTrafficPercent' (${props.canaryTrafficPercent}) needs deploymentMode 'Knative'; the Standard mode has no revisions to split traffic between`);
    }
    const metric = props.scaleMetric;
    if (metric !== undefined && standard !== (metric === 'cpu' || metric === 'memory')) {
      const allowed = standard ? 'cpu or memory' : 'concurrency or rps';
      throw new Error(`${prefix}: 'scaleMetric' (${metric}) is not available in the ${this.deploymentMode} mode; use ${allowed}`);
    }
    if (props.gpus !== undefined && !props.nodePool?.gpusPerNode) {
      throw new Error(`${prefix}: 'gpus' (${props.gpus}) needs a 'nodePool' with GPUs (gpusPerNode set); place the model on the GPU pool`);
    }
    if (props.gpus !== undefined && props.nodePool?.gpusPerNode !== undefined && props.gpus > props.nodePool.gpusPerNode) {
      throw new Error(`${prefix}: 'gpus' (${props.gpus}) is more than a node of pool '${props.nodePool.name}' has (${props.nodePool.gpusPerNode}); lower 'gpus' or use a larger VM size`);
    }
    for (const resource of ['cpu', 'memory'] as const) {
      if (parseQuantity(props.resources.request[resource]) > parseQuantity(props.resources.limit[resource])) {
        throw new Error(`${prefix}: 'resources.request.${resource}' (${props.resources.request[resource]}) must be <= 'resources.limit.${resource}' (${props.resources.limit[resource]})`);
      }
    }
  }
}

function mapValues<T>(values: { readonly [key: string]: string }, convert: (value: string) => T): { [key: string]: T } {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, convert(value)]));
}

/**
 * Environment that moves a runtime's writes below /tmp when its root file system is read-only. MLServer keeps its
 * Prometheus multiprocess folder and unpacked model environments under the working directory by default
 * (SeldonIO/MLServer settings: metrics_dir `<cwd>/.metrics`, environments_dir `<cwd>/.envs`; env prefix MLSERVER_).
 * The Hugging Face server caches below HF_HOME (default ~/.cache/huggingface). Triton writes nothing outside /tmp.
 */
function runtimeWritableEnv(runtime: string | undefined): kserve.InferenceServiceSpecPredictorModelEnv[] | undefined {
  if (runtime === 'kserve-mlserver') return [{ name: 'MLSERVER_ENVIRONMENTS_DIR', value: '/tmp/.envs' }, { name: 'MLSERVER_METRICS_DIR', value: '/tmp/.metrics' }];
  if (runtime === 'kserve-huggingfaceserver') return [{ name: 'HF_HOME', value: '/tmp/huggingface' }];
  return undefined;
}
