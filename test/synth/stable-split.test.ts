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
import { MAX_BYTES_PER_FOLDER, MAX_OBJECTS_PER_FOLDER } from '../../lib/synth/manifest-files';
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

const generated = (options: LargePlatformOptions) => largePlatform(exampleConfig(), options) as PlatformConfig & { clusters: Record<string, any> };

let base: Rendered;
beforeAll(() => { base = render(generated(SIZE)); });

test('the base platform is split (so the properties below are about split layers) and within the limits', () => {
  const servingFolders = [...base.sizes.keys()].filter((f) => f.startsWith('serving/workloads'));
  const dataFolders = [...base.sizes.keys()].filter((f) => f.startsWith('data-processing/workloads'));
  expect(servingFolders.length).toBeGreaterThan(8);
  expect(dataFolders.length).toBeGreaterThan(3);
  expect(base.applyOrderFaults).toEqual([]);
});

const variants: [string, () => PlatformConfig, (r: Rendered) => void][] = [
  ['adding one model', () => generated({ ...SIZE, models: SIZE.models + 1 }),
    (r) => expect(r.folderOf.has('serving/models_inferenceservice.serving.kserve.io_model-0121.yaml')).toBe(true)],
  ['removing one model', () => {
    const config = generated(SIZE);
    delete config.clusters.serving.serving.models['model-0002'];
    return config;
  }, (r) => expect(r.folderOf.has('serving/models_inferenceservice.serving.kserve.io_model-0002.yaml')).toBe(false)],
  ['adding one microservice', () => generated({ ...SIZE, microservices: SIZE.microservices + 1 }),
    (r) => expect(r.folderOf.has('serving/microservices_deployment_svc-0041.yaml')).toBe(true)],
  ['removing one microservice', () => {
    const config = generated(SIZE);
    delete config.clusters.serving.serving.microservices['svc-0003'];
    return config;
  }, (r) => expect(r.folderOf.has('serving/microservices_deployment_svc-0003.yaml')).toBe(false)],
  ['adding one Spark job', () => generated({ ...SIZE, sparkJobs: SIZE.sparkJobs + 1 }),
    (r) => expect([...r.folderOf.keys()].some((f) => f.startsWith('data-processing/spark_') && f.endsWith('_job-0061.yaml'))).toBe(true)],
  ['removing one Spark job', () => {
    const config = generated(SIZE);
    delete config.clusters['data-processing'].dataProcessing.jobs['job-0004'];
    return config;
  }, (r) => expect([...r.folderOf.keys()].some((f) => f.startsWith('data-processing/spark_') && f.endsWith('_job-0004.yaml'))).toBe(false)],
];

test.each(variants)('%s moves no other object between folders; apply order and folder limits hold', (_, make, changed) => {
  const after = render(make());
  changed(after);
  expect(moved(base, after)).toEqual([]);
  expect(after.applyOrderFaults).toEqual([]);
  for (const [folder, size] of after.sizes) {
    expect([folder, size.objects <= MAX_OBJECTS_PER_FOLDER, size.bytes <= MAX_BYTES_PER_FOLDER]).toEqual([folder, true, true]);
  }
});

test('the check finds a move (so its silence above means something)', () => {
  const shifted: Rendered = { ...base, folderOf: new Map([...base.folderOf].map(([file, folder]) => [file, file.includes('model-0005') ? `${folder}-x` : folder])) };
  expect(moved(base, shifted).length).toBeGreaterThan(0);
});

describe('changing the folder count (an explicit decision, reviewed with npm run diff)', () => {
  const withFolders = (folders: 1 | 4 | 8, size = SIZE) => {
    const config = generated(size);
    config.clusters.serving.layerFolders = { workloads: folders };
    return render(config);
  };
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
