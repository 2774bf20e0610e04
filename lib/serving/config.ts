/**
 * The serving section of a cluster: KServe models, HTTP microservices, MLflow tracking, and how callers reach
 * them (a shared Gateway API gateway, or an Ingress class as a fallback).
 */
import { Closed, ContainerImage, DNS_LABEL_PATTERN, DnsLabel, Guid, NameMap, Pattern, Quantity, SecretEnv, StringEnum, Type, Static } from '../config/schema-helpers';
import { NAME_RULES, nameKeyDescription } from '../core/names';
import { ACME_SOLVERS } from '../gitops/cert-manager-solver';

/** KServe deployment modes, by their current names (KServe 0.16 and later); older names are derived per version. */
export const KSERVE_DEPLOYMENT_MODES = ['Standard', 'Knative'] as const;
/** KServe autoscaler classes for the Standard mode. */
export const KSERVE_AUTOSCALERS = ['hpa', 'keda', 'none'] as const;
/** Model formats the platform serves. */
export const MODEL_FORMATS = ['sklearn', 'xgboost', 'lightgbm', 'mlflow', 'pytorch', 'triton', 'onnx', 'tensorflow', 'huggingface'] as const;
/** HTTP path match types (the Gateway API names). */
export const PATH_TYPES = ['PathPrefix', 'Exact', 'RegularExpression'] as const;
/** Gateway controllers whose data-plane behaviour the generator knows. */
export const GATEWAY_CONTROLLERS = ['envoy-gateway'] as const;

/**
 * A body size as NGINX's `client_max_body_size` takes it (nginx.org/en/docs/syntax.html: sizes in bytes, k/K
 * kilobytes, m/M megabytes, g/G gigabytes, all binary), plus Kubernetes' Ki/Mi/Gi for the same units. The
 * ingress-nginx annotation `proxy-body-size` passes it to that directive.
 */
export const NGINX_SIZE_PATTERN = '^[0-9]+([kKmMgG]|Ki|Mi|Gi)?$';

export const HOSTNAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$';

const Image = ContainerImage;

const CpuMemory = Closed({
  cpu: Quantity('CPU'),
  memory: Quantity('memory'),
}, { description: 'a CPU and memory pair' });

/** Requests and limits of the main container. */
export const ResourcesSchema = Closed({
  request: CpuMemory,
  limit: CpuMemory,
}, { description: 'container request and limit' });

/** How one workload is exposed through the shared gateway (or ingress). */
export const RouteSchema = Closed({
  path: Type.Optional(Pattern('^/', 'request path to match, starting with /')),
  pathType: Type.Optional(StringEnum(PATH_TYPES, 'how the path matches: PathPrefix, Exact or RegularExpression. Default: PathPrefix')),
  rewrite: Type.Optional(Pattern('^/', 'path the matched prefix (or full path) is replaced with before the request reaches the backend')),
  host: Type.Optional(Pattern(HOSTNAME_PATTERN, 'host name the route answers on. Default: routing.hostname')),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'request timeout in seconds. Default: routing.defaultTimeoutSeconds' })),
  maxBodySize: Type.Optional(Pattern(NGINX_SIZE_PATTERN, 'largest request body accepted (ingress mode only), as NGINX writes it: a whole number of bytes with an optional k, m or g suffix (binary units: 20m is 20 MiB; K, M, G, Ki, Mi and Gi mean the same)')),
  enabled: Type.Optional(Type.Boolean({ description: 'false keeps the workload internal (no route). Default: true' })),
}, { description: 'how callers reach the workload through the gateway' });

/** The Azure DNS zone cert-manager's DNS-01 solver writes to, and the identity it writes with. */
const AzureDnsSchema = Closed({
  identity: DnsLabel('identity (under identities) the cert-manager controller uses with Workload Identity to write the TXT records: gets the federated credential for system:serviceaccount:cert-manager:cert-manager and DNS Zone Contributor on the zone'),
  zone: Pattern(HOSTNAME_PATTERN, 'name of the Azure DNS zone that holds the route host names, such as example.com'),
  resourceGroup: Type.String({ minLength: 1, description: 'resource group of the DNS zone' }),
  subscriptionId: Type.Optional(Guid('subscription of the DNS zone. Default: the cluster\'s')),
}, { description: 'Azure DNS for ACME DNS-01 (only with acmeSolver dns01, required then)' });

const TlsSchema = Closed({
  secretName: DnsLabel('name of the TLS certificate Secret (created by cert-manager or synced from Key Vault; never in dist/)'),
  clusterIssuer: Type.Optional(DnsLabel('cert-manager ClusterIssuer that issues the certificate (adds the cert-manager annotation)')),
  acmeSolver: Type.Optional(StringEnum(ACME_SOLVERS, 'how the ClusterIssuer proves the host names (only with clusterIssuer): http01 (an http01.gatewayHTTPRoute solver whose parentRefs name this Gateway; cert-manager runs solver pods in the gateway namespace and the gateway gets the access rules for them), dns01 (the cert-manager controller writes TXT records in Azure DNS with the identity of tls.azureDns; needed for wildcard listeners) or none (not an ACME issuer). Default: http01')),
  azureDns: Type.Optional(AzureDnsSchema),
}, { description: 'TLS for the routes' });

const GatewaySchema = Closed({
  namespace: DnsLabel('namespace of the shared Gateway and its proxies (declared under namespaces)'),
  name: DnsLabel('name of the shared Gateway'),
  controller: StringEnum(GATEWAY_CONTROLLERS, 'Gateway API implementation: envoy-gateway (run in GatewayNamespace mode, so proxies live in the gateway namespace)'),
  className: Type.Optional(DnsLabel('GatewayClass name. Default: the controller name')),
}, { description: 'the shared Gateway API gateway' });

const IngressSchema = Closed({
  className: Pattern('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', 'IngressClass name, such as webapprouting.kubernetes.azure.com'),
  controllerNamespace: DnsLabel('namespace of the ingress controller pods, the only namespace let through to backends (app-routing-system for AKS app routing)'),
}, { description: 'Ingress fallback (NGINX-based controllers)' });

export const RoutingSchema = Closed({
  mode: StringEnum(['gateway-api', 'ingress'] as const, 'gateway-api (HTTPRoutes on a shared Gateway) or ingress (Ingress objects, fallback)'),
  hostname: Pattern(HOSTNAME_PATTERN, 'default host name of every route, such as ml.example.com'),
  hosts: Type.Optional(Type.Array(Pattern(HOSTNAME_PATTERN, 'a host name such as nifi.example.com'), {
    uniqueItems: true,
    description: 'more host names the gateway serves (an HTTPS listener each; on the certificate in ingress mode): the NiFi UI and JupyterHub hosts must be hostname or one of these. Serving routes with their own route.host add their host themselves',
  })),
  tls: TlsSchema,
  defaultTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'request timeout of routes that set none. Default: 60' })),
  gateway: Type.Optional(GatewaySchema),
  ingress: Type.Optional(IngressSchema),
}, { description: 'how callers reach the cluster\'s workloads (serving, the NiFi UI and endpoint, JupyterHub): one shared gateway or an Ingress class; every route uses TLS' });

const KserveSchema = Closed({
  version: Pattern('^[0-9]+\\.[0-9]+\\.[0-9]+$', 'KServe version installed on the cluster, such as 0.16.0 (decides the deployment-mode annotation values)'),
  deploymentMode: StringEnum(KSERVE_DEPLOYMENT_MODES, 'KServe deployment mode: Standard (Deployment + HPA, formerly RawDeployment) or Knative (formerly Serverless)'),
}, { description: 'the KServe installation (only for models: without it, the section serves microservices and MLflow, and no KServe or its operators are installed)' });

/** Properties of a served model; the platform-level `models` section reuses them for where a model is served. */
export const MODEL_PROPERTIES = {
  namespace: DnsLabel('namespace of the InferenceService'),
  format: StringEnum(MODEL_FORMATS, 'model format (predictor.model.modelFormat.name)'),
  formatVersion: Type.Optional(Type.String({ minLength: 1, description: 'model format version, such as 2 for MLflow 2.x models' })),
  runtime: Type.Optional(DnsLabel('ServingRuntime or ClusterServingRuntime name. Default: per format (pytorch uses kserve-tritonserver)')),
  protocolVersion: Type.Optional(StringEnum(['v1', 'v2', 'grpc-v2'] as const, 'inference protocol. Default: per format')),
  storageUri: Type.String({ minLength: 1, description: 'where the model lives: https://<account>.blob.core.windows.net/<container>/<path>, pvc://<claim>/<path>, s3://, gs://, hf://, ...' }),
  identity: Type.Optional(DnsLabel('identity (under top-level identities) the predictor uses to read the model')),
  resources: ResourcesSchema,
  gpus: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, description: 'NVIDIA GPUs per replica (needs a GPU nodePool)' })),
  nodePool: Type.Optional(Pattern('^[a-z][a-z0-9]{0,11}$', 'node pool the predictor runs on (its taints are tolerated)')),
  minReplicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'minimum replicas (0 only where the mode scales to zero). Default: 1' })),
  maxReplicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'maximum replicas. Default: minReplicas + 2' })),
  autoscaler: Type.Optional(StringEnum(KSERVE_AUTOSCALERS, 'autoscaler class in Standard mode. Default: hpa')),
  scaleMetric: Type.Optional(StringEnum(['cpu', 'memory', 'concurrency', 'rps'] as const, 'metric the autoscaler follows. Default: cpu (Standard), concurrency (Knative)')),
  scaleTarget: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'autoscaler target for the metric' })),
  canaryTrafficPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'share of traffic for the latest revision (Knative mode only)' })),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'predictor request timeout in seconds' })),
  route: Type.Optional(RouteSchema),
};

export const ModelSchema = Closed(MODEL_PROPERTIES, { description: 'a model served by KServe' });

const ProbeSchema = Closed({
  path: Type.Optional(Pattern('^/', 'HTTP GET path that answers 200 when healthy; without it the probe checks the TCP port')),
  initialDelaySeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, description: 'seconds before the first probe. Default: 10' })),
}, { description: 'readiness and liveness probe' });

const VolumeSchema = Closed({
  mountPath: Pattern('^/', 'absolute mount path in the container'),
  readOnly: Type.Optional(Type.Boolean({ description: 'mount read-only. Default: false' })),
  emptyDir: Type.Optional(Closed({ sizeLimit: Quantity('size limit') }, { description: 'scratch space that lives as long as the pod' })),
  claim: Type.Optional(Closed({
    size: Quantity('requested storage'),
    storageClassName: Type.Optional(DnsLabel('ReadWriteMany StorageClass. Default: azurefile-csi')),
  }, { description: 'a ReadWriteMany PersistentVolumeClaim <service>-<volume> created for this service' })),
  existingClaim: Type.Optional(DnsLabel('name of an existing PersistentVolumeClaim in the namespace')),
}, { description: 'a volume; set exactly one of emptyDir, claim, existingClaim' });

export const MicroserviceSchema = Closed({
  namespace: DnsLabel('namespace of the service'),
  image: Image('container image'),
  port: Type.Integer({ minimum: 1, maximum: 65535, description: 'port the process listens on (the container port)' }),
  servicePort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'port of the Service. Default: 80' })),
  replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'replicas. Default: 2' })),
  command: Type.Optional(Type.Array(Type.String(), { description: 'container command (entrypoint)' })),
  args: Type.Optional(Type.Array(Type.String(), { description: 'container arguments' })),
  env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { additionalProperties: false, description: 'plain environment variables (no secrets)' })),
  secretEnv: Type.Optional(SecretEnv('environment variables read from Secrets created outside dist/')),
  probe: Type.Optional(ProbeSchema),
  resources: ResourcesSchema,
  volumes: Type.Optional(NameMap(VolumeSchema, DNS_LABEL_PATTERN, 'volume names (DNS labels)')),
  identity: Type.Optional(DnsLabel('identity (under top-level identities) the service uses for Azure')),
  nodePool: Type.Optional(Pattern('^[a-z][a-z0-9]{0,11}$', 'node pool the service runs on')),
  calls: Type.Optional(Type.Array(DnsLabel('a microservice (key under serving.microservices) this one calls'), {
    uniqueItems: true,
    description: 'microservices this one calls: each call gets an egress rule here and an ingress rule at the callee (its container port), on top of the default deny',
  })),
  route: Type.Optional(RouteSchema),
}, { description: 'a plain HTTP service' });

export const MlflowSchema = Closed({
  namespace: DnsLabel('namespace of the tracking server'),
  image: Image('MLflow server image (with psycopg2, azure-storage-blob and azure-identity installed)'),
  replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'replicas. Default: 2' })),
  backendStoreSecret: Closed({
    name: DnsLabel('Secret that holds the Postgres URI (created outside dist/)'),
    key: Pattern('^[-._a-zA-Z0-9]+$', 'key of the URI in the Secret'),
  }, { description: 'Secret with the postgresql:// backend store URI' }),
  artifacts: Closed({
    storageAccount: Pattern('^[a-z0-9]{3,24}$', 'storage account (under azure.storageAccounts)'),
    container: Pattern('^[a-z0-9](-?[a-z0-9]){2,62}$', 'blob container for artifacts (3 to 63 lowercase letters, digits and single hyphens)'),
    path: Type.Optional(Pattern('^[^/].*$', 'path inside the container')),
  }, { description: 'where artifacts are stored (proxied by the server)' }),
  identity: DnsLabel('identity (under top-level identities) that writes artifacts'),
  resources: ResourcesSchema,
  nodePool: Type.Optional(Pattern('^[a-z][a-z0-9]{0,11}$', 'node pool the server runs on')),
  route: Type.Optional(RouteSchema),
}, { description: 'the MLflow tracking server' });

export const ServingSchema = Closed({
  kserve: Type.Optional(KserveSchema),
  models: Type.Optional(NameMap(ModelSchema, NAME_RULES.inferenceService.pattern, nameKeyDescription('model names', 'a KServe InferenceService', NAME_RULES.inferenceService))),
  microservices: Type.Optional(NameMap(MicroserviceSchema, NAME_RULES.service.pattern, nameKeyDescription('service names', 'a Service and a Deployment', NAME_RULES.service))),
  mlflow: Type.Optional(MlflowSchema),
}, { description: 'model serving: KServe models, HTTP microservices, MLflow tracking and their routes (on the cluster\'s routing)' });

export type ServingConfig = Static<typeof ServingSchema>;
export type ModelConfig = Static<typeof ModelSchema>;
export type MicroserviceConfig = Static<typeof MicroserviceSchema>;
export type MlflowConfig = Static<typeof MlflowSchema>;
export type RouteConfig = Static<typeof RouteSchema>;
export type RoutingConfig = Static<typeof RoutingSchema>;
export type ResourcesConfig = Static<typeof ResourcesSchema>;
