/**
 * What the pinned upstream charts and manifests do on the cluster, as far as the verifier needs it: the CRD
 * API groups they install, the namespaces they create or render into, the extended resources they make
 * allocatable, the API groups they need at start, and the containers their operators inject into pods. Every
 * row cites the upstream file it comes from (`project@tag:path`); a chart or version that is not in a table is
 * treated as installing nothing the verifier can count on.
 */

/** A chart the platform installs through a Flux HelmRelease. */
export interface HelmChartFacts {
  readonly chart: string;
  /** Versions the row was checked against. */
  readonly versions: RegExp;
  /** API groups of the CRDs the release installs with these values (Flux `install.crds: CreateReplace`). */
  readonly crdGroups: (values: Record<string, unknown>) => readonly string[];
  /** Namespaces other than the release namespace that the chart renders objects into, with the upstream fact. */
  readonly rendersInto?: (values: Record<string, unknown>) => { readonly namespaces: readonly string[]; readonly upstream: string };
  /** API groups the workload needs when it starts (else it crash-loops), with the upstream fact. */
  readonly needsGroups?: (values: Record<string, unknown>) => { readonly groups: readonly string[]; readonly upstream: string; readonly why: string }[];
  /** Extended resources its DaemonSet makes allocatable on the nodes it runs on. */
  readonly extendedResources?: readonly string[];
  readonly upstream: string;
}

/** Upstream kustomize manifests applied by a Flux Kustomization from a GitRepository at a tag. */
export interface GitManifestsFacts {
  readonly repository: string;
  readonly tags: RegExp;
  readonly path: string;
  /** Namespaces the manifests create. */
  readonly namespaces: readonly { readonly name: string; readonly source: string }[];
  readonly crdGroups: readonly string[];
  readonly upstream: string;
}

const get = (obj: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), obj);

const enabled = (value: unknown, byDefault: boolean): boolean => (value === undefined ? byDefault : value === true);

/** Charts, by name and checked versions. */
export const HELM_CHARTS: readonly HelmChartFacts[] = [
  {
    chart: 'cert-manager', versions: /^v1\.18\./,
    // cert-manager v1.18.2 values.yaml: crds.enabled (default false) or the deprecated installCRDs.
    crdGroups: (v) => (enabled(get(v, 'crds', 'enabled'), false) || get(v, 'installCRDs') === true ? ['cert-manager.io', 'acme.cert-manager.io'] : []),
    needsGroups: (v) => {
      const args = (get(v, 'extraArgs') as string[] | undefined) ?? [];
      const on = get(v, 'config', 'enableGatewayAPI') === true || args.includes('--enable-gateway-api');
      return on ? [{
        groups: ['gateway.networking.k8s.io'],
        upstream: 'cert-manager v1.18.2 pkg/controller/context.go (discovery of gateway.networking.k8s.io/v1 at start; missing CRDs => error, CrashLoopBackOff)',
        why: 'Gateway API support (config.enableGatewayAPI) makes the controller exit at start while the Gateway API CRDs are missing',
      }] : [];
    },
    upstream: 'cert-manager v1.18.2 deploy/charts/cert-manager/values.yaml',
  },
  {
    chart: 'gateway-helm', versions: /^v1\.5\./,
    crdGroups: () => ['gateway.networking.k8s.io', 'gateway.envoyproxy.io'],
    upstream: 'envoyproxy/gateway v1.5.0 charts/gateway-helm/crds (Gateway API and Envoy Gateway CRDs)',
  },
  {
    chart: 'kserve-crd', versions: /^v0\.1[0-9]\./,
    crdGroups: () => ['serving.kserve.io'],
    upstream: 'kserve/kserve v0.16.0 charts/kserve-crd/templates',
  },
  {
    chart: 'kserve', versions: /^v0\.1[0-9]\./,
    crdGroups: () => [],
    needsGroups: () => [{
      groups: ['serving.kserve.io', 'cert-manager.io'],
      upstream: 'kserve/kserve v0.16.0 charts/kserve-resources/templates (ClusterStorageContainer, cert-manager Certificate for the webhook)',
      why: 'the chart renders a ClusterStorageContainer and a cert-manager Certificate',
    }],
    upstream: 'kserve/kserve v0.16.0 charts/kserve-resources',
  },
  {
    chart: 'spark-operator', versions: /^2\.[0-9]+\./,
    crdGroups: () => ['sparkoperator.k8s.io'],
    rendersInto: (v) => {
      const jobNamespaces = ((get(v, 'spark', 'jobNamespaces') as string[] | undefined) ?? ['default']);
      if (jobNamespaces.includes('')) return { namespaces: [], upstream: '' };
      const perNamespace = enabled(get(v, 'spark', 'serviceAccount', 'create'), true) || enabled(get(v, 'spark', 'rbac', 'create'), true)
        || enabled(get(v, 'controller', 'rbac', 'create'), true) || (enabled(get(v, 'webhook', 'enable'), true) && enabled(get(v, 'webhook', 'rbac', 'create'), true));
      return {
        namespaces: perNamespace ? jobNamespaces : [],
        upstream: 'kubeflow/spark-operator v2.5.2 charts/spark-operator-chart/templates/controller/rbac.yaml and webhook/rbac.yaml (a Role and RoleBinding in every spark.jobNamespaces entry; values.yaml: "Make sure the namespaces have already existed")',
      };
    },
    upstream: 'kubeflow/spark-operator v2.5.2 charts/spark-operator-chart',
  },
  {
    chart: 'nvidia-device-plugin', versions: /^0\.(1[7-9]|2[0-9])\./,
    crdGroups: () => [],
    extendedResources: ['nvidia.com/gpu'],
    upstream: 'NVIDIA/k8s-device-plugin v0.20.0 deployments/helm/nvidia-device-plugin (DaemonSet registering nvidia.com/gpu with the kubelet)',
  },
  {
    chart: 'strimzi-kafka-operator', versions: /^(0\.4[0-9]|1)\./,
    crdGroups: () => ['kafka.strimzi.io', 'core.strimzi.io'],
    upstream: 'strimzi/strimzi-kafka-operator 1.2.0 helm-charts/helm3/strimzi-kafka-operator/crds (Kafka, KafkaNodePool, KafkaTopic, KafkaUser, StrimziPodSet, ...)',
  },
  {
    chart: 'airflow', versions: /^1\./,
    crdGroups: () => [],
    upstream: 'apache/airflow helm-chart 1.18.0',
  },
  {
    chart: 'aad-pod-identity', versions: /^4\./,
    crdGroups: () => ['aadpodidentity.k8s.io'],
    upstream: 'Azure/aad-pod-identity charts/aad-pod-identity',
  },
];

/** Upstream kustomize manifests, by repository, tag and path. */
export const GIT_MANIFESTS: readonly GitManifestsFacts[] = [
  {
    repository: 'https://github.com/kubeflow/trainer', tags: /^v1\.9\./, path: './manifests/overlays/standalone',
    namespaces: [{ name: 'kubeflow', source: 'kubeflow/trainer v1.9.4 manifests/overlays/standalone/namespace.yaml' }],
    crdGroups: ['kubeflow.org'],
    upstream: 'kubeflow/trainer v1.9.4 manifests/overlays/standalone',
  },
];

/** API groups served by every Kubernetes API server (no CRD needed). */
export const BUILT_IN_GROUPS: readonly string[] = [
  '', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'scheduling.k8s.io', 'coordination.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'node.k8s.io',
  'discovery.k8s.io', 'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io', 'events.k8s.io', 'apiregistration.k8s.io',
];

/** CRD groups installed before the first folder: Flux (bootstrap) and the AKS CSI snapshot controller. */
export const PREINSTALLED_GROUPS: Readonly<Record<string, string>> = {
  'source.toolkit.fluxcd.io': 'Flux bootstrap (flux install)',
  'kustomize.toolkit.fluxcd.io': 'Flux bootstrap (flux install)',
  'helm.toolkit.fluxcd.io': 'Flux bootstrap (flux install)',
  'notification.toolkit.fluxcd.io': 'Flux bootstrap (flux install)',
  'image.toolkit.fluxcd.io': 'Flux bootstrap (flux install --components-extra)',
  'snapshot.storage.k8s.io': 'AKS (CSI snapshot controller, learn.microsoft.com/azure/aks/azure-disk-csi)',
};

/** Namespaces every AKS cluster with Flux has before the first layer folder applies. */
export const AKS_AND_FLUX_NAMESPACES: Readonly<Record<string, string>> = {
  'default': 'Kubernetes',
  'kube-system': 'Kubernetes',
  'kube-public': 'Kubernetes',
  'kube-node-lease': 'Kubernetes',
  'flux-system': 'Flux bootstrap',
};

/** AKS built-in StorageClasses and their volume binding mode (learn.microsoft.com/azure/aks/concepts-storage). */
export const AKS_STORAGE_CLASSES: Readonly<Record<string, 'Immediate' | 'WaitForFirstConsumer'>> = {
  'default': 'WaitForFirstConsumer',
  'managed-csi': 'WaitForFirstConsumer',
  'managed-csi-premium': 'WaitForFirstConsumer',
  'managed': 'WaitForFirstConsumer',
  'managed-premium': 'WaitForFirstConsumer',
  'azurefile-csi': 'Immediate',
  'azurefile-csi-premium': 'Immediate',
  'azurefile': 'Immediate',
  'azurefile-premium': 'Immediate',
};
