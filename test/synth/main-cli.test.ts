/** The synth command end to end: the bundled main.ts run with node, as `make synth` runs it. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { readTree, writeTree } from '../../lib/synth/atomic-write';
import { diffTrees } from '../../lib/synth/synthesize';
import { EXAMPLE_CONFIG, REPO_ROOT } from '../util';

let work: string;
let bundle: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'main-cli-'));
  bundle = path.join(work, 'main.js');
  buildSync({ entryPoints: [path.join(REPO_ROOT, 'main.ts')], bundle: true, platform: 'node', target: 'node20', outfile: bundle, logLevel: 'error' });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function run(configDir: string, outDir: string) {
  return spawnSync('node', [bundle, '--config', configDir, '--out', outDir], { encoding: 'utf8' });
}

test('a config with a typo, a wrong type and a missing value: one report naming all three, exit 1, output unchanged', () => {
  // GIVEN a previous output and a broken config
  const outDir = path.join(work, 'dist');
  writeTree(outDir, new Map([['example/old.yaml', 'kind: Previous\n']]));
  const before = readTree(outDir);
  const configDir = path.join(work, 'config');
  fs.mkdirSync(configDir);
  const broken = fs.readFileSync(EXAMPLE_CONFIG, 'utf8')
    .replace('  containerRegistry: examplemlplatform.azurecr.io', '  containerRegistry: examplemlplatform.azurecr.io\n  storageAcounts: {}')
    .replace('    kubernetesVersion: "1.31"', '    kubernetesVersion: 1.31')
    .replace(/  tenantId: .*\n/, '');
  fs.writeFileSync(path.join(configDir, 'example.yaml'), broken);
  // WHEN
  const result = run(configDir, outDir);
  // THEN
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/Invalid platform config \(\d+ problems\)/);
  expect(result.stderr).toMatch(/example\.yaml:\d+: azure\.storageAcounts: unknown key 'storageAcounts'\. Did you mean 'storageAccounts'\?/);
  expect(result.stderr).toMatch(/example\.yaml:\d+: clusters\.data-processing\.kubernetesVersion: expected string/);
  expect(result.stderr).toMatch(/example\.yaml:\d+: azure\.tenantId: missing required key 'tenantId'/);
  expect(result.stderr).toContain('dist/ is unchanged');
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(diffTrees(before, readTree(outDir))).toEqual([]);
});

test('a good config writes the output and says what it wrote', () => {
  const outDir = path.join(work, 'dist-good');
  const result = run(path.dirname(EXAMPLE_CONFIG), outDir);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^wrote \d+ objects in \d+ files for \d+ clusters of 1 environment\(s\) in \d+ ms/);
  expect(fs.existsSync(path.join(outDir, 'example', 'training', 'platform', 'kustomization.yaml'))).toBe(true);
});
