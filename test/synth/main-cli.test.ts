/** The synth command end to end: the bundled main.ts run with node, as `make synth` runs it. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readTree, writeTree } from '../../lib/synth/atomic-write';
import { listConfigFiles } from '../../lib/config/load';
import { diffTrees } from '../../lib/synth/synthesize';
import { useBundledCli } from '../bundle';
import { EXAMPLE_CONFIG } from '../util';

const cli = useBundledCli('main-cli-');

function run(configDir: string, outDir: string) {
  return spawnSync('node', [cli.bundle, '--config', configDir, '--out', outDir], { encoding: 'utf8' });
}

test('a config with a typo, a wrong type and a missing value: one report naming all three, exit 1, output unchanged', () => {
  // GIVEN a previous output and a broken config
  const outDir = path.join(cli.work, 'dist');
  writeTree(outDir, new Map([['example/old.yaml', 'kind: Previous\n']]));
  const before = readTree(outDir);
  const configDir = path.join(cli.work, 'config');
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
  const outDir = path.join(cli.work, 'dist-good');
  const configDir = path.dirname(EXAMPLE_CONFIG);
  const result = run(configDir, outDir);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  // as many environments as config/ holds: adding config/<name>.yaml must not break this test
  const environments = listConfigFiles(configDir).length;
  // (the summary is the last line: the verifier's report of accepted faults may come first)
  expect(result.stdout).toMatch(new RegExp(`^wrote \\d+ objects in \\d+ files for \\d+ clusters of ${environments} environment\\(s\\) in \\d+ ms`, 'm'));
  expect(fs.existsSync(path.join(outDir, 'example', 'training', 'platform', 'kustomization.yaml'))).toBe(true);
});

test('two environments: each gets its own folder, and the summary counts both', () => {
  const configDir = path.join(cli.work, 'config-two');
  fs.mkdirSync(configDir);
  fs.copyFileSync(EXAMPLE_CONFIG, path.join(configDir, 'example.yaml'));
  fs.copyFileSync(EXAMPLE_CONFIG, path.join(configDir, 'staging.yaml'));
  const outDir = path.join(cli.work, 'dist-two');
  const result = run(configDir, outDir);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(/^wrote \d+ objects in \d+ files for 6 clusters of 2 environment\(s\)/m);
  expect(fs.readdirSync(outDir).sort()).toEqual(['README.md', 'example', 'staging']);
  const flux = fs.readFileSync(path.join(outDir, 'staging', 'serving', 'flux', 'flux-system_kustomization.kustomize.toolkit.fluxcd.io_workloads.yaml'), 'utf8');
  expect(flux).toContain('path: ./dist/staging/serving/workloads');
});

test('a verifier fault (verified on the bundle\'s verifier thread): exit 1, the fault named, output unchanged', () => {
  const outDir = path.join(cli.work, 'dist-fault');
  writeTree(outDir, new Map([['README.md', 'previous\n']]));
  const configDir = path.join(cli.work, 'config-fault');
  fs.mkdirSync(configDir);
  const faulty = fs.readFileSync(EXAMPLE_CONFIG, 'utf8').replace('          nprocPerNode: "1"\n', '          nprocPerNode: "1"\n          runPolicy: { ttlSecondsAfterFinished: 600 }\n');
  fs.writeFileSync(path.join(configDir, 'example.yaml'), faulty);
  const result = run(configDir, outDir);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/The verifier found 1 fault\(s\)[^]*PyTorchJob\/training\/iris \[gitops-lifecycle\]/);
  expect(result.stderr).toContain('Nothing was written');
  expect(readTree(outDir)).toEqual(new Map([['README.md', 'previous\n']]));
  expect(fs.readdirSync(cli.work).filter((name) => name.startsWith('.dist-fault'))).toEqual([]);
});
