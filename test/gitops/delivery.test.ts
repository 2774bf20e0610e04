/**
 * Whole-output assertions over the rendered tree of every cluster: the Flux layer chain, CRD-before-CR ordering
 * for every object, resolvable and pinned HelmRelease sources, and Airflow values without generated secrets.
 * Runs on the example config and on an extended copy that also enables KServe serving and aad-pod-identity.
 */
import { PLATFORM_COMPOSITIONS } from '../../charts';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { LAYER_ORDER } from '../../charts';
import { FLUX_FOLDER } from '../../charts/gitops';
import { FLUX_API_GROUPS, Operator, OPERATOR_LABEL, operatorOfApiGroup, requiredOperators } from '../../lib/gitops/operators';
import { PlatformConfig } from '../../lib/config/schema';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { exampleConfig, exampleEnvironment, Manifest, SHARED } from '../util';

const EXACT_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/;

/** API groups Kubernetes itself serves (from the upstream OpenAPI definitions), so no operator is needed. */
const BUILT_IN_GROUPS: ReadonlySet<string> = (() => {
  const definitions = JSON.parse(fs.readFileSync(path.join(SHARED, 'k8s-schemas', 'v1.27.0', '_definitions.json'), 'utf8'));
  const all = (definitions.definitions ?? definitions) as Record<string, { 'x-kubernetes-group-version-kind'?: { group: string }[] }>;
  return new Set(Object.values(all).flatMap((d) => (d['x-kubernetes-group-version-kind'] ?? []).map((gvk) => gvk.group)));
})();

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** One cluster's output: its folders (name to objects), in the order the files were rendered. */
interface ClusterOutput {
  readonly name: string;
  readonly folders: Map<string, Manifest[]>;
}

function renderClusters(config: PlatformConfig): ClusterOutput[] {
  const { tree } = renderEnvironments([{ name: 'example', file: 'example.yaml', config }], PLATFORM_COMPOSITIONS);
  const clusters = new Map<string, Map<string, Manifest[]>>();
  for (const [file, text] of tree) {
    const parts = file.split('/');
    if (parts.length !== 4 || parts[0] !== 'example' || !file.endsWith('.yaml') || parts[3] === 'kustomization.yaml') continue;
    const [, cluster, folder] = parts;
    if (!clusters.has(cluster)) clusters.set(cluster, new Map());
    const folders = clusters.get(cluster)!;
    if (!folders.has(folder)) folders.set(folder, []);
    folders.get(folder)!.push(yaml.load(text) as Manifest);
  }
  return [...clusters].map(([name, folders]) => ({ name, folders }));
}

/** Layer folders (not the Flux entry point) in delivery order: layer order, then the split index. */
function layerFolders(cluster: ClusterOutput): string[] {
  const rank = (folder: string) => {
    const match = /^(.*?)(?:-([0-9]+))?$/.exec(folder)!;
    return LAYER_ORDER.indexOf(match[1] as never) * 1000 + Number(match[2] ?? 1);
  };
  return [...cluster.folders.keys()].filter((folder) => folder !== FLUX_FOLDER).sort((a, b) => rank(a) - rank(b));
}

/** Flux Kustomizations of the entry point, by name. */
function fluxLayers(cluster: ClusterOutput): Map<string, Manifest> {
  const objects = cluster.folders.get(FLUX_FOLDER) ?? [];
  return new Map(objects.filter((o) => o.kind === 'Kustomization').map((o) => [o.metadata.name, o]));
}

/** Every layer `name` depends on, directly or through others. */
function ancestors(layers: Map<string, Manifest>, name: string, seen = new Set<string>()): Set<string> {
  for (const dependency of (layers.get(name)?.spec.dependsOn ?? []) as { name: string }[]) {
    if (!seen.has(dependency.name)) {
      seen.add(dependency.name);
      ancestors(layers, dependency.name, seen);
    }
  }
  return seen;
}

/** Every custom resource whose layer does not come after the layer installing its operator. */
function orderingViolations(clusters: readonly ClusterOutput[]): { checked: number; violations: string[] } {
  let checked = 0;
  const violations: string[] = [];
  for (const cluster of clusters) {
    const layers = fluxLayers(cluster);
    const installedIn = new Map<string, string>();
    for (const [folder, objects] of cluster.folders) {
      for (const o of objects) {
        const operator = o.metadata.labels?.[OPERATOR_LABEL];
        if (operator && ['HelmRelease', 'Kustomization'].includes(o.kind)) installedIn.set(operator, folder);
      }
    }
    for (const [folder, objects] of cluster.folders) {
      for (const o of objects) {
        const group = groupOf(o.apiVersion);
        if (BUILT_IN_GROUPS.has(group) || FLUX_API_GROUPS.includes(group)) continue;
        checked++;
        const where = `${cluster.name}/${folder}: ${o.apiVersion} ${o.kind} ${o.metadata.name}`;
        const operator = operatorOfApiGroup(group);
        const installer = operator && installedIn.get(operator);
        if (!operator) violations.push(`${where}: no operator installs API group '${group}'; add it to OPERATORS (lib/_operators.ts)`);
        else if (!installer) violations.push(`${where}: the cluster does not install the ${operator}`);
        else if (!ancestors(layers, folder).has(installer)) violations.push(`${where}: its layer does not depend on layer '${installer}', which installs the ${operator}`);
      }
    }
  }
  return { checked, violations };
}

/** The example plus KServe serving on the serving cluster and the legacy identity mode on the training cluster. */
function extendedConfig(): PlatformConfig {
  const config = exampleConfig();
  const serving = config.clusters.serving as unknown as Record<string, unknown>;
  serving.serving ??= { kserve: { version: '0.16.0', deploymentMode: 'Standard' } };
  serving.routing ??= { mode: 'gateway-api', hostname: 'ml.example.com', tls: { secretName: 'ml-tls', clusterIssuer: 'letsencrypt' } };
  const training = config.clusters.training as unknown as { identityMode?: string; operators?: Record<string, unknown> };
  training.identityMode = 'aad-pod-identity';
  training.operators = { ...training.operators, aadPodIdentity: { repository: 'https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts', version: '4.1.18' } };
  return config;
}

const scenarios: [string, () => PlatformConfig][] = [
  ['the example config', () => exampleEnvironment().config],
  ['the example with KServe serving and aad-pod-identity', extendedConfig],
];

describe.each(scenarios)('delivery of %s', (_, makeConfig) => {
  const config = makeConfig();
  const clusters = renderClusters(config);

  test('every cluster has a Flux entry point', () => {
    expect(clusters.map((c) => c.name).sort()).toEqual(Object.keys(config.clusters).sort());
    for (const cluster of clusters) {
      const sources = (cluster.folders.get(FLUX_FOLDER) ?? []).filter((o) => o.kind === 'GitRepository');
      expect(sources).toHaveLength(1);
      expect(sources[0].spec.url).toBe(config.gitops!.repository.url);
      expect(sources[0].spec.ignore).toContain(`!/dist/example/${cluster.name}/`);
    }
  });

  test('one Flux Kustomization per layer folder, in layer order, each depending on the one before', () => {
    for (const cluster of clusters) {
      const folders = layerFolders(cluster);
      const layers = fluxLayers(cluster);
      expect([...layers.keys()].sort()).toEqual([...folders].sort());
      folders.forEach((folder, index) => {
        const spec = layers.get(folder)!.spec;
        expect(spec.path).toBe(`./dist/example/${cluster.name}/${folder}`);
        expect(spec.dependsOn).toEqual(index === 0 ? undefined : [{ name: folders[index - 1] }]);
        expect(spec).toMatchObject({ wait: true, prune: true, sourceRef: { kind: 'GitRepository', name: 'platform-manifests' } });
        expect(spec.timeout).toMatch(/^[0-9]+[smh]$/);
        expect(spec.retryInterval).toMatch(/^[0-9]+[smh]$/);
      });
    }
  });

  test('no custom resource is applied before the operator that installs its CRD (every object)', () => {
    const { checked, violations } = orderingViolations(clusters);
    expect(violations).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  test('each cluster installs exactly the operators its config needs', () => {
    for (const cluster of clusters) {
      const installed = new Set([...cluster.folders.values()].flat().map((o) => o.metadata.labels?.[OPERATOR_LABEL]).filter(Boolean));
      expect([...installed].sort()).toEqual(requiredOperators(config.clusters[cluster.name]).map((n) => n.operator).sort());
    }
  });

  test('every HelmRelease has a resolvable source and a pinned version', () => {
    const all = clusters.flatMap((c) => [...c.folders.values()].flat());
    const releases = all.filter((o) => o.kind === 'HelmRelease');
    expect(releases.length).toBeGreaterThan(0);
    const find = (kind: string, name: string, namespace: string) =>
      all.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
    for (const release of releases) {
      const { chart, chartRef } = release.spec;
      const namespace = release.metadata.namespace!;
      if (chartRef) {
        const oci = find(chartRef.kind, chartRef.name, chartRef.namespace ?? namespace);
        expect(oci).toBeDefined();
        expect(oci!.spec.ref.tag).toMatch(EXACT_VERSION);
        expect(oci!.spec.url).toMatch(/^oci:\/\//);
      } else {
        const ref = chart.spec.sourceRef;
        const repository = find(ref.kind, ref.name, ref.namespace ?? namespace);
        expect(repository).toBeDefined();
        expect(repository!.spec.url).toMatch(/^https:\/\//);
        expect(chart.spec.version).toMatch(EXACT_VERSION);
      }
      for (const dependency of (release.spec.dependsOn ?? []) as { name: string; namespace?: string }[]) {
        expect(find('HelmRelease', dependency.name, dependency.namespace ?? namespace)).toBeDefined();
      }
    }
    for (const git of all.filter((o) => o.kind === 'GitRepository' && o.metadata.labels?.[OPERATOR_LABEL])) {
      expect(git.spec.ref.tag).toMatch(EXACT_VERSION);
    }
  });

  test('no Secret is generated anywhere', () => {
    expect(clusters.flatMap((c) => [...c.folders.values()].flat()).filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('Airflow values', () => {
  const clusters = renderClusters(exampleEnvironment().config);
  const airflow = clusters.flatMap((c) => [...c.folders.values()].flat())
    .find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'airflow')!;

  /** Every key path in a values tree. */
  const keyPaths = (value: unknown, prefix = ''): string[] =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.entries(value).flatMap(([key, child]) => [`${prefix}${key}`, ...keyPaths(child, `${prefix}${key}.`)])
      : [];

  test('runs on the data-processing cluster only', () => {
    const holders = clusters.filter((c) => [...c.folders.values()].flat().some((o) => o.kind === 'HelmRelease' && o.metadata.name === 'airflow'));
    expect(holders.map((c) => c.name)).toEqual(['data-processing']);
  });

  test('contain no generated or literal secrets: every secret is a pinned Secret name', () => {
    const values = airflow.spec.values;
    const paths = keyPaths(values);
    const literalSecrets = paths.filter((p) => /(fernetKey|secretKey|jwtSecret|password|pass|brokerUrl|metadataConnection)$/i.test(p));
    expect(literalSecrets).toEqual([]);
    // Airflow 3: the Airflow 2 webserver secret key is not set (it would do nothing).
    expect(values.webserverSecretKeySecretName).toBeUndefined();
    for (const key of ['fernetKeySecretName', 'apiSecretKeySecretName', 'jwtSecretName']) {
      expect(values[key]).toMatch(/^[a-z0-9][-a-z0-9.]*$/);
    }
    expect(values.data).toEqual({ metadataSecretName: 'airflow-metadata-db' });
    expect(values.postgresql.enabled).toBe(false);
    expect(values.webserver.defaultUser.enabled).toBe(false);
  });

  test('database jobs run without Helm hooks and the executor is KubernetesExecutor', () => {
    const values = airflow.spec.values;
    expect(values.migrateDatabaseJob.useHelmHooks).toBe(false);
    expect(values.createUserJob.useHelmHooks).toBe(false);
    expect(values.executor).toBe('KubernetesExecutor');
  });

  test('pods carry the Workload Identity label and run as bound ServiceAccounts', () => {
    const values = airflow.spec.values;
    expect(values.labels).toEqual({ 'azure.workload.identity/use': 'true' });
    const platform = clusters.find((c) => c.name === 'data-processing')!.folders.get('platform')!;
    // Airflow 3: no webserver (its values would do nothing); the API server serves the UI.
    expect(values.webserver.serviceAccount).toBeUndefined();
    for (const component of ['scheduler', 'workers', 'triggerer', 'apiServer', 'dagProcessor']) {
      const account = values[component].serviceAccount;
      expect(account.create).toBe(false);
      const sa = platform.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === account.name && o.metadata.namespace === 'airflow');
      expect(sa?.metadata.annotations?.['azure.workload.identity/client-id']).toBe(exampleEnvironment().config.identities.orchestration.clientId);
    }
  });
});

test('the operators of a cluster follow its sections (requiredOperators)', () => {
  const config = extendedConfig();
  // routing on any cluster: the data-processing cluster routes NiFi and JupyterHub through its own gateway
  expect(requiredOperators(config.clusters['data-processing']).map((n) => n.operator)).toEqual([Operator.GATEWAY_CONTROLLER, Operator.CERT_MANAGER, Operator.SPARK_OPERATOR, Operator.STRIMZI]);
  expect(requiredOperators(config.clusters['data-processing']).find((n) => n.operator === Operator.GATEWAY_CONTROLLER)?.neededBy).toEqual(['routing', 'mode']);
  expect(requiredOperators(config.clusters.training).map((n) => n.operator)).toEqual([Operator.TRAINING_OPERATOR, Operator.AAD_POD_IDENTITY, Operator.NVIDIA_DEVICE_PLUGIN]);
  // The Gateway API controller installs before cert-manager, whose Gateway API support needs its CRDs at start.
  expect(requiredOperators(config.clusters.serving).map((n) => n.operator)).toEqual([Operator.GATEWAY_CONTROLLER, Operator.CERT_MANAGER, Operator.KSERVE]);
});

test('the ordering assertion catches a custom resource whose operator is missing', () => {
  const config = exampleConfig();
  delete (config.clusters.training as { operators?: unknown }).operators;
  const { violations } = orderingViolations(renderClusters(config));
  expect(violations.length).toBeGreaterThan(0);
  expect(violations[0]).toMatch(/training\/workloads: kubeflow.org\/v1 PyTorchJob .*does not install the training-operator/);
});
