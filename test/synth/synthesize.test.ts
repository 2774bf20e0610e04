import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { scaleConfig } from '../../bench/scale-config';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { ConfigError } from '../../lib/config/issues';
import { PlatformConfig } from '../../lib/config/schema';
import { readTree } from '../../lib/synth/atomic-write';
import { MAX_OBJECTS_PER_FOLDER } from '../../lib/synth/manifest-files';
import { diffTrees, synthesize } from '../../lib/synth/synthesize';
import { VerifyError } from '../../lib/verify';
import { EXAMPLE_CONFIG } from '../util';

const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');
let work: string;

beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function configDir(text: string, name = 'example.yaml'): string {
  const dir = path.join(work, `config-${fs.readdirSync(work).length}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('synthesize', () => {
  test('two runs give byte-identical trees', () => {
    const config = configDir(exampleText);
    synthesize({ configDir: config, outDir: path.join(work, 'a'), compositions: PLATFORM_COMPOSITIONS });
    synthesize({ configDir: config, outDir: path.join(work, 'b'), compositions: PLATFORM_COMPOSITIONS });
    const a = readTree(path.join(work, 'a'));
    expect(a.size).toBeGreaterThan(10);
    expect(diffTrees(a, readTree(path.join(work, 'b')))).toEqual([]);
  });

  test('writes dist/<environment>/<cluster>/<layer>/ with a kustomization.yaml in every folder', () => {
    const out = path.join(work, 'dist');
    synthesize({ configDir: configDir(exampleText), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    const files = [...readTree(out).keys()];
    const folders = new Set(files.filter((f) => f.endsWith('.yaml') && f.split('/').length === 4).map((f) => path.dirname(f)));
    expect([...folders]).toEqual(expect.arrayContaining(['example/training/platform', 'example/serving/platform', 'example/data-processing/platform']));
    for (const folder of folders) expect(files).toContain(`${folder}/kustomization.yaml`);
    expect(files).toContain('example/training/platform/cluster_namespace_training.yaml');
    expect(files).toContain('example/training/platform/training_resourcequota_namespace-quota.yaml');
  });

  test('a bad config leaves the previous output byte-identical and writes nothing aside', () => {
    // GIVEN a good synth
    const out = path.join(work, 'dist');
    synthesize({ configDir: configDir(exampleText), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    const before = readTree(out);
    // WHEN the config breaks
    const bad = configDir(exampleText.replace('vmSize: Standard_D8s_v5', 'vmSize: 8'));
    // THEN synthesis fails with the config error, and the output is untouched
    expect(() => synthesize({ configDir: bad, outDir: out, compositions: PLATFORM_COMPOSITIONS })).toThrow(ConfigError);
    expect(diffTrees(before, readTree(out))).toEqual([]);
    expect(fs.readdirSync(work).filter((name) => name.startsWith('.dist-'))).toEqual([]);
  });

  test('a verifier fault, found after the files were written aside, leaves the previous output byte-identical, nothing aside and the lock free', () => {
    // GIVEN a good synth (the output's folder exists, so the next run writes each cluster aside as it renders)
    const out = path.join(work, 'dist');
    synthesize({ configDir: configDir(exampleText), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    const before = readTree(out);
    // WHEN a change makes the verifier fail (a PyTorchJob deleted after it finishes: Flux would re-create it)
    const faulty = exampleText.replace('          nprocPerNode: "1"\n', '          nprocPerNode: "1"\n          runPolicy: { ttlSecondsAfterFinished: 600 }\n');
    expect(faulty).not.toBe(exampleText);
    expect(() => synthesize({ configDir: configDir(faulty), outDir: out, compositions: PLATFORM_COMPOSITIONS })).toThrow(VerifyError);
    // THEN the output is untouched, the staging folder is gone, and the lock is released (the next run does not wait)
    expect(diffTrees(before, readTree(out))).toEqual([]);
    expect(fs.readdirSync(work).filter((name) => name.startsWith('.dist'))).toEqual([]);
    synthesize({ configDir: configDir(exampleText), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    expect(diffTrees(before, readTree(out))).toEqual([]);
  });

  test('a missing parent folder is not created when synthesis fails', () => {
    const out = path.join(work, 'missing', 'parent', 'dist');
    const faulty = exampleText.replace('          nprocPerNode: "1"\n', '          nprocPerNode: "1"\n          runPolicy: { ttlSecondsAfterFinished: 600 }\n');
    expect(() => synthesize({ configDir: configDir(faulty), outDir: out, compositions: PLATFORM_COMPOSITIONS })).toThrow(VerifyError);
    expect(fs.existsSync(path.join(work, 'missing'))).toBe(false);
    // and is created by a good run
    synthesize({ configDir: configDir(exampleText), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    expect(readTree(out).get('README.md')).toMatch(/^# Generated: do not edit/);
  });

  test('objects removed from the config disappear from the output', () => {
    // GIVEN an output with an extra namespace
    const out = path.join(work, 'dist');
    const withScratch = yaml.load(exampleText) as PlatformConfig;
    (withScratch.clusters.serving.namespaces as Record<string, object>).scratch = {};
    synthesize({ configDir: configDir(yaml.dump(withScratch)), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    expect(fs.existsSync(path.join(out, 'example/serving/platform/cluster_namespace_scratch.yaml'))).toBe(true);
    // WHEN the namespace is removed from the config
    synthesize({ configDir: configDir(exampleText), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    // THEN its files and kustomization entries are gone
    const files = [...readTree(out).keys()];
    expect(files.filter((f) => f.includes('scratch'))).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'example/serving/platform/kustomization.yaml'), 'utf8')).not.toContain('scratch');
  });

  test('a re-synth links unchanged files from the previous tree and writes changed ones', () => {
    const out = path.join(work, 'dist');
    synthesize({ configDir: configDir(exampleText), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    const unchanged = path.join(out, 'example/training/platform/cluster_namespace_training.yaml');
    const changed = path.join(out, 'example/serving/platform/kustomization.yaml');
    const before = { unchanged: fs.statSync(unchanged).ino, changed: fs.statSync(changed).ino };
    const withScratch = yaml.load(exampleText) as PlatformConfig;
    (withScratch.clusters.serving.namespaces as Record<string, object>).scratch = {};
    synthesize({ configDir: configDir(yaml.dump(withScratch)), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    expect(fs.statSync(unchanged).ino).toBe(before.unchanged);
    expect(fs.statSync(unchanged).nlink).toBe(1); // the previous tree, which shared it, is gone
    expect(fs.statSync(changed).ino).not.toBe(before.changed);
    expect(fs.readFileSync(changed, 'utf8')).toContain('cluster_namespace_scratch.yaml');
    expect(fs.readdirSync(work).filter((name) => name.startsWith('.dist-'))).toEqual([]);
  });

  test('check mode reports differences and writes nothing', () => {
    const out = path.join(work, 'dist');
    const config = configDir(exampleText);
    synthesize({ configDir: config, outDir: out, compositions: PLATFORM_COMPOSITIONS });
    fs.writeFileSync(path.join(out, 'stale.yaml'), 'kind: Stale\n');
    const result = synthesize({ configDir: config, outDir: out, check: true, compositions: PLATFORM_COMPOSITIONS });
    expect(result.differences).toEqual(['stale.yaml']);
    expect(fs.existsSync(path.join(out, 'stale.yaml'))).toBe(true);
  });

  test('every environment file in the config folder gets its own tree', () => {
    const dir = configDir(exampleText, 'example.yaml');
    fs.writeFileSync(path.join(dir, 'staging.yaml'), exampleText);
    const out = path.join(work, 'dist');
    const result = synthesize({ configDir: dir, outDir: out, compositions: PLATFORM_COMPOSITIONS });
    expect(result.environments).toBe(2);
    expect(fs.readdirSync(out).sort()).toEqual(['README.md', 'example', 'staging']);
  });
});

describe('large outputs', () => {
  test(`a layer with more than ${MAX_OBJECTS_PER_FOLDER} objects is split over its layerFolders into folders of at most ${MAX_OBJECTS_PER_FOLDER}, each with its own kustomization`, () => {
    // GIVEN one cluster with 120 extra namespaces: 5 baseline objects each puts its platform layer past 500 objects
    // (scaleConfig sets layerFolders.platform: 2 for them)
    const base = yaml.load(exampleText) as PlatformConfig;
    const big = scaleConfig(base, { copies: 1, extraNamespaces: 120 }).get('env-001')!;
    const out = path.join(work, 'dist');
    // WHEN
    synthesize({ configDir: configDir(yaml.dump(big)), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    // THEN
    const tree = readTree(out);
    const clusterName = Object.keys(big.clusters)[0];
    const folders = [...new Set([...tree.keys()].filter((f) => f.startsWith(`example/${clusterName}/platform`)).map((f) => path.dirname(f)))].sort();
    expect(big.clusters[clusterName].layerFolders?.platform).toBe(2);
    // the Namespaces in one folder, the 600 baseline objects over two dependency folders, the rest (one Service) in its hash folder
    expect(folders).toEqual(expect.arrayContaining(['platform-cluster', 'platform-deps', 'platform-deps-1'].map((f) => `example/${clusterName}/${f}`)));
    for (const folder of folders) expect(folder).toMatch(new RegExp(`^example/${clusterName}/platform(-cluster|-deps|-deps-1|-1)?$`));
    for (const folder of folders) {
      const objects = [...tree.keys()].filter((f) => path.dirname(f) === folder && f !== `${folder}/kustomization.yaml`);
      expect(objects.length).toBeLessThanOrEqual(MAX_OBJECTS_PER_FOLDER);
      const listed = (yaml.load(tree.get(`${folder}/kustomization.yaml`)!) as { resources: string[] }).resources;
      expect(listed).toEqual(objects.map((f) => path.basename(f)).sort());
    }
  });

  test('a layer past the folders its config gives it is a config error with file, line, key and the count that fits; dist/ unchanged', () => {
    // GIVEN a good synth, then 120 more namespaces but the platform layer left at one folder
    const out = path.join(work, 'dist');
    synthesize({ configDir: configDir(exampleText), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    const before = readTree(out);
    const big = scaleConfig(yaml.load(exampleText) as PlatformConfig, { copies: 1, extraNamespaces: 120 }).get('env-001')!;
    const clusterName = Object.keys(big.clusters)[0];
    delete (big.clusters[clusterName] as { layerFolders?: unknown }).layerFolders;
    // WHEN / THEN
    const dir = configDir(yaml.dump(big));
    let error: unknown;
    try { synthesize({ configDir: dir, outDir: out, compositions: PLATFORM_COMPOSITIONS }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues[0];
    expect(issue.path).toEqual(['clusters', clusterName, 'layerFolders', 'platform']);
    expect(issue.file).toBe(path.join(dir, 'example.yaml'));
    expect(issue.line).toBeGreaterThan(0);
    expect(issue.message).toMatch(new RegExp(`cluster '${clusterName}': layer 'platform' \\(clusters.${clusterName}.layerFolders.platform: 1, the default\\) does not fit in one folder: platform: \\d+ objects.*Set it to 2, the smallest count that fits`));
    expect(diffTrees(before, readTree(out))).toEqual([]);
  });
});
