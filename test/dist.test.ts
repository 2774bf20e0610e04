/**
 * The output as Flux sees it: synthesize config/ (and a copy of the example as one more environment) into a
 * temporary folder, then check every object strictly
 * against the upstream schemas and build every folder with `kubectl kustomize`.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { PLATFORM_COMPOSITIONS } from '../charts';
import { listConfigFiles } from '../lib/config/load';
import { synthesize } from '../lib/synth/synthesize';
import { findSecretsInAll, formatIssues, ManifestValidator, readManifestFolder } from '../lib/validation';
import { EXAMPLE_CONFIG, REPO_ROOT } from './util';

let out: string;
let folders: string[];

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-test-'));
  // Every environment of config/, plus a copy of the example under another name: the output must stay valid
  // whichever environments config/ holds (adding config/<name>.yaml must keep these checks green).
  const configDir = path.join(out, 'config');
  fs.mkdirSync(configDir);
  for (const file of listConfigFiles(path.join(REPO_ROOT, 'config'))) fs.copyFileSync(file, path.join(configDir, path.basename(file)));
  fs.copyFileSync(EXAMPLE_CONFIG, path.join(configDir, 'zz-second-environment.yaml'));
  synthesize({ configDir, outDir: path.join(out, 'dist'), compositions: PLATFORM_COMPOSITIONS });
  folders = execFileSync('find', [path.join(out, 'dist'), '-name', 'kustomization.yaml'], { encoding: 'utf8' })
    .trim().split('\n').map((file) => path.dirname(file)).sort();
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

test('every object validates strictly against Kubernetes 1.27.0 and 1.36.0 and its CRD schema', () => {
  const objects = readManifestFolder([path.join(out, 'dist')]);
  expect(objects.length).toBeGreaterThan(20);
  const issues = ManifestValidator.load().validateAll(objects);
  if (issues.length > 0) throw new Error(formatIssues(issues));
});

test('no object carries a secret: no Secret with data, no token, no credentials in a URL, no secret-named env value (issue 14)', () => {
  const issues = findSecretsInAll(readManifestFolder([path.join(out, 'dist')]));
  if (issues.length > 0) throw new Error(formatIssues(issues));
});

test('every folder builds with kubectl kustomize, and holds exactly the objects its kustomization lists', () => {
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (kubectl.error) throw new Error('kubectl is required for this test (it builds each folder with kubectl kustomize)');
  expect(folders.length).toBeGreaterThanOrEqual(3);
  for (const folder of folders) {
    const built = spawnSync('kubectl', ['kustomize', folder], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect([folder, built.status, built.stderr]).toEqual([folder, 0, '']);
    const listed = (yaml.load(fs.readFileSync(path.join(folder, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources;
    const present = fs.readdirSync(folder).filter((f) => f !== 'kustomization.yaml').sort();
    expect(listed).toEqual(present);
    expect(yaml.loadAll(built.stdout).length).toBe(listed.length);
  }
});
