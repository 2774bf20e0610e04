/**
 * Stable folders of split layers, on the large platform generator (bench/large-platform.ts, at a smaller size):
 * adding or removing one model, one microservice or one Spark job moves no other object to another folder.
 * A moved object would be deleted by Flux (the Kustomization it left prunes it before the one it moved to, which
 * `dependsOn` it, applies it again: docs/output.md "Split layers and Flux prune"), so this is what keeps a
 * growing platform from restarting unrelated workloads. Every variant also passes the verifier's apply-order
 * rule and the per-folder limits.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { largePlatform, LargePlatformOptions } from '../../bench/large-platform';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { loadEnvironment } from '../../lib/config/load';
import { PlatformConfig } from '../../lib/config/schema';
import { MAX_BYTES_PER_FOLDER, MAX_OBJECTS_PER_FOLDER, manifestFileName, SERVICE_KINDS, splitIntoFolders } from '../../lib/synth/manifest-files';
import { buildClusterApp } from '../../charts';
import { workloadUnits } from '../../lib/synth/render-cluster';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { formatFault } from '../../lib/verify';
import { buildObjectSet, compareObjectSets } from '../../lib/review';
import { SourceFile } from '../../lib/review/dist-source';
import { exampleConfig } from '../util';

const SIZE: LargePlatformOptions = { models: 120, microservices: 40, sparkJobs: 60 };

let work: string;
beforeAll(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'stable-split-')); });
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Rendered {
  /** `<cluster>/<object file>` to its layer folder, for the layer folders (not `flux`). */
  readonly folderOf: Map<string, string>;
  /** `<cluster>/<folder>` to its object count and YAML bytes. */
  readonly sizes: Map<string, { objects: number; bytes: number }>;
  /** Apply-order faults of the verifier, formatted. */
  readonly applyOrderFaults: string[];
  /** The rendered tree, as the review tool reads it. */
  readonly files: SourceFile[];
}

let variant = 0;
function render(config: PlatformConfig): Rendered {
  // the same environment name every time (the review tool keys objects by it)
  const file = path.join(work, String(++variant), 'large.yaml');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, yaml.dump(config, { noRefs: true, lineWidth: -1 }));
  const { tree, verifications } = renderEnvironments([loadEnvironment(file)], PLATFORM_COMPOSITIONS);
  const folderOf = new Map<string, string>();
  const sizes = new Map<string, { objects: number; bytes: number }>();
  for (const [name, text] of tree) {
    const [, cluster, folder, object] = name.split('/');
    if (object === undefined || folder === 'flux' || object === 'kustomization.yaml') continue;
    folderOf.set(`${cluster}/${object}`, folder);
    const size = sizes.get(`${cluster}/${folder}`) ?? { objects: 0, bytes: 0 };
    sizes.set(`${cluster}/${folder}`, { objects: size.objects + 1, bytes: size.bytes + text.length });
  }
  const applyOrderFaults = verifications.flatMap((v) => v.result.faults).filter((f) => f.rule === 'apply-order').map(formatFault);
  return { folderOf, sizes, applyOrderFaults, files: [...tree].map(([name, text]) => ({ path: `dist/${name}`, text })) };
}

/** Objects in both renders whose folder differs. */
function moved(before: Rendered, after: Rendered): string[] {
  return [...after.folderOf].filter(([file, folder]) => before.folderOf.has(file) && before.folderOf.get(file) !== folder)
    .map(([file, folder]) => `${file}: ${before.folderOf.get(file)} -> ${folder}`);
}

type Generated = PlatformConfig & { clusters: Record<string, any> };
const generated = (options: LargePlatformOptions) => largePlatform(exampleConfig(), options) as Generated;

/** The platform of `size` with `edit` applied. */
function edited(edit: (config: Generated) => void, size = SIZE): Generated {
  const config = generated(size);
  edit(config);
  return config;
}

let base: Rendered;
beforeAll(() => { base = render(generated(SIZE)); });

test('the base platform is split (so the properties below are about split layers) and within the limits', () => {
  const servingFolders = [...base.sizes.keys()].filter((f) => f.startsWith('serving/workloads'));
  const dataFolders = [...base.sizes.keys()].filter((f) => f.startsWith('data-processing/workloads'));
  expect(servingFolders.length).toBeGreaterThan(8);
  expect(dataFolders.length).toBeGreaterThan(3);
  expect(base.applyOrderFaults).toEqual([]);
});

/** Whether the render has an object file that `matches` (the variant's own object, added or removed). */
const hasFile = (r: Rendered, matches: (file: string) => boolean) => [...r.folderOf.keys()].some(matches);
const isFile = (name: string) => (file: string) => file === name;
const sparkJob = (job: string) => (file: string) => file.startsWith('data-processing/spark_') && file.endsWith(`_${job}.yaml`);

/** Name, config, the variant's own object, and whether the variant's render has it. */
const variants: [string, () => PlatformConfig, (file: string) => boolean, boolean][] = [
  ['adding one model', () => generated({ ...SIZE, models: SIZE.models + 1 }), isFile('serving/models_inferenceservice.serving.kserve.io_model-0121.yaml'), true],
  ['removing one model', () => edited((config) => { delete config.clusters.serving.serving.models['model-0002']; }), isFile('serving/models_inferenceservice.serving.kserve.io_model-0002.yaml'), false],
  ['adding one microservice', () => generated({ ...SIZE, microservices: SIZE.microservices + 1 }), isFile('serving/microservices_deployment_svc-0041.yaml'), true],
  ['removing one microservice', () => edited((config) => { delete config.clusters.serving.serving.microservices['svc-0003']; }), isFile('serving/microservices_deployment_svc-0003.yaml'), false],
  ['adding one Spark job', () => generated({ ...SIZE, sparkJobs: SIZE.sparkJobs + 1 }), sparkJob('job-0061'), true],
  ['removing one Spark job', () => edited((config) => { delete config.clusters['data-processing'].dataProcessing.jobs['job-0004']; }), sparkJob('job-0004'), false],
];

test.each(variants)('%s moves no other object between folders; apply order and folder limits hold', (_, make, own, present) => {
  const after = render(make());
  expect(hasFile(after, own)).toBe(present);
  expect(moved(base, after)).toEqual([]);
  expect(after.applyOrderFaults).toEqual([]);
  for (const [folder, size] of after.sizes) {
    expect([folder, size.objects <= MAX_OBJECTS_PER_FOLDER, size.bytes <= MAX_BYTES_PER_FOLDER]).toEqual([folder, true, true]);
  }
});

test('removing NiFi\'s UI route (an HTTPRoute in the gateway namespace and its BackendTLSPolicy in NiFi\'s) moves no other object', () => {
  const after = render(edited((config) => { delete config.clusters['data-processing'].streaming.nifi.route; }));
  const backendTlsPolicy = (f: string) => f.startsWith('data-processing/') && f.includes('_backendtlspolicy_');
  expect(hasFile(base, backendTlsPolicy)).toBe(true);
  expect(hasFile(after, backendTlsPolicy)).toBe(false);
  expect(moved(base, after)).toEqual([]);
  expect(after.applyOrderFaults).toEqual([]);
});

/**
 * The cases no config change of this platform reaches, on its real workloads layers (the units and declared
 * placements of the real constructs): a workload growing past 32 objects and 64 KiB (the old group limits), a
 * service workload losing its StatefulSet, DaemonSet, Kafka or HelmRelease, and a route collection gaining
 * another kind. None moves an object; before, each moved the workload's objects, some to folders Flux applies later.
 */
describe('a workload\'s folder follows its declared identity, not its size or content (real units of the large platform)', () => {
  const layerOf = (cluster: 'serving' | 'data-processing') => {
    const config = generated(SIZE);
    const { context } = buildClusterApp('large', config, cluster);
    const chart = context.layers.workloads;
    const files = (chart.toJson() as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[]).map(manifestFileName);
    const { unitOf, placementOf } = workloadUnits(chart);
    const folders = config.clusters[cluster].layerFolders.workloads as number;
    const place = (list: readonly string[], sizeOf: (f: string) => number = () => 100) => new Map(splitIntoFolders('workloads', list, {
      folders, unitOf: (f) => unitOf.get(f) ?? (f.startsWith('x-') ? undefined : /^[^_]+_[^_]+_(.*)-extra-\d+\.yaml$/.exec(f)?.[1]), placementOf: (u) => placementOf.get(u), sizeOf, maxObjects: 5000, maxBytes: 1e9,
    }).flatMap((p) => p.files.map((f) => [f, p.folder] as const)));
    return { files, unitOf, placementOf, place };
  };
  const movedBetween = (before: Map<string, string>, after: Map<string, string>) => [...before].filter(([f, folder]) => after.has(f) && after.get(f) !== folder).map(([f]) => f);

  test.each(['serving', 'data-processing'] as const)('%s: every grouped workload growing to 40 objects of 2 KiB moves nothing', (cluster) => {
    const { files, unitOf, placementOf, place } = layerOf(cluster);
    const before = place(files);
    const grouped = [...new Set([...unitOf.values()])].filter((u) => placementOf.get(u) !== 'spread');
    expect(grouped.length).toBeGreaterThan(5);
    // 40 more objects per grouped workload, named so that unitOf gives them that workload
    const extra = files.filter((f) => grouped.includes(unitOf.get(f) ?? '') && !f.startsWith('cluster_')).slice(0, 1000)
      .flatMap((f) => { const [ns] = f.split('_'); const unit = unitOf.get(f)!; return Array.from({ length: 40 }, (_, i) => `${ns}_configmapx_${unit}-extra-${i}.yaml`); });
    const after = place([...files, ...new Set(extra)], () => 2048);
    expect(movedBetween(before, after)).toEqual([]);
  });

  test('data-processing: HDFS, Kafka, NiFi, JupyterHub and Airflow losing their service kinds move nothing', () => {
    const { files, unitOf, placementOf, place } = layerOf('data-processing');
    const services = files.filter((f) => SERVICE_KINDS.includes(f.split('_')[1]) && placementOf.get(unitOf.get(f)!) === 'service');
    expect(new Set(services.map((f) => unitOf.get(f))).size).toBeGreaterThanOrEqual(4);
    const before = place(files);
    expect(movedBetween(before, place(files.filter((f) => !services.includes(f))))).toEqual([]);
  });

  test.each(['serving', 'data-processing'] as const)('%s: the route collection gaining another kind (a BackendTLSPolicy next to its HTTPRoutes) moves no route', (cluster) => {
    const { files, unitOf, placementOf, place } = layerOf(cluster);
    const routes = files.filter((f) => f.startsWith('gateway_') && unitOf.get(f) === 'routes');
    expect(routes.length).toBeGreaterThan(2);
    expect(placementOf.get('routes')).toBe('spread');
    const before = place(files);
    expect(movedBetween(before, place([...files, 'gateway_backendtlspolicy.gateway.networking.k8s.io_routes-extra-0.yaml']))).toEqual([]);
  });
});

test('the check finds a move (so its silence above means something)', () => {
  const shifted: Rendered = { ...base, folderOf: new Map([...base.folderOf].map(([file, folder]) => [file, file.includes('model-0005') ? `${folder}-x` : folder])) };
  expect(moved(base, shifted).length).toBeGreaterThan(0);
});

describe('changing the folder count (an explicit decision, reviewed with npm run diff)', () => {
  const withFolders = (folders: 1 | 4 | 8, size = SIZE) => render(edited((config) => { config.clusters.serving.layerFolders = { workloads: folders }; }, size));
  /** The flux-order review of every object that changes folder, by level and verdict. */
  const moveVerdicts = (from: Rendered, to: Rendered) => {
    const changes = compareObjectSets(buildObjectSet(from.files, 'dist'), buildObjectSet(to.files, 'dist'))
      .filter((c) => c.type === 'changed' && c.base!.folder !== c.head!.folder && c.ref.kind !== 'Kustomization');
    const verdicts = changes.flatMap((c) => c.risks.filter((r) => r.rule === 'flux-order' && r.reason.startsWith('moves from ')))
      .map((r) => r.reason.includes('applies first') ? 'safe' : r.reason.includes('may prune') ? 'unsafe' : 'other');
    return { moved: changes.length, verdicts: [...new Set(verdicts)].sort(), flagged: verdicts.length };
  };

  test('doubling it moves objects only to folders applied earlier: the review tool flags each move as safe', () => {
    const four = withFolders(4);
    const eight = withFolders(8);
    expect(eight.applyOrderFaults).toEqual([]);
    const result = moveVerdicts(four, eight);
    expect(result.moved).toBeGreaterThan(100);
    expect(result).toEqual({ moved: result.moved, verdicts: ['safe'], flagged: result.moved });
  });

  test('halving it moves objects to later folders: the review tool flags each move as a prune risk', () => {
    const result = moveVerdicts(withFolders(8), withFolders(4));
    expect(result.moved).toBeGreaterThan(100);
    expect(result).toEqual({ moved: result.moved, verdicts: ['unsafe'], flagged: result.moved });
  });

  test('splitting a layer for the first time moves objects out of <layer>, which is applied last: flagged safe', () => {
    const small = { models: 30, microservices: 10, sparkJobs: 5 };
    const result = moveVerdicts(withFolders(1, small), withFolders(4, small));
    expect(result.moved).toBeGreaterThan(20);
    expect(result).toEqual({ moved: result.moved, verdicts: ['safe'], flagged: result.moved });
  });
});
