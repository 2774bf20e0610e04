/**
 * A large platform end to end (the `make bench` generator at a smaller size, so the suite stays quick): it loads
 * (every config rule passes), every layer past the folder limit is split so that nothing comes before what it
 * needs, the Flux chain applies the folders in that order, every object is strictly valid and every folder
 * builds with kubectl kustomize.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { LARGE_PLATFORM, largePlatform } from '../../bench/large-platform';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { loadEnvironment } from '../../lib/config/load';
import { LAYER_ORDER } from '../../lib/synth/layers';
import { ManifestJson } from '../../lib/synth/cluster-context';
import { writeTree } from '../../lib/synth/atomic-write';
import { MAX_BYTES_PER_FOLDER, MAX_OBJECTS_PER_FOLDER } from '../../lib/synth/manifest-files';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { formatIssues, ManifestValidator, readManifestFolder } from '../../lib/validation';
import { exampleConfig } from '../util';
import { formatFault, readDistClusters, verifyCluster } from '../../lib/verify';
import { networkFlowRule } from '../../lib/verify/network-flows';
import { exampleFlowCluster } from '../verify/flow-cluster';
import { applyOrderViolations, OrderedFolder } from './apply-order';

/**
 * Big enough to split the serving workloads, pass 64 host names and 16 Services per namespace; small enough for the
 * suite. `make bench` runs this file with LARGE_PLATFORM_SIZE=full: the bench's 1,000 models, 200 microservices and
 * 200 Spark jobs.
 */
const SIZE = process.env.LARGE_PLATFORM_SIZE === 'full' ? LARGE_PLATFORM : { models: 300, microservices: 60, sparkJobs: 40 };

let work: string;
let config: ReturnType<typeof largePlatform>;
/** Cluster folder (`large/serving`) to its folders by name. */
const clusters = new Map<string, Map<string, ManifestJson[]>>();
/** `large/<cluster>/<folder>` to the YAML bytes of its objects. */
const bytes = new Map<string, number>();

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'large-platform-'));
  const configFile = path.join(work, 'large.yaml');
  fs.writeFileSync(configFile, yaml.dump(largePlatform(exampleConfig(), SIZE), { noRefs: true, lineWidth: -1 }));
  const environment = loadEnvironment(configFile);
  config = environment.config;
  const { tree } = renderEnvironments([environment], PLATFORM_COMPOSITIONS);
  writeTree(path.join(work, 'dist'), tree);
  for (const [file, text] of tree) {
    const parts = file.split('/');
    if (parts.length !== 4 || parts[3] === 'kustomization.yaml' || !file.endsWith('.yaml')) continue;
    const cluster = `${parts[0]}/${parts[1]}`;
    const folders = clusters.get(cluster) ?? new Map<string, ManifestJson[]>();
    clusters.set(cluster, folders);
    folders.set(parts[2], [...(folders.get(parts[2]) ?? []), yaml.load(text) as ManifestJson]);
    bytes.set(`${cluster}/${parts[2]}`, (bytes.get(`${cluster}/${parts[2]}`) ?? 0) + text.length);
  }
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The layer folders of a cluster in the order its Flux chain applies them, checking the chain on the way. */
function fluxOrder(folders: Map<string, ManifestJson[]>): OrderedFolder[] {
  const kustomizations = folders.get('flux')!.filter((m) => m.kind === 'Kustomization') as any[];
  const ordered: OrderedFolder[] = [];
  let previous: string | undefined;
  for (let i = 0; i < kustomizations.length; i++) {
    const next = kustomizations.find((k) => (k.spec.dependsOn?.[0]?.name) === previous);
    expect(next).toBeDefined();
    expect(next.spec.dependsOn?.length ?? 0).toBe(previous === undefined ? 0 : 1);
    expect(next.spec.wait).toBe(true);
    expect(next.spec.path.endsWith(`/${next.metadata.name}`)).toBe(true);
    ordered.push({ folder: next.metadata.name, manifests: folders.get(next.metadata.name)! });
    previous = next.metadata.name;
  }
  return ordered;
}

test('layers past the folder limit are split, and the Flux chain applies every folder once, layer by layer, parts in order', () => {
  const serving = clusters.get('large/serving')!;
  expect([...serving.keys()].filter((f) => f.startsWith('workloads')).length).toBeGreaterThan(2);
  for (const [cluster, folders] of clusters) {
    const order = fluxOrder(folders).map((f) => f.folder);
    const layerFolders = [...folders.keys()].filter((f) => f !== 'flux');
    expect([cluster, [...order].sort()]).toEqual([cluster, [...layerFolders].sort()]);
    // Per layer: its cluster-scoped folder, its dependency, service and workload folders; hash folders from the
    // highest index down (lib/synth/manifest-files.ts splitIntoFolders).
    const position = (folder: string) => {
      const [, layer, section, index] = /^([a-z]+?)(?:-(cluster|deps|services))?(?:-(\d+))?$/.exec(folder)!;
      expect(LAYER_ORDER).toContain(layer);
      return LAYER_ORDER.indexOf(layer as never) * 1e6 + { cluster: 0, deps: 1, services: 2, undefined: 3 }[String(section) as 'cluster']! * 1e4 - Number(index ?? 0);
    };
    expect(order).toEqual([...order].sort((a, b) => position(a) - position(b)));
    for (const folder of layerFolders) {
      expect(folders.get(folder)!.length).toBeLessThanOrEqual(MAX_OBJECTS_PER_FOLDER);
      expect([folder, bytes.get(`${cluster}/${folder}`)! <= MAX_BYTES_PER_FOLDER]).toEqual([folder, true]);
    }
  }
});

test('no workload is applied before its ServiceAccount, RBAC, ConfigMaps, claims, network rules, quota or namespace', () => {
  for (const [cluster, folders] of clusters) {
    expect([cluster, applyOrderViolations(fluxOrder(folders))]).toEqual([cluster, []]);
  }
});

test('verified like the example: no network-flows fault on any cluster (lib/verify)', () => {
  for (const name of Object.keys(config.clusters)) {
    const faults = networkFlowRule(exampleFlowCluster(name, config, 'large'));
    expect([name, faults.slice(0, 5).map((f) => `${f.object}: ${f.message}`)]).toEqual([name, []]);
  }
});

test('the day-one verifier (every rule of lib/verify, apply order included) finds no fault in the split output', () => {
  const verified = readDistClusters(path.join(work, 'dist'));
  expect(verified.map((c) => c.facts.cluster).sort()).toEqual([...clusters.keys()].map((c) => c.split('/')[1]).sort());
  for (const cluster of verified) {
    expect(cluster.folders.some((f) => f.folder.startsWith('workloads-deps')) || cluster.facts.cluster !== 'serving').toBe(true);
    expect([cluster.facts.cluster, verifyCluster(cluster).faults.slice(0, 5).map(formatFault)]).toEqual([cluster.facts.cluster, []]);
  }
});

test('the gateway stays within Gateway API limits: at most 64 listeners, at most 16 `to` entries per ReferenceGrant', () => {
  const objects = [...clusters.get('large/serving')!.values()].flat() as any[];
  const gateway = objects.find((m) => m.kind === 'Gateway');
  expect(gateway.spec.listeners.length).toBeLessThanOrEqual(64);
  const grants = objects.filter((m) => m.kind === 'ReferenceGrant');
  expect(grants.length).toBeGreaterThan(0);
  for (const grant of grants) expect(grant.spec.to.length).toBeLessThanOrEqual(16);
  const routes = objects.filter((m) => m.kind === 'HTTPRoute' && m.metadata.name.startsWith('model-'));
  expect(routes).toHaveLength(SIZE.models);
});

test('every object validates strictly against the upstream schemas', () => {
  const objects = readManifestFolder([path.join(work, 'dist')]);
  expect(objects.length).toBeGreaterThan(1500);
  const issues = ManifestValidator.load().validateAll(objects);
  if (issues.length > 0) throw new Error(formatIssues(issues.slice(0, 20)));
});

test('every folder builds with kubectl kustomize', () => {
  for (const [cluster, folders] of clusters) {
    for (const folder of folders.keys()) {
      const dir = path.join(work, 'dist', cluster, folder);
      const built = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
      expect([dir, built.status, built.stderr]).toEqual([dir, 0, '']);
    }
  }
});

test('the apply-order check finds a workload placed before its ServiceAccount (so its silence above means something)', () => {
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: 'team' } };
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'team' }, spec: { template: { spec: { serviceAccountName: 'app', containers: [] } } } };
  expect(applyOrderViolations([{ folder: 'workloads', manifests: [deployment] }, { folder: 'workloads-2', manifests: [sa] }]))
    .toEqual(['Deployment/team/app in workloads needs ServiceAccount/team/app, which comes later in workloads-2']);
  expect(applyOrderViolations([{ folder: 'workloads', manifests: [sa] }, { folder: 'workloads-2', manifests: [deployment] }])).toEqual([]);
});
