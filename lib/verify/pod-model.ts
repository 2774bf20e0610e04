/**
 * The pods a cluster will run, as the API server will see them after the operators and webhooks did their
 * part: every pod template of every workload in dist/ (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs,
 * PyTorchJobs, Spark applications, InferenceServices), the pods of the charts the verifier models (the NVIDIA
 * device plugin), and the containers operators inject at run time (`INJECTIONS`, each with its upstream
 * source).
 */
import * as yaml from 'js-yaml';
import { at, ClusterModel, PlacedObject, ResolvedRelease } from './cluster-model';
import { ACME_SOLVER_ANNOTATION, http01SolverPodSpec, maxConcurrentChallenges } from '../gitops/cert-manager-solver';

/** A container as plain JSON. */
export type Container = Record<string, any>;
/** A pod spec as plain JSON. */
export type PodSpec = Record<string, any>;

/** One pod template after injection. */
export interface ModeledPod {
  /** The Flux-managed object that makes the pods. */
  readonly owner: PlacedObject;
  /** Which template of the owner (`spec.template`, `Worker`, `driver`, `predictor`, `chart DaemonSet`). */
  readonly template: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
  /** Pods of this template running at the same time at most (jobs counted as running). */
  readonly replicas: number;
  /** Containers injected at run time, with their source, by container name. */
  readonly injected: Readonly<Record<string, string>>;
  /** True for DaemonSets: one pod per node of every pool it lands on. */
  readonly perNode?: boolean;
}

/** What operators and webhooks inject into pods, per operator and version, with the upstream source. */
export const INJECTIONS = {
  pytorchInit: {
    operator: 'Kubeflow training operator v1.9.x',
    container: 'init-pytorch',
    what: 'init container into every Worker of a PyTorchJob that has a Master; built-in template has no securityContext, image alpine:3.10 (root); replaced by the file --pytorch-init-container-template-file (default /etc/config/initContainer.yaml) when it exists',
    upstream: 'kubeflow/trainer v1.9.4 pkg/controller.v1/pytorch/initcontainer.go, pkg/config/config.go',
  },
  kserveStorageInitializer: {
    operator: 'KServe v0.16.x',
    container: 'storage-initializer',
    what: 'init container into predictors with a non-pvc:// storageUri; resources and securityContext from the ClusterStorageContainer "default" (chart values kserve.storage.resources and kserve.storage.containerSecurityContext). Azure credentials: it downloads anonymously unless AZURE_CLIENT_ID is set in it; with Workload Identity the azure-wi webhook (reinvocationPolicy IfNeeded) runs again after KServe adds it and injects AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST and the token mount into init containers too; with aad-pod-identity the kserve HelmRelease post-renderer adds AZURE_CLIENT_ID from the predictor annotation platform.ml/azure-client-id to that ClusterStorageContainer',
    upstream: 'kserve/kserve v0.16.0 pkg/webhook/admission/pod/storage_initializer_injector.go, charts/kserve-resources/templates/clusterstoragecontainer.yaml, python/storage/kserve_storage/kserve_storage.py _get_azure_storage_token; Azure/azure-workload-identity v1.5.1 pkg/webhook/webhook.go (mutateContainers on InitContainers), chart azure-wi-webhook-mutating-webhook-configuration (reinvocationPolicy IfNeeded since v1.0.0)',
  },
  sparkPods: {
    operator: 'Kubeflow Spark operator v2.5.x',
    container: 'spark-kubernetes-driver / spark-kubernetes-executor',
    what: 'driver and executor pods from the SparkApplication: resources cores / coreLimit / memory + memoryOverhead, the pod template, labels, serviceAccount',
    upstream: 'kubeflow/spark-operator v2.5.2 internal/controller/sparkapplication/submission.go, internal/webhook/sparkpod_defaulter.go',
  },
  workloadIdentity: {
    operator: 'Azure Workload Identity webhook v1.x',
    container: '(env and a projected token volume; azwi-proxy-init and azwi-proxy only with the inject-proxy-sidecar annotation)',
    what: 'pods labelled azure.workload.identity/use=true get AZURE_* env and a projected serviceAccountToken volume (allowed by restricted); the proxy init container is privileged with NET_ADMIN',
    upstream: 'Azure/azure-workload-identity v1.5.1 pkg/webhook/webhook.go, v1.6.0 pkg/webhook/consts.go',
  },
  certManagerHttp01Solver: {
    operator: 'cert-manager v1.18.x',
    container: 'acmesolver',
    what: 'a pod per ACME HTTP-01 challenge (one per host name of the Certificate, at most maxConcurrentChallenges, default 60, at once) in the Gateway\'s namespace, with the controller\'s solver resources (default requests 10m/64Mi, limits 100m/64Mi) and a restricted-compliant securityContext (runAsNonRoot from solverRunAsNonRoot, default true)',
    upstream: 'cert-manager v1.18.2 pkg/issuer/acme/http/pod.go buildDefaultPod, internal/apis/config/controller/v1alpha1/defaults.go l.82, l.94-98, pkg/controller/certificate-shim/sync.go (Certificate in the Gateway\'s namespace)',
  },
  kserveController: {
    operator: 'KServe chart v0.16.x / v0.20.x (kserve-resources)',
    container: 'manager, kube-rbac-proxy',
    what: 'kserve-controller-manager in the release namespace, security contexts and resources from the chart values (kserve.controller.securityContext, containerSecurityContext, rbacProxy.securityContext, resources) merged over the chart defaults; with kserve.localmodel.enabled (v0.16 chart) also the localmodel node agent DaemonSet with a hostPath volume',
    upstream: 'kserve/kserve v0.16.0 charts/kserve-resources/values.yaml, templates/deployment.yaml, templates/localmodelnode/daemonset.yaml; v0.20.0 charts/kserve-resources/values.yaml, files/kserve/deployment-patch.yaml',
  },
  jupyterhubUserPods: {
    operator: 'JupyterHub chart (zero-to-jupyterhub-k8s) 4.x with KubeSpawner 7.0.0',
    container: 'notebook',
    what: 'one single-user server pod per profile of singleuser.profileList (one pod with the singleuser settings when there is none), spawned by the hub in the release namespace: the profile\'s kubespawner_override over the singleuser values (cpu_guarantee/mem_guarantee/extra_resource_guarantees are the requests, cpu_limit/mem_limit/extra_resource_limits the limits; memory K/M/G/T suffixes are powers of 1024; node_selector and tolerations replace the chart\'s), tolerations scheduling.userPods.tolerations + singleuser.extraTolerations, the KubeSpawner security contexts and extra_labels of hub.extraConfig over the chart\'s uid 1000 / fsGid 100; the home volume claim is created by the hub at spawn time and not modelled',
    upstream: 'jupyterhub/zero-to-jupyterhub-k8s 4.4.0 jupyterhub/files/hub/jupyterhub_config.py (singleuser.* to KubeSpawner traits, tolerations), jupyterhub/values.yaml (scheduling.userPods.tolerations, singleuser.uid, fsGid, memory.guarantee 1G); jupyterhub/kubespawner 7.0.0 kubespawner/objects.py make_pod (resources l.561-575), spawner.py (profile kubespawner_override); jupyterhub/jupyterhub 5.5.0 jupyterhub/traitlets.py ByteSpecification',
  },
  nvidiaDevicePlugin: {
    operator: 'NVIDIA device plugin chart 0.20.x',
    container: 'nvidia-device-plugin-ctr',
    what: 'DaemonSet with hostPath volumes (/var/lib/kubelet/device-plugins, /run/nvidia/mps, /var/run/cdi), running as root; affinity default requires NFD/GFD labels AKS does not set',
    upstream: 'NVIDIA/k8s-device-plugin v0.20.0 deployments/helm/nvidia-device-plugin/templates/daemonset-device-plugin.yml, values.yaml',
  },
} as const;

/** The built-in init-pytorch container of training operator v1.9.4 (initcontainer.go `initContainerTemplate`). */
const BUILT_IN_PYTORCH_INIT: Container = {
  name: 'init-pytorch',
  image: 'alpine:3.10',
  resources: { limits: { cpu: '100m', memory: '20Mi' }, requests: { cpu: '50m', memory: '10Mi' } },
};

/** Default storage-initializer resources and securityContext of the KServe v0.16.0 chart (values.yaml kserve.storage). */
const KSERVE_STORAGE_DEFAULTS = {
  resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  containerSecurityContext: { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
};

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const record = (value: unknown): Record<string, string> => (value && typeof value === 'object' ? value as Record<string, string> : {});

/** Spark memory ("4g", "512m") in MiB, as Spark parses it. */
export function sparkMemoryMiB(text: string): number {
  const match = /^([0-9]+)([kmgt]?)b?$/i.exec(text.trim());
  if (!match) return NaN;
  const factor: Record<string, number> = { '': 1 / (1024 * 1024), 'k': 1 / 1024, 'm': 1, 'g': 1024, 't': 1024 * 1024 };
  return Number(match[1]) * factor[match[2].toLowerCase()];
}

/** Every modeled pod of a cluster (computed once per model; callers must not modify them). */
export function modelPods(model: ClusterModel): ModeledPod[] {
  const cached = model.derived.get('pods') as ModeledPod[] | undefined;
  if (cached) return cached;
  const pods = computePods(model);
  model.derived.set('pods', pods);
  return pods;
}

function computePods(model: ClusterModel): ModeledPod[] {
  const pods: ModeledPod[] = [];
  const pytorchInit = pytorchInitContainers(model);
  const storage = kserveStorageContainer(model);
  for (const placed of model.objects) {
    const { obj } = placed;
    const namespace = obj.metadata.namespace ?? 'default';
    const fromTemplate = (template: string, tpl: any, replicas: number, perNode = false): ModeledPod => ({
      owner: placed, template, namespace, replicas, perNode,
      labels: record(tpl?.metadata?.labels), annotations: record(tpl?.metadata?.annotations), spec: clone(tpl?.spec ?? {}), injected: {},
    });
    const spec = (obj as any).spec ?? {};
    switch (obj.kind) {
      case 'Deployment': case 'StatefulSet': case 'ReplicaSet':
        pods.push(fromTemplate('spec.template', spec.template, spec.replicas ?? 1));
        break;
      case 'DaemonSet':
        pods.push(fromTemplate('spec.template', spec.template, 1, true));
        break;
      case 'Job':
        pods.push(fromTemplate('spec.template', spec.template, spec.parallelism ?? 1));
        break;
      case 'CronJob':
        pods.push(fromTemplate('spec.jobTemplate.spec.template', spec.jobTemplate?.spec?.template, spec.jobTemplate?.spec?.parallelism ?? 1));
        break;
      case 'PyTorchJob': {
        const replicas = spec.pytorchReplicaSpecs ?? {};
        const hasMaster = replicas.Master !== undefined;
        for (const type of Object.keys(replicas).sort()) {
          const pod = fromTemplate(type, replicas[type].template, replicas[type].replicas ?? 1);
          // Labels the training operator sets (kubeflow/trainer v1.9.4 pkg/apis/kubeflow.org/v1 common_types.go).
          (pod as { labels: Record<string, string> }).labels = { ...pod.labels, 'training.kubeflow.org/job-name': obj.metadata.name, 'training.kubeflow.org/replica-type': type.toLowerCase(), 'training.kubeflow.org/operator-name': 'pytorchjob-controller' };
          if (hasMaster && type.toLowerCase() === 'worker') {
            pod.spec.initContainers = [...(pod.spec.initContainers ?? []), ...pytorchInit.containers];
            for (const c of pytorchInit.containers) (pod.injected as Record<string, string>)[c.name] = pytorchInit.source;
          }
          pods.push(pod);
        }
        break;
      }
      case 'SparkApplication':
        pods.push(...sparkPods(placed, spec, ''));
        break;
      case 'ScheduledSparkApplication':
        pods.push(...sparkPods(placed, spec.template ?? {}, 'spec.template.'));
        break;
      case 'InferenceService':
        for (const component of ['predictor', 'transformer', 'explainer']) {
          if (spec[component]) pods.push(kservePod(placed, component, spec[component], storage));
        }
        break;
      default:
        break;
    }
  }
  for (const release of model.releases) {
    if (release.chart === 'nvidia-device-plugin') pods.push(devicePluginPod(release));
    if (release.chart === 'kserve' || release.chart === 'kserve-resources') pods.push(...kserveChartPods(release));
    if (release.chart === 'jupyterhub') pods.push(...jupyterhubUserPods(release));
  }
  pods.push(...http01SolverPods(model));
  return pods;
}

function sparkPods(placed: PlacedObject, app: any, prefix: string): ModeledPod[] {
  const namespace = placed.obj.metadata.namespace ?? 'default';
  return (['driver', 'executor'] as const).map((role) => {
    const r = app[role] ?? {};
    const tpl = r.template ?? {};
    const spec: PodSpec = clone(tpl.spec ?? {});
    const name = role === 'driver' ? 'spark-kubernetes-driver' : 'spark-kubernetes-executor';
    const memory = sparkMemoryMiB(String(r.memory ?? '1g'));
    const overhead = r.memoryOverhead !== undefined ? sparkMemoryMiB(String(r.memoryOverhead)) : Math.max(384, Math.ceil(memory * 0.1));
    const containers: Container[] = spec.containers?.length ? spec.containers : [{ name }];
    const main = containers.find((c) => c.name === name) ?? containers[0];
    main.name = name;
    main.image = main.image ?? app.image;
    // The operator sets requests from cores and memory + overhead, and the CPU limit from coreLimit.
    main.resources = {
      requests: { ...(main.resources?.requests ?? {}), cpu: String(r.cores ?? 1), memory: `${Math.ceil(memory + overhead)}Mi` },
      limits: { ...(main.resources?.limits ?? {}), ...(r.coreLimit ? { cpu: String(r.coreLimit) } : {}), memory: `${Math.ceil(memory + overhead)}Mi` },
    };
    if (r.securityContext) main.securityContext = { ...main.securityContext, ...r.securityContext };
    spec.containers = containers;
    spec.serviceAccountName = r.serviceAccount ?? spec.serviceAccountName;
    if (r.nodeSelector) spec.nodeSelector = { ...spec.nodeSelector, ...r.nodeSelector };
    if (r.tolerations) spec.tolerations = r.tolerations;
    if (r.affinity) spec.affinity = r.affinity;
    if (r.podSecurityContext) spec.securityContext = { ...spec.securityContext, ...r.podSecurityContext };
    const replicas = role === 'driver' ? 1 : Number(r.instances ?? 1);
    return {
      owner: placed, template: `${prefix}${role}`, namespace, replicas,
      // Labels the operator sets on driver and executor pods (spark-operator v2.5.2 internal/controller/sparkapplication/submission.go, Spark's spark-role).
      labels: { ...record(tpl.metadata?.labels), ...record(r.labels), 'spark-role': role, 'sparkoperator.k8s.io/app-name': placed.obj.metadata.name, 'sparkoperator.k8s.io/launched-by-spark-operator': 'true' }, annotations: { ...record(tpl.metadata?.annotations), ...record(r.annotations) },
      spec, injected: { [name]: INJECTIONS.sparkPods.upstream },
    };
  });
}

function kservePod(placed: PlacedObject, component: string, c: any, storage: { container: Container; source: string }): ModeledPod {
  const namespace = placed.obj.metadata.namespace ?? 'default';
  const podFields = ['nodeSelector', 'tolerations', 'affinity', 'securityContext', 'serviceAccountName', 'automountServiceAccountToken', 'volumes', 'hostNetwork', 'hostPID', 'hostIPC', 'imagePullSecrets'];
  const spec: PodSpec = {};
  for (const field of podFields) if (c[field] !== undefined) spec[field] = clone(c[field]);
  const model = c.model ?? (c.containers ? undefined : Object.values(c).find((v: any) => v && typeof v === 'object' && v.storageUri));
  const containers: Container[] = clone(c.containers ?? []);
  if (model) containers.unshift({ ...clone(model), name: 'kserve-container' });
  spec.containers = containers;
  const injected: Record<string, string> = {};
  const uri: string | undefined = model?.storageUri ?? c.storageUri;
  if (uri && !uri.startsWith('pvc://')) {
    spec.initContainers = [...(spec.initContainers ?? []), clone(storage.container)];
    injected['storage-initializer'] = storage.source;
  }
  // Labels KServe v0.16 puts on component pods (pkg/constants/constants.go InferenceServicePodLabelKey, KServiceComponentLabel).
  const labels = { ...record(c.labels), 'serving.kserve.io/inferenceservice': placed.obj.metadata.name, component };
  return {
    owner: placed, template: `spec.${component}`, namespace, replicas: c.minReplicas ?? 1,
    labels, annotations: record(c.annotations), spec, injected,
  };
}

/** The storage initializer KServe injects, from the kserve HelmRelease values (or the chart defaults). */
function kserveStorageContainer(model: ClusterModel): { container: Container; source: string } {
  const release = model.releases.find((r) => r.chart === 'kserve');
  const storage = (at(release?.values, 'kserve', 'storage') as Record<string, unknown> | undefined) ?? {};
  return {
    container: {
      name: 'storage-initializer',
      resources: clone(storage.resources ?? KSERVE_STORAGE_DEFAULTS.resources),
      securityContext: clone(storage.containerSecurityContext ?? KSERVE_STORAGE_DEFAULTS.containerSecurityContext),
    },
    source: `${INJECTIONS.kserveStorageInitializer.upstream}${release ? ` (values of HelmRelease ${release.obj.metadata.namespace}/${release.obj.metadata.name})` : ''}`,
  };
}

/**
 * The init-pytorch containers the training operator injects: the template file mounted at
 * /etc/config/initContainer.yaml through a Flux `patches` entry of the training-operator Kustomization (a
 * ConfigMap volume), or the operator's built-in template when no such file is mounted.
 */
function pytorchInitContainers(model: ClusterModel): { containers: Container[]; source: string } {
  const builtIn = { containers: [clone(BUILT_IN_PYTORCH_INIT)], source: `${INJECTIONS.pytorchInit.upstream} (built-in template: no securityContext)` };
  const operator = model.gitManifests.find((m) => m.url.includes('kubeflow/trainer') || m.url.includes('kubeflow/training-operator'));
  if (!operator) return builtIn;
  for (const patch of (at(operator.obj, 'spec', 'patches') as { patch?: string; target?: { kind?: string } }[] | undefined) ?? []) {
    if (patch.target?.kind !== 'Deployment' || !patch.patch) continue;
    let doc: any;
    try { doc = yaml.load(patch.patch); } catch { continue; }
    const podSpec = doc?.spec?.template?.spec;
    const container = (podSpec?.containers ?? []).find((c: any) => c.name === 'training-operator');
    const args: string[] = container?.args ?? [];
    const fileArg = args.find((a) => a.startsWith('--pytorch-init-container-template-file='));
    const file = fileArg ? fileArg.split('=')[1] : '/etc/config/initContainer.yaml';
    for (const mount of container?.volumeMounts ?? []) {
      const volume = (podSpec?.volumes ?? []).find((v: any) => v.name === mount.name);
      const cmName = volume?.configMap?.name;
      if (!cmName || !file.startsWith(`${String(mount.mountPath).replace(/\/$/, '')}/`)) continue;
      const key = mount.subPath ?? file.slice(String(mount.mountPath).replace(/\/$/, '').length + 1);
      const cm = model.find('ConfigMap', operator.obj.metadata.namespace === 'flux-system' ? 'kubeflow' : operator.obj.metadata.namespace, cmName)
        ?? model.objects.find((o) => o.obj.kind === 'ConfigMap' && o.obj.metadata.name === cmName);
      const text = at(cm?.obj, 'data', key);
      if (typeof text !== 'string') continue;
      try {
        const imageArg = args.find((a) => a.startsWith('--pytorch-init-container-image='));
        const rendered = text.replace(/\{\{\s*\.InitContainerImage\s*\}\}/g, imageArg ? imageArg.split('=')[1] : 'alpine:3.10')
          .replace(/\{\{\s*\.MaxTries\s*\}\}/g, '100').replace(/\{\{\s*\.MasterAddr\s*\}\}/g, 'master');
        const containers = yaml.load(rendered);
        if (Array.isArray(containers)) {
          return { containers: containers as Container[], source: `${INJECTIONS.pytorchInit.upstream} (template ConfigMap ${cm!.obj.metadata.namespace}/${cmName} key ${key})` };
        }
      } catch { /* an unparsable template: the operator fails to inject; treated as the built-in below */ }
    }
  }
  return builtIn;
}

/**
 * cert-manager's HTTP-01 solver pods for every Gateway whose ClusterIssuer (annotation cert-manager.io/cluster-issuer)
 * solves with HTTP-01 (annotation platform.ml/acme-solver, http01 when absent, as SharedGateway defaults it): in the
 * Gateway's namespace, one per listener host name up to the controller's maxConcurrentChallenges, with the solver
 * resources and runAsNonRoot of the cert-manager HelmRelease values (defaults of v1.18.2 otherwise).
 */
function http01SolverPods(model: ClusterModel): ModeledPod[] {
  const certManager = model.releases.find((r) => r.chart === 'cert-manager');
  if (!certManager) return [];
  const pods: ModeledPod[] = [];
  for (const gateway of model.ofKind('Gateway')) {
    const annotations = record(gateway.obj.metadata.annotations);
    if (!annotations['cert-manager.io/cluster-issuer'] || (annotations[ACME_SOLVER_ANNOTATION] ?? 'http01') !== 'http01') continue;
    const hosts = new Set(((at(gateway.obj, 'spec', 'listeners') as { hostname?: string; tls?: unknown }[] | undefined) ?? [])
      .filter((l) => l.tls && l.hostname).map((l) => l.hostname!));
    const replicas = Math.min(Math.max(hosts.size, 1), maxConcurrentChallenges(certManager.values));
    pods.push({
      owner: gateway, template: `cert-manager HTTP-01 solver (${hosts.size} host name(s), ${replicas} at once)`,
      namespace: gateway.obj.metadata.namespace ?? 'default', replicas,
      labels: { 'acme.cert-manager.io/http01-solver': 'true' }, annotations: {},
      spec: http01SolverPodSpec(certManager.values),
      injected: { acmesolver: `${INJECTIONS.certManagerHttp01Solver.upstream} (values of HelmRelease ${certManager.obj.metadata.namespace}/${certManager.obj.metadata.name})` },
    });
  }
  return pods;
}

/** Helm's value merge: user maps merge into the chart's, a null removes the key, anything else replaces. */
function helmMerge(defaults: unknown, user: unknown): unknown {
  if (user === undefined) return clone(defaults);
  if (user === null) return undefined;
  if (typeof user !== 'object' || Array.isArray(user) || defaults === null || typeof defaults !== 'object' || Array.isArray(defaults)) return clone(user);
  const out: Record<string, unknown> = clone(defaults as Record<string, unknown>);
  for (const [key, value] of Object.entries(user as Record<string, unknown>)) {
    const merged = helmMerge(out[key], value);
    if (merged === undefined) delete out[key]; else out[key] = merged;
  }
  return out;
}

/**
 * Chart defaults of the kserve-controller-manager pod, identical in kserve/kserve v0.16.0 and v0.20.0
 * charts/kserve-resources/values.yaml (kserve.controller.*).
 */
const KSERVE_CONTROLLER_DEFAULTS = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true },
  rbacProxy: {
    securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
    resources: { limits: { cpu: '100m', memory: '300Mi' }, requests: { cpu: '100m', memory: '300Mi' } },
  },
  resources: { limits: { cpu: '100m', memory: '300Mi' }, requests: { cpu: '100m', memory: '300Mi' } },
  localmodel: { enabled: false, agent: { hostPath: '/mnt/models', securityContext: { runAsUser: 1000, runAsNonRoot: true } } },
};

/** The pods the kserve chart runs in its release namespace (see INJECTIONS.kserveController). */
function kserveChartPods(release: ResolvedRelease): ModeledPod[] {
  const values = (at(release.values, 'kserve') ?? {}) as Record<string, any>;
  const controller = helmMerge({ ...KSERVE_CONTROLLER_DEFAULTS, localmodel: undefined }, values.controller) as Record<string, any> ?? {};
  const namespace = release.obj.metadata.namespace ?? 'default';
  const source = `${INJECTIONS.kserveController.upstream} (values of HelmRelease ${namespace}/${release.obj.metadata.name})`;
  const pods: ModeledPod[] = [{
    owner: release, template: `chart ${release.chart} ${release.version} Deployment kserve-controller-manager`, namespace, replicas: 1,
    labels: { 'app.kubernetes.io/name': 'kserve-controller-manager', 'control-plane': 'kserve-controller-manager' }, annotations: {},
    // The chart creates the ServiceAccount and cert-manager the webhook Secret (a secret volume, allowed by every
    // level): neither is modelled, so the apply-order rule does not look for them in dist/.
    spec: {
      nodeSelector: controller.nodeSelector, tolerations: controller.tolerations, affinity: controller.affinity,
      securityContext: controller.securityContext,
      containers: [
        { name: 'kube-rbac-proxy', securityContext: controller.rbacProxy?.securityContext, resources: controller.rbacProxy?.resources, ports: [{ containerPort: 8443, name: 'https' }] },
        { name: 'manager', securityContext: controller.containerSecurityContext, resources: controller.resources, ports: [{ containerPort: 9443, name: 'webhook-server' }, { containerPort: 8080, name: 'metrics' }] },
      ],
    },
    injected: { 'kube-rbac-proxy': source, 'manager': source },
  }];
  const localmodel = helmMerge(KSERVE_CONTROLLER_DEFAULTS.localmodel, values.localmodel) as Record<string, any> | undefined;
  if (localmodel?.enabled === true && /^v?0\.1[0-9]\./.test(release.version)) {
    pods.push({
      owner: release, template: `chart ${release.chart} ${release.version} DaemonSet kserve-localmodelnode-agent`, namespace, replicas: 1, perNode: true,
      labels: { 'control-plane': 'kserve-localmodelnode-agent' }, annotations: {},
      spec: {
        securityContext: localmodel.securityContext,
        containers: [{ name: 'manager', securityContext: localmodel.agent?.securityContext }],
        volumes: [{ name: 'models', hostPath: { path: localmodel.agent?.hostPath ?? '/mnt/models' } }],
      },
      injected: { manager: source },
    });
  }
  return pods;
}

/** Tolerations of user pods in the zero-to-jupyterhub-k8s 4.4.0 values.yaml (scheduling.userPods.tolerations). */
const JUPYTERHUB_USER_TOLERATIONS = [
  { key: 'hub.jupyter.org/dedicated', operator: 'Equal', value: 'user', effect: 'NoSchedule' },
  { key: 'hub.jupyter.org_dedicated', operator: 'Equal', value: 'user', effect: 'NoSchedule' },
];

/** A KubeSpawner memory setting in bytes: a number, or a string with suffix K, M, G or T (powers of 1024, ByteSpecification). */
export function kubespawnerBytes(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+)([KMGT]?)$/.exec(String(value).trim());
  if (!match) return NaN;
  return Math.floor(Number(match[1]) * 1024 ** ' KMGT'.indexOf(match[2] || ' '));
}

/** The traits hub.extraConfig sets on `cls` with the `c.<cls>.<trait> = json.loads("...")` lines the platform writes. */
function extraConfigTraits(values: Record<string, any>, cls: string): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  for (const text of Object.values((values.hub?.extraConfig ?? {}) as Record<string, unknown>)) {
    for (const line of String(text).split('\n')) {
      const match = new RegExp(`^c\\.${cls}\\.([A-Za-z_]+) = json\\.loads\\((".*")\\)$`).exec(line.trim());
      if (!match) continue;
      try { traits[match[1]] = JSON.parse(JSON.parse(match[2]) as string); } catch { /* not JSON: not modelled */ }
    }
  }
  return traits;
}

/** The single-user server pods of a JupyterHub release, one per profile (see INJECTIONS.jupyterhubUserPods). */
function jupyterhubUserPods(release: ResolvedRelease): ModeledPod[] {
  const values = release.values as Record<string, any>;
  const singleuser = (values.singleuser ?? {}) as Record<string, any>;
  const spawner = extraConfigTraits(values, 'KubeSpawner');
  const namespace = (at(release.obj, 'spec', 'targetNamespace') as string | undefined) ?? release.obj.metadata.namespace ?? 'default';
  const profiles: { slug: string; override: Record<string, any> }[] = Array.isArray(singleuser.profileList) && singleuser.profileList.length > 0
    ? singleuser.profileList.map((p: any, index: number) => ({ slug: String(p.slug ?? p.display_name ?? index), override: p.kubespawner_override ?? {} }))
    : [{ slug: '(no profileList)', override: {} }];
  const baseTolerations = [...(values.scheduling?.userPods?.tolerations ?? JUPYTERHUB_USER_TOLERATIONS), ...(singleuser.extraTolerations ?? [])];
  const source = `${INJECTIONS.jupyterhubUserPods.upstream} (values of HelmRelease ${release.obj.metadata.namespace}/${release.obj.metadata.name})`;
  return profiles.map(({ slug, override }) => {
    const trait = (name: string, fallback: unknown) => (override[name] !== undefined ? override[name] : spawner[name] !== undefined ? spawner[name] : fallback);
    const cpuGuarantee = trait('cpu_guarantee', singleuser.cpu?.guarantee);
    const cpuLimit = trait('cpu_limit', singleuser.cpu?.limit);
    const memGuarantee = kubespawnerBytes(trait('mem_guarantee', singleuser.memory?.guarantee ?? '1G'));
    const memLimit = kubespawnerBytes(trait('mem_limit', singleuser.memory?.limit));
    const requests: Record<string, string> = {
      ...(cpuGuarantee ? { cpu: String(cpuGuarantee) } : {}),
      ...(memGuarantee ? { memory: String(memGuarantee) } : {}),
      ...record(trait('extra_resource_guarantees', singleuser.extraResource?.guarantees)),
    };
    const limits: Record<string, string> = {
      ...(cpuLimit ? { cpu: String(cpuLimit) } : {}),
      ...(memLimit ? { memory: String(memLimit) } : {}),
      ...record(trait('extra_resource_limits', singleuser.extraResource?.limits)),
    };
    const required = values.scheduling?.userPods?.nodeAffinity?.matchNodePurpose === 'require'
      ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'hub.jupyter.org/node-purpose', operator: 'In', values: ['user'] }] }] } } }
      : undefined;
    const spec: PodSpec = {
      nodeSelector: clone(trait('node_selector', singleuser.nodeSelector) ?? {}),
      tolerations: clone(override.tolerations ?? baseTolerations),
      affinity: required,
      serviceAccountName: trait('service_account', singleuser.serviceAccountName),
      securityContext: { fsGroup: trait('fs_gid', singleuser.fsGid ?? 100), ...record(trait('pod_security_context', {})) },
      containers: [{
        name: 'notebook',
        resources: { requests, limits },
        securityContext: { runAsUser: trait('uid', singleuser.uid ?? 1000), allowPrivilegeEscalation: singleuser.allowPrivilegeEscalation ?? false, ...record(trait('container_security_context', {})) },
      }],
    };
    return {
      owner: release, template: `chart jupyterhub ${release.version} single-user server, profile ${slug}`, namespace, replicas: 1,
      labels: { component: 'singleuser-server', app: values.nameOverride || 'jupyterhub', release: String(at(release.obj, 'spec', 'releaseName') ?? release.obj.metadata.name), ...record(trait('extra_labels', {})) },
      annotations: record(trait('extra_annotations', {})), spec, injected: { notebook: source },
    };
  });
}

/** The NVIDIA device plugin DaemonSet pod, from its HelmRelease values over the chart 0.20.0 defaults. */
function devicePluginPod(release: ResolvedRelease): ModeledPod {
  const v = release.values as any;
  // Chart 0.20.0 values.yaml defaults: affinity on NFD/GFD labels, tolerations CriticalAddonsOnly and nvidia.com/gpu.
  const defaultAffinity = {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'feature.node.kubernetes.io/pci-10de.present', operator: 'In', values: ['true'] }] },
      { matchExpressions: [{ key: 'feature.node.kubernetes.io/cpu-model.vendor_id', operator: 'In', values: ['NVIDIA'] }] },
      { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] },
    ] } },
  };
  const defaultTolerations = [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
  // Helm merges maps: only a replaced nodeSelectorTerms list (or affinity: null) drops the default terms.
  const terms = v.affinity === null ? undefined : (v.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? defaultAffinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms);
  const sc = v.securityContext && Object.keys(v.securityContext).length > 0 ? v.securityContext : { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  const spec: PodSpec = {
    nodeSelector: v.nodeSelector ?? {},
    affinity: terms ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } : undefined,
    tolerations: v.tolerations ?? defaultTolerations,
    securityContext: v.podSecurityContext ?? {},
    priorityClassName: v.priorityClassName ?? 'system-node-critical',
    containers: [{ name: 'nvidia-device-plugin-ctr', securityContext: sc, resources: v.resources ?? {} }],
    volumes: [
      { name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } },
      { name: 'mps-root', hostPath: { path: '/run/nvidia/mps' } },
      { name: 'cdi-root', hostPath: { path: '/var/run/cdi' } },
    ],
  };
  return {
    owner: release, template: `chart nvidia-device-plugin ${release.version} DaemonSet`, namespace: release.obj.metadata.namespace ?? 'default',
    replicas: 1, perNode: true, labels: {}, annotations: {}, spec, injected: { 'nvidia-device-plugin-ctr': INJECTIONS.nvidiaDevicePlugin.upstream },
  };
}

/** Every container of a pod (init containers first). */
export function containersOf(pod: ModeledPod): Container[] {
  return [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
}
