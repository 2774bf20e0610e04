/**
 * GitOps delivery: where Flux finds `dist/` (top-level `gitops`), which operator charts each cluster pins
 * (`clusters.<name>.operators`) and the Airflow instance of a cluster (`clusters.<name>.airflow`).
 */
import { Closed, DnsLabel, Pattern, StringEnum, Type, Static } from '../config/schema-helpers';

/** A Flux duration such as 30s, 10m or 1h30m. */
const Duration = (description: string) =>
  Pattern('^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$', `${description}: a duration such as 30s, 10m or 1h`);

/** An exact chart or release version: versions are pinned, so ranges, wildcards and `latest` are rejected. */
export const EXACT_VERSION_PATTERN = '^v?[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$';

/** Name of a Kubernetes Secret (a DNS subdomain). */
const SecretName = (description: string) =>
  Pattern('^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$', `${description}: a Secret name (lowercase letters, digits, '-' and '.')`);

/**
 * How Flux's source-controller authenticates to a private chart registry (Flux source-controller v1.9.1 CRDs in
 * /work/shared/crds/flux: OCIRepository and HelmRepository `spec.provider` = generic|aws|azure|gcp, `spec.secretRef`).
 */
const RegistryAccess = {
  provider: Type.Optional(StringEnum(['generic', 'azure'] as const, 'oci:// registries only: azure makes Flux log in to an Azure Container Registry with its own Azure identity (source-controller Workload Identity or the kubelet identity, which needs AcrPull); generic uses secretName or anonymous access. Default: generic')),
  secretName: Type.Optional(SecretName('Secret in the operator namespace with the registry credentials, created outside dist/: type kubernetes.io/dockerconfigjson for oci://, keys username and password for https://. Default: none (public)')),
};

/** A pinned Helm chart: where it is published and its exact version. */
export const HelmChartPinSchema = Closed({
  repository: Pattern('^(https|oci)://[^\\s]+[^/\\s]$',
    'Helm repository URL: https://... for a classic chart repository, oci://... for an OCI registry (without the chart name), no trailing /'),
  chart: Type.Optional(Pattern('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'chart name in the repository. Default: the usual chart name of this operator')),
  version: Pattern(EXACT_VERSION_PATTERN, 'exact chart version such as 1.18.2 or v0.15.2 (no ranges: every chart is pinned)'),
  ...RegistryAccess,
}, { description: 'a Helm chart pinned to one version' });

/** A pinned set of upstream kustomize manifests in a Git repository (for operators that publish no chart). */
export const GitManifestsPinSchema = Closed({
  repository: Pattern('^https://[^\\s]+$', 'https URL of the Git repository that holds the manifests'),
  tag: Pattern(EXACT_VERSION_PATTERN, 'exact Git tag such as v1.9.4 (no branches: the manifests are pinned)'),
  path: Type.Optional(Pattern('^\\./[^\\s]*$', 'path of the kustomize overlay in the repository, starting with ./. Default: the upstream standalone overlay')),
}, { description: 'upstream manifests pinned to one Git tag' });

/** Operator versions of one cluster. Only the operators the cluster uses are installed; each must be pinned here. */
export const OperatorsSchema = Closed({
  certManager: Type.Optional(HelmChartPinSchema),
  sparkOperator: Type.Optional(HelmChartPinSchema),
  trainingOperator: Type.Optional(GitManifestsPinSchema),
  kserve: Type.Optional(Closed({
    repository: Pattern('^oci://[^\\s]+[^/\\s]$', 'OCI registry of the KServe charts (kserve-crd and kserve), such as oci://ghcr.io/kserve/charts'),
    chart: Type.Optional(Pattern('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'name of the KServe controller chart (the CRDs come from kserve-crd). Default: kserve')),
    ...RegistryAccess,
  }, { description: 'where the KServe charts come from; the version is serving.kserve.version' })),
  gatewayController: Type.Optional(HelmChartPinSchema),
  aadPodIdentity: Type.Optional(HelmChartPinSchema),
  nvidiaDevicePlugin: Type.Optional(HelmChartPinSchema),
  airflow: Type.Optional(HelmChartPinSchema),
  strimzi: Type.Optional(HelmChartPinSchema),
  jupyterhub: Type.Optional(HelmChartPinSchema),
}, { description: 'pinned charts of the operators this cluster uses (cert-manager, Spark operator, training operator, KServe, Gateway API controller, aad-pod-identity, NVIDIA device plugin, Airflow, Strimzi, JupyterHub)' });

/** Airflow with the KubernetesExecutor, on the official chart. */
export const AirflowSchema = Closed({
  namespace: Type.Optional(DnsLabel('namespace of Airflow; it must be declared under namespaces. Default: airflow')),
  identity: Type.String({ minLength: 1, description: 'key under identities of the managed identity Airflow uses (remote logs, DAG tasks)' }),
  imageTag: Type.Optional(Pattern('^[0-9]+\\.[0-9]+\\.[0-9]+(-[-a-z0-9.]+)?$', 'Airflow image tag such as 3.0.2 or 3.0.2-python3.12. Default: the chart\'s own Airflow version')),
  airflowVersion: Type.Optional(Pattern('^[0-9]+\\.[0-9]+\\.[0-9]+$', 'Airflow version X.Y.Z the chart\'s version gates use (never a suffixed tag). Default: the leading X.Y.Z of imageTag, else the chart\'s Airflow version')),
  imageDigest: Type.Optional(Pattern('^sha256:[a-f0-9]{64}$', 'digest of the Airflow image (sha256:<64 hex digits>), pinning it exactly; the chart then pulls by digest (values defaultAirflowDigest, which takes precedence over the tag). Default: none (by tag)')),
  dags: Closed({
    repository: Pattern('^(https|ssh)://[^\\s]+$', 'Git URL of the DAG repository (https:// or ssh://)'),
    branch: Type.Optional(Type.String({ minLength: 1, description: 'branch git-sync follows. Default: main' })),
    subPath: Type.Optional(Type.String({ description: 'folder of the DAGs in the repository. Default: the repository root' })),
    credentialsSecret: Type.Optional(SecretName('Secret with git-sync credentials for a private https:// repository, created outside dist/, with all four keys chart 1.18.0 reads: GIT_SYNC_USERNAME and GITSYNC_USERNAME (same user), GIT_SYNC_PASSWORD and GITSYNC_PASSWORD (same token)')),
    sshKeySecret: Type.Optional(SecretName('Secret with key gitSshKey (private key) for an ssh:// repository, created outside dist/; required for ssh://')),
    knownHosts: Type.Optional(Type.String({ minLength: 1, description: 'known_hosts lines of the Git host of an ssh:// repository (git-sync verifies the host key with them); required for ssh://' })),
  }, { description: 'DAGs pulled from Git by git-sync' }),
  logs: Closed({
    storageAccount: Type.String({ minLength: 1, description: 'key under azure.storageAccounts of the account that holds task logs' }),
    container: Pattern('^[a-z0-9](-?[a-z0-9]){2,62}$', 'blob container of the task logs (3 to 63 lowercase letters, digits and single hyphens)'),
    folder: Type.Optional(Type.String({ pattern: '^[^\\s/][^\\s]*$', description: 'folder inside the container. Default: the cluster name' })),
  }, { description: 'remote task logs on Azure Blob Storage, read and written with the Airflow identity' }),
  database: Closed({
    secretName: SecretName('Secret with key "connection" holding the postgresql:// URL of the external metadata database, created outside dist/'),
  }, { description: 'the external Postgres metadata database' }),
}, { description: 'Airflow (official Helm chart, KubernetesExecutor) on this cluster' });

/**
 * Folder counts a layer may be spread over (`clusters.<name>.layerFolders`). Powers of two, so that raising the
 * count only ever moves an object to a folder with a higher index, which Flux applies earlier (see
 * `splitIntoFolders` in lib/synth/manifest-files.ts and docs/output.md "Split layers and Flux prune").
 */
export const LAYER_FOLDER_COUNTS = [1, 2, 4, 8, 16, 32, 64] as const;
export type LayerFolderCount = typeof LAYER_FOLDER_COUNTS[number];

const FolderCount = (layer: string) => Type.Unsafe<LayerFolderCount>({
  type: 'integer', enum: [...LAYER_FOLDER_COUNTS],
  description: `number of hash folders the ${layer} layer is spread over (1, 2, 4, 8, 16, 32 or 64): each object's folder is a hash of its workload or its own name, so adding or removing objects moves no other object; raise it (and review the moves in npm run diff) when synth says the layer no longer fits. Default: 1 (one folder)`,
});

/**
 * How many folders (Flux Kustomizations) the platform and workloads layers of a cluster are spread over. The
 * operators layer stays one folder: its HelmReleases wait for each other with `dependsOn`, which only works within
 * a folder or towards an earlier one, and it is small (one release and its baseline per operator).
 */
export const LayerFoldersSchema = Closed({
  platform: Type.Optional(FolderCount('platform')),
  workloads: Type.Optional(FolderCount('workloads')),
}, { description: 'folders per delivery layer, for layers past one folder\'s limit (500 objects or 512 KiB of YAML); an explicit, reviewed choice because changing it moves objects between Flux Kustomizations' });

/** Where Flux finds the generated manifests, and how often it reconciles them. */
export const GitOpsSchema = Closed({
  repository: Closed({
    url: Pattern('^(https|ssh)://[^\\s]+$', 'URL of the Git repository that holds dist/ (https:// or ssh://)'),
    branch: Type.Optional(Type.String({ minLength: 1, description: 'branch Flux follows. Default: main' })),
    path: Type.Optional(Pattern('^[^\\s/.][^\\s]*[^\\s/]$|^[^\\s/.]$', 'folder of the generated manifests in the repository, without ./ or trailing /. Default: dist')),
    secretName: Type.Optional(SecretName('Secret in the Flux namespace with the Git credentials, created at bootstrap. Default: none (public repository)')),
  }, { description: 'the Git repository Flux syncs' }),
  namespace: Type.Optional(DnsLabel('namespace of the Flux controllers and objects. Default: flux-system')),
  intervals: Type.Optional(Closed({
    source: Type.Optional(Duration('how often Flux fetches the repository. Default: 1m')),
    layers: Type.Optional(Duration('how often each layer is reconciled (drift correction). Default: 10m')),
    retry: Type.Optional(Duration('how soon a failed layer is retried. Default: 2m')),
    timeout: Type.Optional(Duration('how long a layer may take to apply and become healthy. Default: 15m')),
    helmReleases: Type.Optional(Duration('how often HelmReleases are reconciled. Default: 30m')),
  }, { description: 'Flux reconcile intervals' })),
}, { description: 'GitOps delivery of dist/ with Flux' });

export type HelmChartPin = Static<typeof HelmChartPinSchema>;
export type GitManifestsPin = Static<typeof GitManifestsPinSchema>;
export type OperatorsConfig = Static<typeof OperatorsSchema>;
export type AirflowConfig = Static<typeof AirflowSchema>;
export type GitOpsConfig = Static<typeof GitOpsSchema>;
export type LayerFoldersConfig = Static<typeof LayerFoldersSchema>;
