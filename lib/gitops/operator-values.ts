/**
 * Typed Helm values of the operator charts. Only the keys the platform sets are modelled; each interface
 * follows the chart's own `values.yaml` (unknown keys are silently ignored by Helm, so a typo here would be
 * invisible in the cluster: the types catch it at compile time).
 */
import { HelmReleaseSpecPostRenderers } from '../../imports/helm.toolkit.fluxcd.io';

/** Requests and limits in the plain form Helm values use. */
export interface HelmResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Container security context in plain form. */
export interface HelmContainerSecurity {
  readonly allowPrivilegeEscalation: false;
  readonly capabilities: { readonly drop: readonly ['ALL'] };
  readonly runAsNonRoot: true;
  readonly readOnlyRootFilesystem?: boolean;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

/** Pod security context in plain form. */
export interface HelmPodSecurity {
  readonly runAsNonRoot: true;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly fsGroup?: number;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

/** Requests and limits from two cpu/memory pairs. */
export function helmResources(cpu: string, memory: string, cpuLimit: string, memoryLimit: string): HelmResources {
  return { requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/** Resources of the storage-initializer init container KServe injects into predictors (chart value kserve.storage.resources). */
export const KSERVE_STORAGE_INITIALIZER_RESOURCES: HelmResources = helmResources('100m', '100Mi', '1', '1Gi');

/** A container security context that passes the restricted Pod Security level. */
export function restrictedContainer(readOnlyRootFilesystem = true): HelmContainerSecurity {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    readOnlyRootFilesystem,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** A pod security context that passes the restricted Pod Security level. */
export function restrictedPod(uid?: number): HelmPodSecurity {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

/** Values of the cert-manager chart (charts.jetstack.io, 1.15 and later). */
export interface CertManagerValues {
  readonly crds: { readonly enabled: boolean; readonly keep: boolean };
  readonly global: { readonly leaderElection: { readonly namespace: string } };
  readonly resources: HelmResources;
  readonly webhook: { readonly resources: HelmResources };
  readonly cainjector: { readonly resources: HelmResources };
  /** The controller configuration file; `enableGatewayAPI` lets cert-manager issue certificates for Gateway listeners. */
  readonly config?: { readonly apiVersion: 'controller.config.cert-manager.io/v1alpha1'; readonly kind: 'ControllerConfiguration'; readonly enableGatewayAPI: true };
  /** Labels of the controller pods (chart value `podLabels`). */
  readonly podLabels?: { readonly [key: string]: string };
  /** The controller's ServiceAccount (chart value `serviceAccount.annotations`). */
  readonly serviceAccount?: { readonly annotations: { readonly [key: string]: string } };
}

/** Azure Workload Identity of the cert-manager controller (see `ChartServiceAccountIdentity`). */
export interface CertManagerWorkloadIdentity {
  readonly podLabels: { readonly [key: string]: string };
  readonly serviceAccountAnnotations: { readonly [key: string]: string };
}

/**
 * cert-manager with its CRDs (kept on uninstall), leader election in its own namespace instead of kube-system. With
 * `workloadIdentity` (ACME DNS-01 on Azure DNS) the controller pods get the Workload Identity label and its
 * ServiceAccount the client and tenant ID: chart v1.18.2 values.yaml `podLabels` (controller pods only,
 * templates/deployment.yaml) and `serviceAccount.annotations` (templates/serviceaccount.yaml).
 */
export function certManagerValues(namespace: string, gatewayApi = false, workloadIdentity?: CertManagerWorkloadIdentity): CertManagerValues {
  return {
    config: gatewayApi ? { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true } : undefined,
    podLabels: workloadIdentity ? { ...workloadIdentity.podLabels } : undefined,
    serviceAccount: workloadIdentity ? { annotations: { ...workloadIdentity.serviceAccountAnnotations } } : undefined,
    crds: { enabled: true, keep: true },
    global: { leaderElection: { namespace } },
    resources: helmResources('50m', '128Mi', '500m', '512Mi'),
    webhook: { resources: helmResources('20m', '64Mi', '200m', '256Mi') },
    cainjector: { resources: helmResources('20m', '128Mi', '200m', '512Mi') },
  };
}

/** Values of the Kubeflow Spark operator chart (2.x). */
export interface SparkOperatorValues {
  readonly spark: {
    readonly jobNamespaces: readonly string[];
    readonly serviceAccount: { readonly create: false; readonly name: string };
    readonly rbac: { readonly create: false };
  };
  readonly controller: { readonly resources: HelmResources; readonly podSecurityContext: HelmPodSecurity; readonly securityContext: HelmContainerSecurity };
  readonly webhook: { readonly enable: true; readonly resources: HelmResources; readonly podSecurityContext: HelmPodSecurity; readonly securityContext: HelmContainerSecurity };
}

/**
 * The Spark operator watching exactly the Spark namespaces of the data-processing section. The driver
 * ServiceAccount and its Role come from `SparkRbac`, so the chart creates neither (chart 2.x key
 * `spark.jobNamespaces`; the 1.x key `sparkJobNamespaces` would be silently ignored).
 */
export function sparkOperatorValues(jobNamespaces: readonly string[], serviceAccountName: string): SparkOperatorValues {
  const pod = restrictedPod(185);
  return {
    spark: { jobNamespaces: [...jobNamespaces], serviceAccount: { create: false, name: serviceAccountName }, rbac: { create: false } },
    // Read-only root filesystems, as the chart's defaults (values.yaml 2.5.2 controller/webhook.securityContext,
    // upstream PR #2282): the chart's own volumes stay (controller: `tmp` emptyDir at /tmp for spark-submit;
    // webhook: `serving-certs` emptyDir), since we set neither `volumes` nor `volumeMounts` (a list would replace them).
    controller: { resources: helmResources('100m', '300Mi', '1', '1Gi'), podSecurityContext: pod, securityContext: restrictedContainer(true) },
    webhook: { enable: true, resources: helmResources('50m', '128Mi', '500m', '512Mi'), podSecurityContext: pod, securityContext: restrictedContainer(true) },
  };
}

/** Values of the KServe controller chart. */
export interface KServeValues {
  readonly kserve: {
    readonly controller: {
      readonly deploymentMode: string;
      readonly gateway: { readonly disableIngressCreation: boolean };
    };
    /** The storage-initializer init container KServe injects into predictors (its ClusterStorageContainer). */
    readonly storage: { readonly containerSecurityContext: HelmContainerSecurity; readonly resources: HelmResources };
  };
}

/**
 * KServe with the default deployment mode the models use (its spelling depends on the KServe version), and
 * without KServe's own Ingress/HTTPRoute creation: routes to models are generated by the serving layer. The
 * storage initializer it injects into every predictor gets a security context that passes the restricted Pod
 * Security level of the models namespace (and the requests and limits every container must have).
 */
export function kserveValues(deploymentModeValue: string): KServeValues {
  return {
    kserve: {
      controller: { deploymentMode: deploymentModeValue, gateway: { disableIngressCreation: true } },
      storage: { containerSecurityContext: restrictedContainer(false), resources: KSERVE_STORAGE_INITIALIZER_RESOURCES },
    },
  };
}

/**
 * Post-renderer of the kserve chart for `identityMode: aad-pod-identity`: adds `AZURE_CLIENT_ID` (from the pod
 * annotation `clientIdAnnotation`, downward API) to the chart's ClusterStorageContainer `default`, the
 * container KServe merges into every storage-initializer it injects for blob URIs.
 *
 * Why: kserve v0.16.0 python/storage/kserve_storage/kserve_storage.py `_get_azure_storage_token()` returns None,
 * and the download goes anonymous, unless AZURE_CLIENT_ID (or AZ_CLIENT_ID) is set in the storage-initializer; with
 * it, `DefaultAzureCredential()` reaches ManagedIdentityCredential for that client ID, which NMI answers. KServe
 * injects env into the init container only from ServiceAccount Secrets (pkg/credentials/service_account_credentials.go
 * `mountSecretCredential`) or the storage-config Secret, and dist/ holds no Secret; the ClusterStorageContainer
 * `default` (chart charts/kserve-resources/templates/clusterstoragecontainer.yaml, not gated by a value, no env) is
 * the first match for `https://(.+?).blob.core.windows.net/(.+)` and `mergeContainerSpecs`
 * (pkg/webhook/admission/pod/storage_initializer_injector.go) merges its `spec.container` over the init container.
 * A predictor without the annotation gets an empty AZURE_CLIENT_ID, i.e. the anonymous download it had before.
 *
 * Not used with Workload Identity: the azure-workload-identity webhook (MutatingWebhookConfiguration
 * `azure-wi-webhook-mutating-webhook-configuration`, `reinvocationPolicy: IfNeeded` since v1.0.0, PR #794) is run
 * again after KServe's pod webhook adds the storage-initializer and injects AZURE_CLIENT_ID, AZURE_TENANT_ID,
 * AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST and the token mount into init containers too
 * (pkg/webhook/webhook.go `mutateContainers(pod.Spec.InitContainers, ...)`, v1.3.0-v1.6.0); an empty
 * AZURE_CLIENT_ID set here would stop it from adding the real one.
 */
export function kserveStorageInitializerClientIdPatch(clientIdAnnotation: string): HelmReleaseSpecPostRenderers {
  const env = [{ name: 'AZURE_CLIENT_ID', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${clientIdAnnotation}']` } } }];
  return {
    kustomize: {
      patches: [{
        target: { group: 'serving.kserve.io', version: 'v1alpha1', kind: 'ClusterStorageContainer', name: 'default' },
        patch: JSON.stringify([{ op: 'add', path: '/spec/container/env', value: env }]),
      }],
    },
  };
}

/** Values of the Envoy Gateway chart (gateway-helm). */
export interface EnvoyGatewayValues {
  readonly config: {
    readonly envoyGateway: {
      readonly provider: { readonly type: 'Kubernetes'; readonly kubernetes: { readonly deploy: { readonly type: 'GatewayNamespace' } } };
    };
  };
  readonly deployment: { readonly envoyGateway: { readonly resources: HelmResources } };
}

/** Envoy Gateway in GatewayNamespace mode: each Gateway's proxies run in the Gateway's own namespace. */
export function envoyGatewayValues(): EnvoyGatewayValues {
  return {
    config: { envoyGateway: { provider: { type: 'Kubernetes', kubernetes: { deploy: { type: 'GatewayNamespace' } } } } },
    deployment: { envoyGateway: { resources: helmResources('100m', '256Mi', '1', '1Gi') } },
  };
}

/** Values of the aad-pod-identity chart (4.x). */
export interface AadPodIdentityValues {
  readonly mic: { readonly resources: HelmResources };
  readonly nmi: { readonly resources: HelmResources };
}

/** aad-pod-identity with bounded resources (legacy identity mode only). */
export function aadPodIdentityValues(): AadPodIdentityValues {
  return {
    mic: { resources: helmResources('50m', '256Mi', '200m', '1Gi') },
    nmi: { resources: helmResources('50m', '256Mi', '200m', '512Mi') },
  };
}

/** Values of the Strimzi cluster operator chart (strimzi-kafka-operator 1.2.0). */
export interface StrimziValues {
  /** Namespaces the operator watches besides its own (template `strimzi.watchNamespacesList`). */
  readonly watchNamespaces: readonly string[];
  readonly kubernetesServiceDnsDomain: string;
  /**
   * Extra operator env. STRIMZI_OPERATOR_NAMESPACE_LABELS: labels of the operator namespace, which the operator
   * puts in the namespace selector of the NetworkPolicy it generates for each Kafka cluster, so only its own
   * namespace reaches the brokers' internal ports (ClusterOperatorConfig OPERATOR_NAMESPACE_LABELS at 1.2.0). Set
   * through `extraEnvs`, a key values.yaml 1.2.0 declares (`image.operatorNamespaceLabels` is not declared there,
   * so the chart-values check refuses it).
   */
  readonly extraEnvs: readonly { readonly name: string; readonly value: string }[];
  readonly resources: HelmResources;
}

/**
 * The Strimzi operator watching the Kafka namespaces. Operand pods (Kafka, entity operator) get the restricted
 * security context: the operator's default provider is `BaselinePodSecurityProvider`
 * (ClusterOperatorConfig.java POD_SECURITY_PROVIDER_CLASS at 1.2.0), and `restricted` selects
 * `RestrictedPodSecurityProvider`, which sets allowPrivilegeEscalation false, runAsNonRoot, seccomp RuntimeDefault
 * and drops all capabilities on every container. The operator keeps generating the Kafka NetworkPolicy
 * (`generateNetworkPolicy: true`); its listener rules use the listener's `networkPolicyPeers`.
 */
export function strimziValues(watchNamespaces: readonly string[], operatorNamespace: string, clusterDomain = 'cluster.local'): StrimziValues {
  return {
    watchNamespaces: [...watchNamespaces],
    kubernetesServiceDnsDomain: clusterDomain,
    extraEnvs: [
      { name: 'STRIMZI_OPERATOR_NAMESPACE_LABELS', value: `kubernetes.io/metadata.name=${operatorNamespace}` },
      { name: 'STRIMZI_POD_SECURITY_PROVIDER_CLASS', value: 'restricted' },
    ],
    resources: helmResources('200m', '384Mi', '1', '384Mi'),
  };
}

/** A node taint in the parts a toleration needs. */
export interface TaintParts {
  readonly key: string;
  readonly value: string;
  readonly effect: string;
}

/** Values of the NVIDIA device plugin chart (nvidia-device-plugin 0.20.x). */
export interface NvidiaDevicePluginValues {
  readonly affinity: {
    readonly nodeAffinity: {
      readonly requiredDuringSchedulingIgnoredDuringExecution: {
        readonly nodeSelectorTerms: readonly { readonly matchExpressions: readonly { readonly key: string; readonly operator: 'In'; readonly values: readonly string[] }[] }[];
      };
    };
  };
  readonly tolerations: readonly { readonly key: string; readonly operator: 'Equal' | 'Exists'; readonly value?: string; readonly effect?: string }[];
  readonly resources: HelmResources;
}

/**
 * The device plugin on the GPU pools only, tolerating their taints. The chart's default affinity requires
 * NFD/GFD labels that AKS does not set, so it is replaced by the AKS pool label (Helm replaces lists, so the
 * nodeSelectorTerms list replaces the default one); its default tolerations (CriticalAddonsOnly,
 * nvidia.com/gpu) are kept and the pools' taints added (NVIDIA/k8s-device-plugin v0.20.0
 * deployments/helm/nvidia-device-plugin/values.yaml).
 */
export function nvidiaDevicePluginValues(gpuPools: readonly { readonly name: string; readonly taints: readonly TaintParts[] }[]): NvidiaDevicePluginValues {
  const taints = new Map<string, TaintParts>();
  for (const pool of gpuPools) for (const taint of pool.taints) taints.set(`${taint.key}=${taint.value}:${taint.effect}`, taint);
  return {
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{
      matchExpressions: [{ key: 'kubernetes.azure.com/agentpool', operator: 'In', values: gpuPools.map((pool) => pool.name).sort() }],
    }] } } },
    tolerations: [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      ...[...taints.keys()].sort().map((k) => { const t = taints.get(k)!; return { key: t.key, operator: 'Equal' as const, value: t.value, effect: t.effect }; }),
    ],
    resources: helmResources('10m', '64Mi', '100m', '256Mi'),
  };
}
