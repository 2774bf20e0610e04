/**
 * The pods a cluster will run, as the network-flows rule needs them: namespace, labels, container ports and
 * whether they use the node's network. Pods come from the pod templates of the rendered workloads, from the
 * custom resources whose operator creates pods (with the labels the operator adds at the pinned version), from
 * the charts of the pinned HelmReleases, and from what AKS runs itself.
 *
 * Upstream facts (each row read at the pinned tag):
 *
 * | Pods | Labels and ports | Source |
 * |---|---|---|
 * | InferenceService predictor | `serving.kserve.io/inferenceservice: <isvc>`, `component: predictor` over the isvc's and predictor's labels; `app: isvc.<isvc>-predictor` in Standard (raw) mode; the storage initializer is an init container of the same pod | kserve/kserve v0.16.0 `pkg/controller/v1beta1/inferenceservice/components/predictor.go` (`buildObjectMeta`), `reconcilers/deployment/deployment_reconciler.go` l.145, `pkg/constants/constants.go` (`GetRawServiceLabel`, `InferenceServiceDefaultHttpPort` 8080) |
 * | Spark driver / executors | `spark-role: driver|executor` (Spark), `sparkoperator.k8s.io/app-name`, `sparkoperator.k8s.io/launched-by-spark-operator: "true"` plus `driver.labels` / `executor.labels` | kubeflow/spark-operator v2.5.2 `pkg/common/spark.go` l.329-357, `internal/controller/sparkapplication/submission.go` (`driverConfOption`, `executorConfOption`) |
 * | PyTorchJob replicas | the replica template's labels plus `training.kubeflow.org/job-name`, `training.kubeflow.org/replica-type` (lower case) | kubeflow/trainer v1.9.4 `pkg/apis/kubeflow.org/v1/common_types.go` (label keys; not re-read in this session) |
 * | Envoy Gateway proxies | `app.kubernetes.io/name: envoy`, `app.kubernetes.io/component: proxy`, `app.kubernetes.io/managed-by: envoy-gateway`, `gateway.envoyproxy.io/owning-gateway-name|namespace`; in the Gateway's namespace with `deploy.type: GatewayNamespace`, else in the controller's; listener ports below 1024 plus 10000 | envoyproxy/gateway v1.5.0 `internal/infrastructure/kubernetes/proxy/resource.go` (`EnvoyAppLabel`), `internal/gatewayapi/helpers.go` l.234 |
 * | cert-manager | controller `app.kubernetes.io/name: cert-manager` (9402, 9403), webhook `app.kubernetes.io/name: webhook` (`webhook.securePort` 10250), cainjector `app.kubernetes.io/name: cainjector`; each with `app.kubernetes.io/instance: <release>` and `app.kubernetes.io/component` | cert-manager v1.18.2 `deploy/charts/cert-manager/templates/{deployment,webhook-deployment,cainjector-deployment}.yaml`, `values.yaml` l.926 |
 * | KServe controller | `control-plane: kserve-controller-manager`, webhook-server 9443, metrics 8080, https 8443 | kserve/kserve v0.16.0 `charts/kserve-resources/templates/deployment.yaml` |
 * | spark-operator | `app.kubernetes.io/name: spark-operator`, `app.kubernetes.io/instance: <release>`, `app.kubernetes.io/component: controller|webhook`; webhook port `webhook.port` 9443 | kubeflow/spark-operator v2.5.2 `charts/spark-operator-chart/templates/_helpers.tpl` l.68, `webhook/_helpers.tpl` l.35, `webhook/deployment.yaml` l.97 |
 * | Envoy Gateway controller | `control-plane: envoy-gateway`, `app.kubernetes.io/name: gateway-helm`, `app.kubernetes.io/instance: <release>`; xDS 18000, rate limit 18001, wasm 18002, metrics 19001, topology injector webhook 9443 | envoyproxy/gateway v1.5.0 `charts/gateway-helm/templates/envoy-gateway-deployment.yaml`, `_helpers.tpl` l.48 |
 * | training operator | `control-plane: kubeflow-training-operator` in `kubeflow`, webhook-server 9443 | kubeflow/trainer v1.9.4 `manifests/base/deployment.yaml` (see /tmp research notes of issue 10, Q2) |
 * | Airflow | `tier: airflow`, `component: <scheduler|api-server|dag-processor|triggerer|worker>`, `release: <release>`; api-server 8080, triggerer log server 8794, worker log server 8793 | apache/airflow helm-chart 1.18.0 templates: NOT checked from source (the repository was too large to fetch); from the chart's documented labels |
 * | Strimzi Kafka nodes | `strimzi.io/cluster`, `strimzi.io/name: <cluster>-kafka`, `strimzi.io/kind: Kafka`, `strimzi.io/pool-name`, `strimzi.io/broker-role` and `strimzi.io/controller-role` `"true"`/`"false"`; 9090, 9091, 8443 and the listener ports | strimzi/strimzi-kafka-operator 1.2.0 `api/src/main/java/io/strimzi/api/ResourceLabels.java` l.35, l.53; `operator-common/src/main/java/io/strimzi/operator/common/model/Labels.java` l.53-63, l.376-398; ports as in `lib/streaming/kafka-cluster.ts` (KafkaCluster.java) |
 * | Strimzi entity operator | `strimzi.io/cluster`, `strimzi.io/name: <cluster>-entity-operator`, `strimzi.io/kind: Kafka` | same `ResourceLabels.java` |
 * | Strimzi cluster operator | `name: strimzi-cluster-operator`, `strimzi.io/kind: cluster-operator`; http 8080 | strimzi/strimzi-kafka-operator 1.2.0 `helm-charts/helm3/strimzi-kafka-operator/templates/060-Deployment-strimzi-cluster-operator.yaml` l.33-37 |
 * | JupyterHub hub and proxy | `component: hub` / `component: proxy`, `app: jupyterhub`, `release: <release>` (jupyterhub.matchLabels); hub `http` 8081; proxy `http` 8000 and `api` 8001 (`https` 8443 only with manual HTTPS); user servers are spawned by the hub at run time and not modelled | jupyterhub/zero-to-jupyterhub-k8s 4.4.0 `jupyterhub/templates/_helpers.tpl` (matchLabels, commonLabels), `hub/deployment.yaml` l.209, `proxy/deployment.yaml` l.134-142 |
 * | cert-manager HTTP-01 solver | `acme.cert-manager.io/http01-solver: "true"` (plus per-challenge domain and token hashes), port 8089, in the namespace of a Gateway whose ClusterIssuer uses HTTP-01 (`platform.ml/acme-solver`, default http01) | cert-manager v1.18.2 `pkg/issuer/acme/http/pod.go` (`podLabels`, `buildDefaultPod`), `http.go` l.49; see `lib/gitops/cert-manager-solver.ts` |
 * | CoreDNS | `k8s-app: kube-dns` in `kube-system`, 53 UDP and TCP | AKS-managed; the selector Kubernetes' own manifests use (kubernetes/kubernetes `cluster/addons/dns/coredns`) |
 */
import { ManifestJson } from '../synth/cluster-context';
import { VerifiedCluster } from './types';
import { ACME_SOLVER_ANNOTATION, HTTP01_SOLVER_POD_LABELS, HTTP01_SOLVER_PORT } from '../gitops/cert-manager-solver';

/** A container port of a pod. */
export interface PodPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** Pods that share labels and ports (the replicas of one workload, or one role of it). */
export interface PodGroup {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly PodPort[];
  /** Pods on the node's network: NetworkPolicies do not apply to them. */
  readonly hostNetwork: boolean;
  /** The object that makes the pods, `Kind/namespace/name`. */
  readonly owner: string;
  /** Folder of that object (`aks` for pods AKS runs). */
  readonly folder: string;
  /** A short name for messages: `SparkApplication spark/gpa-matching driver`. */
  readonly description: string;
}

type Json = { readonly [key: string]: any };

const CHART_PODS: { readonly [chart: string]: (release: string, values: Json) => ChartPod[] } = {
  'cert-manager': (release, values) => [
    { name: 'controller', labels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'controller' }, ports: [tcp(9402, 'http-metrics'), tcp(9403, 'http-healthz')] },
    { name: 'webhook', labels: { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'webhook' }, ports: [tcp(values.webhook?.securePort ?? 10250, 'https'), tcp(6080, 'healthcheck')] },
    { name: 'cainjector', labels: { 'app.kubernetes.io/name': 'cainjector', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'cainjector' }, ports: [] },
  ],
  'kserve': () => [
    { name: 'controller-manager', labels: { 'app.kubernetes.io/name': 'kserve-controller-manager', 'control-plane': 'kserve-controller-manager' }, ports: [tcp(9443, 'webhook-server'), tcp(8080, 'metrics'), tcp(8443, 'https')] },
  ],
  'kserve-crd': () => [],
  'spark-operator': (release, values) => [
    { name: 'controller', labels: { 'app.kubernetes.io/name': 'spark-operator', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'controller' }, ports: [] },
    ...(values.webhook?.enable === false ? [] : [{ name: 'webhook', labels: { 'app.kubernetes.io/name': 'spark-operator', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'webhook' }, ports: [tcp(values.webhook?.port ?? 9443, values.webhook?.portName ?? 'webhook')] }]),
  ],
  'gateway-helm': (release) => [
    { name: 'envoy-gateway', labels: { 'control-plane': 'envoy-gateway', 'app.kubernetes.io/name': 'gateway-helm', 'app.kubernetes.io/instance': release }, ports: [tcp(18000, 'grpc'), tcp(18001, 'ratelimit'), tcp(18002, 'wasm'), tcp(19001, 'metrics'), tcp(9443, 'webhook')] },
  ],
  'jupyterhub': (release, values) => [
    { name: 'hub', labels: { component: 'hub', app: values.nameOverride || 'jupyterhub', release }, ports: [tcp(8081, 'http')] },
    { name: 'proxy', labels: { component: 'proxy', app: values.nameOverride || 'jupyterhub', release }, ports: [tcp(8000, 'http'), tcp(8001, 'api')] },
  ],
  'strimzi-kafka-operator': () => [
    { name: 'cluster-operator', labels: { 'name': 'strimzi-cluster-operator', 'strimzi.io/kind': 'cluster-operator' }, ports: [tcp(8080, 'http')] },
  ],
  'airflow': (release) => [
    ...['scheduler', 'dag-processor'].map((component) => ({ name: component, labels: airflowLabels(release, component), ports: [] })),
    { name: 'api-server', labels: airflowLabels(release, 'api-server'), ports: [tcp(8080, 'api-server')] },
    { name: 'triggerer', labels: airflowLabels(release, 'triggerer'), ports: [tcp(8794, 'triggerer-logs')] },
    { name: 'worker', labels: airflowLabels(release, 'worker'), ports: [tcp(8793, 'worker-logs')] },
  ],
};

interface ChartPod {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly ports: PodPort[];
  readonly hostNetwork?: boolean;
}

function airflowLabels(release: string, component: string): Record<string, string> {
  return { tier: 'airflow', component, release };
}

function tcp(port: number, name?: string): PodPort {
  return { name, port, protocol: 'TCP' };
}

/** Charts whose pods the model knows (a HelmRelease of another chart is reported by the rule). */
export function knownCharts(): string[] {
  return Object.keys(CHART_PODS).sort();
}

const WORKLOAD_TEMPLATE: { readonly [kind: string]: (obj: Json) => Json | undefined } = {
  Deployment: (obj) => obj.spec?.template,
  StatefulSet: (obj) => obj.spec?.template,
  DaemonSet: (obj) => obj.spec?.template,
  ReplicaSet: (obj) => obj.spec?.template,
  Job: (obj) => obj.spec?.template,
  CronJob: (obj) => obj.spec?.jobTemplate?.spec?.template,
};

/** The pod groups of a cluster, and the HelmReleases whose chart the model does not know. */
export function clusterPods(cluster: VerifiedCluster): { pods: PodGroup[]; unknownCharts: { owner: string; folder: string; chart: string }[] } {
  const pods: PodGroup[] = [];
  const unknownCharts: { owner: string; folder: string; chart: string }[] = [];
  const all = cluster.folders.flatMap((folder) => folder.manifests.map((obj) => ({ folder: folder.folder, obj: obj as Json })));
  const ociUrls = new Map<string, string>();
  for (const { obj } of all) {
    if (obj.kind === 'OCIRepository') ociUrls.set(`${obj.metadata.namespace}/${obj.metadata.name}`, String(obj.spec?.url ?? ''));
  }
  const gatewayNamespaceMode = all.some(({ obj }) => obj.kind === 'HelmRelease'
    && obj.spec?.values?.config?.envoyGateway?.provider?.kubernetes?.deploy?.type === 'GatewayNamespace');
  const envoyControllers = new Set(all.filter(({ obj }) => obj.kind === 'GatewayClass'
    && obj.spec?.controllerName === 'gateway.envoyproxy.io/gatewayclass-controller').map(({ obj }) => obj.metadata.name as string));
  const certManager = all.some(({ obj }) => obj.kind === 'HelmRelease' && chartOf(obj, ociUrls) === 'cert-manager');
  const envoyNamespace = all.find(({ obj }) => obj.kind === 'HelmRelease' && chartOf(obj, ociUrls) === 'gateway-helm')?.obj.metadata.namespace ?? 'envoy-gateway-system';

  for (const { folder, obj } of all) {
    const namespace: string = obj.metadata.namespace ?? 'default';
    const owner = objectRef(obj);
    const add = (labels: Record<string, string>, ports: readonly PodPort[], description: string, hostNetwork = false, ns = namespace) =>
      pods.push({ namespace: ns, labels, ports, hostNetwork, owner, folder, description });

    const template = WORKLOAD_TEMPLATE[obj.kind]?.(obj);
    if (template && /^(apps|batch)\//.test(obj.apiVersion)) {
      add({ ...template.metadata?.labels }, containerPorts(template.spec), `${obj.kind} ${namespace}/${obj.metadata.name}`, template.spec?.hostNetwork === true);
      continue;
    }
    switch (obj.kind) {
      case 'SparkApplication':
      case 'ScheduledSparkApplication': {
        const spec = obj.kind === 'SparkApplication' ? obj.spec : obj.spec?.template;
        const appName = obj.kind === 'SparkApplication' ? { 'sparkoperator.k8s.io/app-name': obj.metadata.name } : {};
        for (const role of ['driver', 'executor'] as const) {
          const side = spec?.[role] ?? {};
          const labels = { ...side.template?.metadata?.labels, ...side.labels, ...appName, 'sparkoperator.k8s.io/launched-by-spark-operator': 'true', 'spark-role': role };
          add(labels, sparkPorts(role, spec?.sparkConf ?? {}), `${obj.kind} ${namespace}/${obj.metadata.name} ${role}`);
        }
        break;
      }
      case 'PyTorchJob':
        for (const [type, replica] of Object.entries<Json>(obj.spec?.pytorchReplicaSpecs ?? {})) {
          const labels = { ...replica.template?.metadata?.labels, 'training.kubeflow.org/job-name': obj.metadata.name, 'training.kubeflow.org/replica-type': type.toLowerCase() };
          add(labels, containerPorts(replica.template?.spec), `PyTorchJob ${namespace}/${obj.metadata.name} ${type.toLowerCase()}`);
        }
        break;
      case 'InferenceService': {
        const predictor = obj.spec?.predictor ?? {};
        const standard = ['RawDeployment', 'Standard'].includes(obj.metadata.annotations?.['serving.kserve.io/deploymentMode']);
        const labels = {
          ...obj.metadata.labels, ...predictor.labels,
          'serving.kserve.io/inferenceservice': obj.metadata.name, component: 'predictor',
          ...(standard ? { app: `isvc.${obj.metadata.name}-predictor` } : {}),
        };
        const ports = containerPorts({ containers: [predictor.model ?? {}, ...(predictor.containers ?? [])] });
        add(labels, ports.length > 0 ? ports : [tcp(8080, 'http1')], `InferenceService ${namespace}/${obj.metadata.name} predictor`);
        break;
      }
      case 'Gateway':
        if (envoyControllers.has(obj.spec?.gatewayClassName)) {
          const labels = {
            'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway',
            'gateway.envoyproxy.io/owning-gateway-name': obj.metadata.name, 'gateway.envoyproxy.io/owning-gateway-namespace': namespace,
          };
          const ports = [...new Set<number>((obj.spec?.listeners ?? []).map((l: Json) => Number(l.port)))].map((port) => tcp(port < 1024 ? port + 10000 : port));
          add(labels, ports, `Gateway ${namespace}/${obj.metadata.name} (Envoy proxies)`, false, gatewayNamespaceMode ? namespace : envoyNamespace);
        }
        if (certManager && obj.metadata.annotations?.['cert-manager.io/cluster-issuer'] && (obj.metadata.annotations?.[ACME_SOLVER_ANNOTATION] ?? 'http01') === 'http01') {
          add({ ...HTTP01_SOLVER_POD_LABELS }, [tcp(HTTP01_SOLVER_PORT, 'http')], `Gateway ${namespace}/${obj.metadata.name} (cert-manager HTTP-01 solver pods)`);
        }
        break;
      case 'HelmRelease': {
        const chart = chartOf(obj, ociUrls);
        const release = obj.spec?.releaseName ?? obj.metadata.name;
        const target = obj.spec?.targetNamespace ?? namespace;
        const known = chart ? CHART_PODS[chart] : undefined;
        if (!known) {
          unknownCharts.push({ owner, folder, chart: chart ?? '(unknown)' });
          break;
        }
        for (const pod of known(release, obj.spec?.values ?? {})) {
          add(pod.labels, pod.ports, `HelmRelease ${namespace}/${obj.metadata.name} ${pod.name}`, pod.hostNetwork ?? false, target);
        }
        break;
      }
      case 'KafkaNodePool': {
        if (!obj.apiVersion.startsWith('kafka.strimzi.io/')) break;
        const cluster = obj.metadata.labels?.['strimzi.io/cluster'];
        const kafka = all.find(({ obj: k }) => k.kind === 'Kafka' && k.metadata.name === cluster && k.metadata.namespace === namespace)?.obj;
        const roles: string[] = obj.spec?.roles ?? [];
        const labels: Record<string, string> = {
          'strimzi.io/cluster': cluster, 'strimzi.io/name': `${cluster}-kafka`, 'strimzi.io/kind': 'Kafka', 'strimzi.io/pool-name': obj.metadata.name,
          'strimzi.io/broker-role': String(roles.includes('broker')),
          'strimzi.io/controller-role': String(roles.includes('controller')),
        };
        const listeners = (kafka?.spec?.kafka?.listeners ?? []).map((l: Json) => tcp(Number(l.port), l.name));
        add(labels, [tcp(9090, 'tcp-ctrlplane'), tcp(9091, 'tcp-replication'), tcp(8443, 'tcp-kafkaagent'), ...listeners], `KafkaNodePool ${namespace}/${obj.metadata.name} (Kafka nodes)`);
        break;
      }
      case 'Kafka':
        if (obj.apiVersion.startsWith('kafka.strimzi.io/') && obj.spec?.entityOperator) {
          add({ 'strimzi.io/cluster': obj.metadata.name, 'strimzi.io/name': `${obj.metadata.name}-entity-operator`, 'strimzi.io/kind': 'Kafka' }, [], `Kafka ${namespace}/${obj.metadata.name} entity operator`);
        }
        break;
      case 'Kustomization':
        if (obj.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') && obj.metadata.name === 'training-operator') {
          add({ 'control-plane': 'kubeflow-training-operator' }, [tcp(9443, 'webhook-server'), tcp(8080, 'monitoring-port')], 'training operator', false, 'kubeflow');
        }
        break;
      default:
        break;
    }
  }
  pods.push({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }], hostNetwork: false, owner: 'Deployment/kube-system/coredns', folder: 'aks', description: 'CoreDNS (AKS)' });
  return { pods, unknownCharts };
}

/**
 * NetworkPolicies a pinned chart renders from its values, as far as the rule needs them: the zero-to-jupyterhub
 * 4.4.0 hub policy's extra egress rules (`hub.networkPolicy.egress`, appended to the policy of the hub pods by
 * `templates/hub/netpol.yaml` while `hub.networkPolicy.enabled`, default true). Only those rules are modelled (the
 * chart's fixed and ipBlock rules are not), which can only under-approve: a flow they allow is allowed.
 */
export function chartNetworkPolicies(cluster: VerifiedCluster): { manifest: ManifestJson; folder: string }[] {
  const all = cluster.folders.flatMap((folder) => folder.manifests.map((obj) => ({ folder: folder.folder, obj: obj as Json })));
  const ociUrls = new Map<string, string>();
  for (const { obj } of all) {
    if (obj.kind === 'OCIRepository') ociUrls.set(`${obj.metadata.namespace}/${obj.metadata.name}`, String(obj.spec?.url ?? ''));
  }
  const policies: { manifest: ManifestJson; folder: string }[] = [];
  for (const { folder, obj } of all) {
    if (obj.kind !== 'HelmRelease' || chartOf(obj, ociUrls) !== 'jupyterhub') continue;
    const values = obj.spec?.values ?? {};
    const netpol = values.hub?.networkPolicy ?? {};
    if (netpol.enabled === false || !Array.isArray(netpol.egress) || netpol.egress.length === 0) continue;
    const release = obj.spec?.releaseName ?? obj.metadata.name;
    const namespace = obj.spec?.targetNamespace ?? obj.metadata.namespace;
    policies.push({
      folder,
      manifest: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `hub (chart of HelmRelease ${obj.metadata.name}, hub.networkPolicy.egress)`, namespace },
        spec: { podSelector: { matchLabels: { component: 'hub', app: values.nameOverride || 'jupyterhub', release } }, policyTypes: ['Egress'], egress: netpol.egress },
      } as unknown as ManifestJson,
    });
  }
  return policies;
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function objectRef(obj: ManifestJson | Json): string {
  return obj.metadata.namespace ? `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}` : `${obj.kind}/${obj.metadata.name}`;
}

function chartOf(release: Json, ociUrls: ReadonlyMap<string, string>): string | undefined {
  const named = release.spec?.chart?.spec?.chart;
  if (typeof named === 'string') return named;
  const ref = release.spec?.chartRef;
  if (ref?.kind === 'OCIRepository') {
    const url = ociUrls.get(`${ref.namespace ?? release.metadata.namespace}/${ref.name}`);
    return url ? url.split('/').pop() : undefined;
  }
  return undefined;
}

function containerPorts(podSpec: Json | undefined): PodPort[] {
  const ports: PodPort[] = [];
  for (const container of [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])]) {
    for (const p of container.ports ?? []) ports.push({ name: p.name, port: Number(p.containerPort), protocol: p.protocol ?? 'TCP' });
  }
  return ports;
}

/**
 * Spark on Kubernetes: the driver listens on `spark.driver.port` (7078) and `spark.blockManager.port` / the
 * driver's own block manager port (7079) and serves the UI on 4040; executors serve blocks on the block manager
 * port (apache/spark `resource-managers/kubernetes/core/.../Config.scala`, `Constants.scala`: DEFAULT_DRIVER_PORT 7078,
 * DEFAULT_BLOCKMANAGER_PORT 7079, UI_PORT 4040).
 */
function sparkPorts(role: 'driver' | 'executor', conf: Json): PodPort[] {
  const blockManager = Number(conf['spark.blockManager.port'] ?? 7079);
  if (role === 'executor') return [tcp(blockManager, 'blockmanager')];
  return [tcp(Number(conf['spark.driver.port'] ?? 7078), 'driver-rpc-port'), tcp(Number(conf['spark.driver.blockManager.port'] ?? blockManager), 'blockmanager'), tcp(Number(conf['spark.ui.port'] ?? 4040), 'spark-ui')];
}
