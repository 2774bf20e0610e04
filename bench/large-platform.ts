/**
 * A large platform for the benchmark and for tests of large outputs: one environment with two clusters taken
 * from the example, a serving cluster with `models` KServe models (each on its own host name, so the gateway
 * needs more host names than one Gateway has listeners) and `microservices` HTTP microservices, and a
 * data-processing cluster with `sparkJobs` Spark jobs. Every generated workload is a copy of one of the
 * example's, renamed; namespaces, quotas and node pools are sized so the standing replicas fit.
 */
import { PlatformConfig } from '../lib/config/schema';

/** Sizes of the large platform. */
export interface LargePlatformOptions {
  /** KServe models on the serving cluster. */
  readonly models: number;
  /** HTTP microservices on the serving cluster. */
  readonly microservices: number;
  /** Spark jobs on the data-processing cluster. */
  readonly sparkJobs: number;
}

/** The sizes of the case: 1,000 models, 200 microservices, 200 Spark jobs. */
export const LARGE_PLATFORM: LargePlatformOptions = { models: 1000, microservices: 200, sparkJobs: 200 };

/** Folders of the serving cluster's workloads layer (`clusters.serving.layerFolders.workloads`). */
export const LARGE_SERVING_WORKLOAD_FOLDERS = 8;
/** Folders of the data-processing cluster's workloads layer. */
export const LARGE_DATA_WORKLOAD_FOLDERS = 4;

const pad = (i: number) => String(i).padStart(4, '0');

/** The large platform, built from the example config (which must have the `serving` and `data-processing` clusters). */
export function largePlatform(example: PlatformConfig, options: LargePlatformOptions = LARGE_PLATFORM): PlatformConfig {
  const config = JSON.parse(JSON.stringify(example)) as PlatformConfig & { clusters: Record<string, any> };
  const serving = config.clusters.serving;
  const data = config.clusters['data-processing'];
  if (!serving?.serving || !data?.dataProcessing) throw new Error('largePlatform: the example needs a serving and a data-processing cluster');
  config.clusters = { 'data-processing': data, serving };
  // Models declared once at the top level are already expanded into their serving clusters; the copies below
  // replace them (and their training cluster is not part of this platform).
  delete (config as { models?: unknown }).models;

  // Serving: copies of the example's models and microservices, each model on its own host name.
  const modelTemplates = Object.values(serving.serving.models ?? {}) as any[];
  const serviceTemplates = Object.entries(serving.serving.microservices ?? {}) as [string, any][];
  const domain = `models.${serving.routing!.hostname}`;
  // More host names than one Gateway has listeners: wildcard listeners, whose certificates HTTP-01 cannot prove
  // (the routing config rule asks for dns01 then).
  // cert-manager writes the TXT records in Azure DNS with its own Workload Identity (routing.tls.azureDns).
  config.identities = { ...config.identities, 'cert-manager-dns': { clientId: '00000000-0000-0000-0000-0000000001ff', resourceGroup: 'rg-large-identities', description: 'cert-manager DNS-01 in Azure DNS' } };
  const zone = serving.routing!.hostname.split('.').slice(-2).join('.');
  serving.routing = { ...serving.routing, tls: { ...serving.routing.tls, acmeSolver: 'dns01', azureDns: { identity: 'cert-manager-dns', zone, resourceGroup: 'rg-large-dns' } } };
  const models: Record<string, unknown> = {};
  for (let i = 1; i <= options.models; i++) {
    const template = modelTemplates[(i - 1) % modelTemplates.length];
    models[`model-${pad(i)}`] = { ...template, minReplicas: 1, maxReplicas: 2, route: { ...template.route, host: `model-${pad(i)}.${domain}` } };
  }
  const microservices: Record<string, unknown> = {};
  for (let i = 1; i <= options.microservices; i++) {
    const [, template] = serviceTemplates[(i - 1) % serviceTemplates.length];
    // Volumes name claims of one example service; the copies run without them.
    const { volumes: _volumes, ...rest } = template;
    microservices[`svc-${pad(i)}`] = { ...rest, replicas: 1 };
  }
  serving.serving.models = models;
  serving.serving.microservices = microservices;
  const servingPool = Object.keys(serving.nodePools).find((name) => serving.nodePools[name].mode === 'User')!;
  serving.nodePools[servingPool] = { ...serving.nodePools[servingPool], maxCount: 200 };
  serving.namespaces.models = { ...serving.namespaces.models, quota: quota(options.models, 2, 4) };
  serving.namespaces.microservices = { ...serving.namespaces.microservices, quota: quota(options.microservices, 1, 2) };

  // Data processing: copies of the example's Spark jobs (schedules spread over the night).
  const jobTemplates = Object.values(data.dataProcessing.jobs ?? {}) as any[];
  const jobs: Record<string, unknown> = {};
  for (let i = 1; i <= options.sparkJobs; i++) {
    const template = jobTemplates[(i - 1) % jobTemplates.length];
    jobs[`job-${pad(i)}`] = { ...template, ...(template.schedule ? { schedule: `${i % 60} ${i % 6} * * *` } : {}) };
  }
  data.dataProcessing.jobs = jobs;
  // Each workloads layer spread over a fixed number of hash folders (an explicit choice, see docs/output.md): enough
  // for the full size with room to grow, and the same at every size, so adding or removing a workload moves nothing.
  serving.layerFolders = { workloads: LARGE_SERVING_WORKLOAD_FOLDERS };
  data.layerFolders = { workloads: LARGE_DATA_WORKLOAD_FOLDERS };
  // Sized for every job at once (the verifier's quota-fit rule counts them so): a driver and up to 3 executors of
  // up to 2 cores and 8g each, with Spark's memory overhead.
  const sparkNamespace = Object.keys(data.dataProcessing.spark?.namespaces ?? { spark: {} })[0] ?? 'spark';
  data.namespaces[sparkNamespace] = { ...data.namespaces[sparkNamespace], quota: { ...quota(options.sparkJobs + 10, 8, 48), 'persistentvolumeclaims': 20, 'requests.storage': '2Ti' } };
  return config;
}

/** A quota for `workloads` standing workloads of up to `cpuEach` CPUs and `gibEach` GiB requested each, with room to scale. */
function quota(workloads: number, cpuEach: number, gibEach: number): Record<string, string | number> {
  return {
    'requests.cpu': String(workloads * cpuEach),
    'requests.memory': `${workloads * gibEach}Gi`,
    'limits.cpu': String(workloads * cpuEach * 2),
    'limits.memory': `${workloads * gibEach * 2}Gi`,
    'pods': workloads * 5,
    'persistentvolumeclaims': 10,
    'requests.storage': '200Gi',
    'services.loadbalancers': 0,
  };
}
