/**
 * The operators the platform installs: what each one serves (CRD API groups), where it runs, and which
 * clusters need it. The one place that maps config sections to operators is `requiredOperators`.
 */
import type { ClusterConfig } from '../config/schema';
import type { OperatorsConfig } from './config';

/** An operator the platform can install; each value is also its namespace label and release name. */
export enum Operator {
  /** cert-manager: webhook certificates of KServe, and TLS certificates of routes. */
  CERT_MANAGER = 'cert-manager',
  /** Gateway API controller (Envoy Gateway); installs the Gateway API CRDs. */
  GATEWAY_CONTROLLER = 'gateway-controller',
  /** KServe controller and its CRDs. */
  KSERVE = 'kserve',
  /** Kubeflow Spark operator (SparkApplication). */
  SPARK_OPERATOR = 'spark-operator',
  /** Kubeflow training operator v1 (PyTorchJob). */
  TRAINING_OPERATOR = 'training-operator',
  /** aad-pod-identity (MIC and NMI), only in the legacy identity mode. */
  AAD_POD_IDENTITY = 'aad-pod-identity',
  /** NVIDIA device plugin: makes nvidia.com/gpu allocatable on GPU nodes (AKS does not install it). */
  NVIDIA_DEVICE_PLUGIN = 'nvidia-device-plugin',
  /** Strimzi cluster operator (Kafka, KafkaNodePool, KafkaTopic, KafkaUser). */
  STRIMZI = 'strimzi',
}

/** Pod Security level of an operator namespace, with the reason when it is not restricted. */
export interface OperatorPodSecurity {
  readonly level: 'restricted' | 'baseline' | 'privileged';
  readonly reason?: string;
}

/** Static facts about one operator. */
export interface OperatorInfo {
  /** Key of the operator's pin under `clusters.<name>.operators`. */
  readonly configKey: keyof OperatorsConfig;
  /** Namespace the operator runs in (created in the operators layer, unless upstream manifests create it). */
  readonly namespace: string;
  /** Chart name when the config names none. */
  readonly defaultChart: string;
  /** API groups of the CRDs the operator installs: their objects may only be applied after it. */
  readonly apiGroups: readonly string[];
  /** Operators that must be ready before this one installs (their CRDs are used by its chart). */
  readonly dependsOn: readonly Operator[];
  /** Pod Security of its namespace. */
  readonly podSecurity: OperatorPodSecurity;
  /**
   * Pod ports that must accept connections (TCP) in the operator namespace: the admission webhook ports the API
   * server calls (its addresses are not pods, so from anywhere), and ports other namespaces' pods need. Nothing
   * else is admitted: metrics stay unreachable until a scraper is set up, and kubelet probes are not subject to
   * NetworkPolicy. Empty: the operator serves nothing.
   */
  readonly ingressPorts: readonly OperatorPort[];
}

/** A port an operator serves, and why (the upstream fact at the pinned version). */
export interface OperatorPort {
  readonly port: number;
  readonly why: string;
}

/** Every operator, in install order (a dependency comes before the operators that depend on it). */
export const OPERATORS: { readonly [O in Operator]: OperatorInfo } = {
  [Operator.GATEWAY_CONTROLLER]: {
    configKey: 'gatewayController', namespace: 'envoy-gateway-system', defaultChart: 'gateway-helm',
    apiGroups: ['gateway.networking.k8s.io', 'gateway.envoyproxy.io'], dependsOn: [],
    // Restricted since gateway-helm v1.3.0 (envoyproxy/gateway PR #4536): at v1.5.0 the controller
    // (deployment.envoyGateway.securityContext) and the certgen Job (certgen.job.securityContext) drop ALL, run as
    // non-root with seccomp RuntimeDefault (charts/gateway-helm/values.yaml v1.5.0); Envoy proxies get the same
    // defaults (internal/infrastructure/kubernetes/resource/resource.go DefaultSecurityContext) and run in the
    // Gateway's namespace anyway (GatewayNamespace deploy mode, envoyGatewayValues).
    podSecurity: { level: 'restricted' },
    ingressPorts: [
      { port: 9443, why: 'topology injector webhook: envoyproxy/gateway v1.5.0 charts/gateway-helm/templates/envoy-gateway-deployment.yaml containerPort 9443 (name webhook); values topologyInjector.enabled true' },
      { port: 18000, why: 'xDS for the proxies, which run in the Gateway namespaces (GatewayNamespace mode): values.yaml deployment.ports grpc 18000' },
    ],
  },
  [Operator.CERT_MANAGER]: {
    configKey: 'certManager', namespace: 'cert-manager', defaultChart: 'cert-manager',
    apiGroups: ['cert-manager.io', 'acme.cert-manager.io'], // With a Gateway API controller cert-manager gets Gateway API support, and its controller exits at start
    // while the Gateway API CRDs are missing (cert-manager v1.18.2 pkg/controller/context.go): install it after.
    dependsOn: [Operator.GATEWAY_CONTROLLER], podSecurity: { level: 'restricted' },
    ingressPorts: [{ port: 10250, why: 'webhook: cert-manager v1.18.2 values.yaml webhook.securePort 10250' }],
  },
  [Operator.KSERVE]: {
    configKey: 'kserve', namespace: 'kserve', defaultChart: 'kserve',
    apiGroups: ['serving.kserve.io'], dependsOn: [Operator.CERT_MANAGER],
    // Restricted: the only pod the kserve chart runs in its namespace is kserve-controller-manager (kube-rbac-proxy and
    // manager), and its chart defaults pass restricted: pod securityContext runAsNonRoot true and seccompProfile
    // RuntimeDefault (it covers every container); both containers allowPrivilegeEscalation false, capabilities
    // drop [ALL], runAsNonRoot true; one secret volume (kserve/kserve v0.16.0 charts/kserve-resources/values.yaml
    // kserve.controller.securityContext, containerSecurityContext, rbacProxy.securityContext, templates/
    // deployment.yaml; the same values at v0.20.0, rendered by files/kserve/deployment-patch.yaml). The localmodel
    // controller and node agent (hostPath) render only with kserve.localmodel.enabled (default false; in v0.20.0 a
    // separate chart). The platform sets none of these values; the verifier models the pod (lib/verify/pod-model.ts).
    podSecurity: { level: 'restricted' },
    ingressPorts: [{ port: 9443, why: 'webhook: kserve v0.16.0 charts/kserve-resources/templates/deployment.yaml containerPort 9443 (webhook-server); Service kserve-webhook-server-service 443 -> 9443' }],
  },
  [Operator.SPARK_OPERATOR]: {
    configKey: 'sparkOperator', namespace: 'spark-operator', defaultChart: 'spark-operator',
    apiGroups: ['sparkoperator.k8s.io'], dependsOn: [], podSecurity: { level: 'restricted' },
    ingressPorts: [{ port: 9443, why: 'webhook: spark-operator 2.5.2 values.yaml webhook.port 9443' }],
  },
  [Operator.TRAINING_OPERATOR]: {
    configKey: 'trainingOperator', namespace: 'kubeflow', defaultChart: './manifests/overlays/standalone',
    apiGroups: ['kubeflow.org'], dependsOn: [],
    podSecurity: { level: 'baseline', reason: 'the upstream Deployment sets only allowPrivilegeEscalation: false (no runAsNonRoot, seccomp profile or dropped capabilities; kubeflow/trainer v1.9.4 manifests/base/deployment.yaml); audit and warn stay at restricted' },
    // Its namespace comes from the operators layer (the overlay's own Namespace is patched out).
    ingressPorts: [{ port: 9443, why: 'webhook: kubeflow/trainer v1.9.4 manifests, container port webhook-server 9443' }],
  },
  [Operator.AAD_POD_IDENTITY]: {
    configKey: 'aadPodIdentity', namespace: 'aad-pod-identity', defaultChart: 'aad-pod-identity',
    apiGroups: ['aadpodidentity.k8s.io'], dependsOn: [],
    podSecurity: { level: 'privileged', reason: 'NMI intercepts the instance metadata endpoint with hostNetwork and NET_ADMIN on every node' },
    // MIC serves no webhook; NMI runs with hostNetwork, where NetworkPolicies do not apply.
    ingressPorts: [],
  },
  [Operator.NVIDIA_DEVICE_PLUGIN]: {
    configKey: 'nvidiaDevicePlugin', namespace: 'nvidia-device-plugin', defaultChart: 'nvidia-device-plugin',
    apiGroups: [], dependsOn: [],
    podSecurity: { level: 'privileged', reason: 'the device plugin mounts hostPath /var/lib/kubelet/device-plugins (the kubelet device plugin socket), /run/nvidia/mps and /var/run/cdi, which baseline forbids (NVIDIA/k8s-device-plugin v0.20.0 templates/daemonset-device-plugin.yml)' },
    // The plugin talks to the kubelet over a unix socket and serves nothing over the network.
    ingressPorts: [],
  },
  // Chart strimzi-kafka-operator 1.2.0 sets a restricted container securityContext by default (CHANGELOG 1.2.0,
  // values.yaml `securityContext`); its CRDs serve only kafka.strimzi.io/v1 (and core.strimzi.io StrimziPodSet).
  [Operator.STRIMZI]: {
    configKey: 'strimzi', namespace: 'strimzi', defaultChart: 'strimzi-kafka-operator',
    apiGroups: ['kafka.strimzi.io', 'core.strimzi.io'], dependsOn: [], podSecurity: { level: 'restricted' },
    // The cluster operator serves no webhook (values.yaml 1.2.0 declares none); it only calls the API server and Kafka.
    ingressPorts: [],
  },
};

/** Label on every object that installs an operator, naming the operator (tests and `kubectl get -l` use it). */
export const OPERATOR_LABEL = 'platform.ml/operator';

/** Why a cluster needs an operator: the config path of the section that asks for it. */
export interface OperatorNeed {
  readonly operator: Operator;
  /** Config path (under the cluster) of the section that needs the operator. */
  readonly neededBy: readonly string[];
}

/** The config sections of other features that decide operators, typed loosely so a missing section is tolerated. */
interface OperatorRelevantSections {
  readonly dataProcessing?: unknown;
  readonly training?: unknown;
  readonly serving?: { readonly kserve?: unknown };
  readonly routing?: { readonly mode?: string; readonly tls?: { readonly clusterIssuer?: string } };
  readonly identityMode?: string;
  readonly streaming?: unknown;
}

/**
 * The operators a cluster needs, decided from its config sections (and nothing else):
 * - `dataProcessing` -> Spark operator (Spark jobs are SparkApplications);
 * - `training` -> training operator (PyTorchJob);
 * - `serving` -> KServe and cert-manager (KServe's webhook certificates) when it has `kserve`;
 * - `routing` (any cluster that routes: serving, NiFi, JupyterHub) -> a Gateway API controller when it uses the
 *   Gateway API; cert-manager when routes get certificates from a ClusterIssuer;
 * - `identityMode: aad-pod-identity` -> aad-pod-identity;
 * - a node pool with `gpusPerNode` -> the NVIDIA device plugin (AKS GPU nodes advertise nvidia.com/gpu only with it);
 * - `streaming` -> Strimzi (Kafka and its topics and users are Strimzi custom resources).
 * Sections that do not exist (yet) simply add nothing. Returned in install order (OPERATORS order).
 */
export function requiredOperators(cluster: ClusterConfig): OperatorNeed[] {
  const sections = cluster as ClusterConfig & OperatorRelevantSections;
  const needs = new Map<Operator, string[]>();
  const need = (operator: Operator, ...path: string[]) => { if (!needs.has(operator)) needs.set(operator, path); };
  if (sections.dataProcessing) need(Operator.SPARK_OPERATOR, 'dataProcessing');
  if (sections.training) need(Operator.TRAINING_OPERATOR, 'training');
  if (sections.serving?.kserve) {
    need(Operator.KSERVE, 'serving', 'kserve');
    need(Operator.CERT_MANAGER, 'serving', 'kserve');
  }
  if (sections.routing?.mode === 'gateway-api') need(Operator.GATEWAY_CONTROLLER, 'routing', 'mode');
  if (sections.routing?.tls?.clusterIssuer) need(Operator.CERT_MANAGER, 'routing', 'tls', 'clusterIssuer');
  if (sections.identityMode === 'aad-pod-identity') need(Operator.AAD_POD_IDENTITY, 'identityMode');
  const gpuPool = Object.entries(cluster.nodePools ?? {}).find(([, pool]) => pool.gpusPerNode !== undefined);
  if (gpuPool) need(Operator.NVIDIA_DEVICE_PLUGIN, 'nodePools', gpuPool[0], 'gpusPerNode');
  if (sections.streaming) need(Operator.STRIMZI, 'streaming');
  return (Object.keys(OPERATORS) as Operator[]).filter((op) => needs.has(op)).map((operator) => ({ operator, neededBy: needs.get(operator)! }));
}

/** The operator that installs the CRDs of an API group, if any. */
export function operatorOfApiGroup(group: string): Operator | undefined {
  return (Object.keys(OPERATORS) as Operator[]).find((op) => OPERATORS[op].apiGroups.includes(group));
}

/** API groups of Flux itself: installed at bootstrap, so their objects may be applied in any layer. */
export const FLUX_API_GROUPS: readonly string[] = [
  'source.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io',
  'notification.toolkit.fluxcd.io', 'image.toolkit.fluxcd.io',
];
