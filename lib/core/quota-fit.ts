/**
 * Quota fit: the pods that always run in a namespace (its standing replicas) must fit in the namespace's
 * ResourceQuota, or the ones past the quota are never admitted and their Deployment, StatefulSet or
 * InferenceService never gets ready (and under Flux `wait`, nothing after it is applied).
 *
 * Standing replicas, from the config with the constructs' defaults:
 * - KServe models: `minReplicas` predictor pods (default 1);
 * - microservices and the MLflow server: `replicas` (default 2);
 * - HDFS: the namenode (1) and one datanode per node of its pool, counted at the pool's `maxCount` since the
 *   DaemonSet follows the pool as it scales out;
 * - JupyterHub: the hub and the proxy (1 each; user servers come and go, lib/notebooks/config-rules.ts checks
 *   that one of each profile fits next to the standing pods).
 * Jobs (Spark, PyTorch) are not standing: they come and go, and the quota makes them wait, not fail for good.
 *
 * A pod's requests are what the quota charges (Kubernetes v1.31 pkg/api/v1/resource/helpers.go `PodRequests`,
 * used by the ResourceQuota evaluator in pkg/quota/v1/evaluator/core/pods.go): the sum of its containers, or the
 * largest init container when that is larger. A container that sets no request gets the namespace LimitRange's
 * `defaultRequest` at admission (the LimitRanger plugin runs before quota), so that default is what counts.
 */
import { ClusterConfig } from '../config/schema';
import { ConfigRule, perCluster, RuleViolation } from '../config/rules';
import { ConfigPath } from '../config/yaml-positions';
import { DEFAULT_DATA_NODE_RESOURCES, DEFAULT_NAME_NODE_RESOURCES } from '../data-processing/hdfs-cluster';
import { HDFS_INIT_RESOURCES } from '../data-processing/hdfs-pods';
import { KSERVE_STORAGE_INITIALIZER_RESOURCES } from '../gitops/operator-values';
import { DEFAULT_MICROSERVICE_REPLICAS } from '../serving/http-microservice';
import { DEFAULT_MODEL_MIN_REPLICAS } from '../serving/kserve-model';
import { DEFAULT_MLFLOW_REPLICAS } from '../serving/mlflow-tracking';
import { HUB_RESOURCES, PROXY_RESOURCES } from '../notebooks/jupyterhub';
import { parseQuantity } from './quantity';

/** Requests of one container; a missing value is filled from the namespace's LimitRange. */
export interface ContainerRequests {
  readonly cpu?: string;
  readonly memory?: string;
  readonly gpus?: number;
}

/** Pods of one workload that always run in a namespace. */
export interface StandingPods {
  /** What they are, for the message (`model 'iris' predictor`). */
  readonly what: string;
  readonly namespace: string;
  readonly replicas: number;
  readonly containers: readonly ContainerRequests[];
  readonly initContainers?: readonly ContainerRequests[];
}

/** The quota keys the rule checks, in message order. */
const CHECKED = ['pods', 'requests.cpu', 'requests.memory', 'requests.nvidia.com/gpu'] as const;
type Checked = typeof CHECKED[number];

/** Every workload of a cluster config that keeps pods running, with its pods' requests. */
export function standingPods(cluster: ClusterConfig): StandingPods[] {
  const pods: StandingPods[] = [];
  const serving = cluster.serving;
  for (const [name, model] of Object.entries(serving?.models ?? {})) {
    const storageInitializer = model.storageUri.startsWith('pvc://') ? [] : [{ ...KSERVE_STORAGE_INITIALIZER_RESOURCES.requests }];
    pods.push({
      what: `model '${name}' predictor`,
      namespace: model.namespace,
      replicas: model.minReplicas ?? DEFAULT_MODEL_MIN_REPLICAS,
      containers: [{ ...model.resources.request, gpus: model.gpus }],
      initContainers: storageInitializer,
    });
  }
  for (const [name, service] of Object.entries(serving?.microservices ?? {})) {
    pods.push({ what: `microservice '${name}'`, namespace: service.namespace, replicas: service.replicas ?? DEFAULT_MICROSERVICE_REPLICAS, containers: [{ ...service.resources.request }] });
  }
  if (serving?.mlflow) {
    pods.push({ what: 'MLflow server', namespace: serving.mlflow.namespace, replicas: serving.mlflow.replicas ?? DEFAULT_MLFLOW_REPLICAS, containers: [{ ...serving.mlflow.resources.request }] });
  }
  const hdfs = cluster.dataProcessing?.hdfs;
  if (hdfs) {
    const pool = cluster.nodePools[hdfs.nodePool];
    pods.push({
      what: 'HDFS namenode', namespace: hdfs.namespace, replicas: 1,
      containers: [{ ...(hdfs.nameNode.resources ?? DEFAULT_NAME_NODE_RESOURCES).request }], initContainers: [{ ...HDFS_INIT_RESOURCES.request }],
    });
    pods.push({
      what: `HDFS datanodes (one per node, pool '${hdfs.nodePool}' maxCount)`, namespace: hdfs.namespace, replicas: pool?.maxCount ?? 0,
      containers: [{ ...(hdfs.dataNodes.resources ?? DEFAULT_DATA_NODE_RESOURCES).request }], initContainers: [{ ...HDFS_INIT_RESOURCES.request }],
    });
  }
  const notebooks = cluster.notebooks;
  if (notebooks) {
    pods.push({ what: 'JupyterHub hub', namespace: notebooks.namespace, replicas: 1, containers: [{ ...HUB_RESOURCES.request }] });
    pods.push({ what: 'JupyterHub proxy', namespace: notebooks.namespace, replicas: 1, containers: [{ ...PROXY_RESOURCES.request }] });
  }
  return pods;
}

/** What one pod of `pods` is charged by the quota, with `defaults` for containers that set no request. */
export function podCharge(pods: StandingPods, defaults: { readonly cpu: string; readonly memory: string }): Record<Checked, number> {
  const charge = (c: ContainerRequests) => ({
    cpu: parseQuantity(c.cpu ?? defaults.cpu),
    memory: parseQuantity(c.memory ?? defaults.memory),
    gpu: c.gpus ?? 0,
  });
  const sum = pods.containers.map(charge).reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory, gpu: a.gpu + b.gpu }), { cpu: 0, memory: 0, gpu: 0 });
  const init = (pods.initContainers ?? []).map(charge);
  const max = (key: 'cpu' | 'memory' | 'gpu') => Math.max(sum[key], ...init.map((c) => c[key]));
  return { 'pods': 1, 'requests.cpu': max('cpu'), 'requests.memory': max('memory'), 'requests.nvidia.com/gpu': max('gpu') };
}

/** A number of a resource in the units people write it in. */
function show(key: Checked, value: number): string {
  if (key === 'requests.memory') {
    const gib = value / 2 ** 30;
    return Number.isInteger(gib) ? `${gib}Gi` : `${Math.round(value / 2 ** 20)}Mi`;
  }
  if (key === 'requests.cpu') return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  return String(value);
}

/** Namespaces whose standing replicas ask for more than their quota allows. */
export const standingReplicasFitQuota: ConfigRule = perCluster((cluster, path) => {
  const byNamespace = new Map<string, StandingPods[]>();
  for (const pods of standingPods(cluster)) {
    if (pods.replicas > 0) byNamespace.set(pods.namespace, [...(byNamespace.get(pods.namespace) ?? []), pods]);
  }
  const violations: RuleViolation[] = [];
  for (const [namespace, workloads] of [...byNamespace].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ns = cluster.namespaces[namespace];
    if (!ns) continue; // an undeclared namespace is another rule's error
    const quota = ns.quota ?? cluster.namespaceDefaults.quota;
    const quotaPath: ConfigPath = ns.quota ? [...path, 'namespaces', namespace, 'quota'] : [...path, 'namespaceDefaults', 'quota'];
    const defaults = (ns.containerDefaults ?? cluster.namespaceDefaults.containerDefaults).request;
    const charged = workloads.map((pods) => ({ pods, each: podCharge(pods, defaults) }));
    for (const key of CHECKED) {
      const hard = quota[key];
      if (hard === undefined) continue;
      const total = charged.reduce((sum, { pods, each }) => sum + pods.replicas * each[key], 0);
      const allowed = parseQuantity(hard);
      if (total <= allowed + 1e-9) continue;
      const top = [...charged].filter(({ each }) => each[key] > 0).sort((a, b) => b.pods.replicas * b.each[key] - a.pods.replicas * a.each[key]);
      const listed = top.slice(0, 3).map(({ pods, each }) => `${pods.what}: ${pods.replicas} x ${show(key, each[key])}`).join(', ');
      const rest = top.length > 3 ? ` and ${top.length - 3} more` : '';
      violations.push({
        path: [...quotaPath, key],
        message: `namespace '${namespace}': its standing replicas need ${key} ${show(key, total)} but its quota${ns.quota ? '' : ' (namespaceDefaults)'} allows ${show(key, allowed)} (${listed}${rest}); raise the quota or lower the replicas or requests`,
      });
    }
  }
  return violations;
});

/** The quota-fit rules, listed in `lib/config/platform-rules.ts`. */
export const QUOTA_FIT_RULES: readonly ConfigRule[] = [standingReplicasFitQuota];
