/** Deploy up to the exact kubectl commands and files it uses; the kubeconfig stays private and is always removed. */
import { PLATFORM_COMPOSITIONS } from '../../charts';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLE_CONFIG, exampleConfig, exampleEnvironment, REPO_ROOT } from '../util';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { LAYER_ORDER } from '../../lib/synth/layers';
import { KUBECONFIG_PLACEHOLDER, runDeploy } from '../../lib/azure/deploy';
import { Command, CommandRunner } from '../../lib/azure/command-runner';
import { orderedLayerFolders } from '../../lib/azure/deploy-plan';
import { EXIT } from '../../lib/azure/errors';
import { captureOutput, clusterPath, FakeArm, Routes, RECORDED_CLUSTER, recordedBody, specExampleBody, synthetic, TEST_RETRY, TEST_TOKEN, testCredential } from './fake-arm';

const config = exampleConfig();
const training = config.clusters.training;
const CONFIG_DIR = path.dirname(EXAMPLE_CONFIG);
const CREDENTIALS = synthetic('user-credentials.synthetic.json');
const KUBECONFIG_TEXT = Buffer.from(CREDENTIALS.kubeconfigs[0].value, 'base64').toString('utf8');
const KUBECONFIG_SECRET = 'SYNTHETIC-KUBECONFIG-TOKEN-must-never-be-printed';
const APPLY = ['apply', '--server-side', '--field-manager=ml-platform-manifests', '-k'];

function routes(overrides: Routes = {}): Routes {
  return {
    [`GET ${clusterPath(training.azure)}`]: { status: 200, body: synthetic('managed-cluster-training.synthetic.json') },
    [`POST ${clusterPath(training.azure)}/listClusterUserCredential`]: { status: 200, body: CREDENTIALS },
    ...overrides,
  };
}

/** Records commands; checks the kubeconfig file while each command "runs". */
class RecordingRunner implements CommandRunner {
  public readonly commands: Command[] = [];
  public readonly kubeconfigSeen: { mode: number; dirMode: number; content: string }[] = [];
  constructor(private readonly failAt?: number) {}
  public async run(command: Command): Promise<number> {
    this.commands.push(command);
    const file = command.args[command.args.indexOf('--kubeconfig') + 1];
    this.kubeconfigSeen.push({ mode: fs.statSync(file).mode & 0o777, dirMode: fs.statSync(path.dirname(file)).mode & 0o777, content: fs.readFileSync(file, 'utf8') });
    return this.commands.length === this.failAt ? 1 : 0;
  }
  public stop(): void {}
}

let work: string;
let tmpRoot: string;
let fake: FakeArm | undefined;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));
  tmpRoot = path.join(work, 'tmp');
  fs.mkdirSync(tmpRoot);
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  fs.rmSync(work, { recursive: true, force: true });
});

async function deploy(args: string[], options: { routes?: Routes; runner?: RecordingRunner; distDir?: string } = {}) {
  fake = await FakeArm.start(options.routes ?? routes());
  const output = captureOutput();
  const runner = options.runner ?? new RecordingRunner();
  const code = await runDeploy(['--config-dir', CONFIG_DIR, '--dist-dir', options.distDir ?? path.join(work, 'dist'), '--arm-endpoint', fake.url, '--cluster', 'training', ...args],
    { env: {}, ...output.deps, credential: testCredential, retry: TEST_RETRY, runner, tmpRoot });
  return { code, runner, ...output, fake };
}

/** Writes a file tree under the work folder. */
function writeTree(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
}

/** A dist tree with a split operators layer and a Flux entry point (what the GitOps issue adds). */
function syntheticDist(): string {
  const dist = path.join(work, 'dist');
  const base = 'example/training';
  writeTree(dist, {
    [`${base}/operators/kustomization.yaml`]: 'resources: []\n',
    [`${base}/operators/cluster_customresourcedefinition_pytorchjobs.kubeflow.org.yaml`]: 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: pytorchjobs.kubeflow.org\n',
    [`${base}/operators/flux-system_helmrelease_training-operator.yaml`]: 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: training-operator\n  namespace: flux-system\n',
    [`${base}/operators-2/kustomization.yaml`]: 'resources: []\n',
    [`${base}/operators-2/kubeflow_deployment_training-operator.yaml`]: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: training-operator\n  namespace: kubeflow\n',
    [`${base}/operators-2/kubeflow_configmap_settings.yaml`]: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: kubeflow\n',
    [`${base}/platform/kustomization.yaml`]: 'resources: []\n',
    [`${base}/platform/cluster_namespace_training.yaml`]: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: training\n',
    [`${base}/workloads/kustomization.yaml`]: 'resources: []\n',
    [`${base}/flux/kustomization.yaml`]: 'resources: []\n',
    [`${base}/flux/flux-system_kustomization_training-operators.yaml`]: 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: training-operators\n  namespace: flux-system\n',
    [`${base}/flux/flux-system_kustomization_training-platform.yaml`]: 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: training-platform\n  namespace: flux-system\n',
  });
  return dist;
}

function expectNothingLeft(): void {
  expect(fs.readdirSync(tmpRoot)).toEqual([]);
}

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(KUBECONFIG_SECRET);
  expect(text).not.toContain(TEST_TOKEN);
  expect(text).not.toContain(tmpRoot);
}

test('dry run on the synthesized example shows the ordered apply of every layer and runs nothing', async () => {
  const dist = path.join(work, 'dist');
  const { tree } = renderEnvironments([exampleEnvironment()], PLATFORM_COMPOSITIONS);
  for (const [file, text] of tree) writeTree(dist, { [file]: text });
  const clusterDir = path.join(dist, 'example', 'training');
  const layerFolders = orderedLayerFolders(fs.readdirSync(clusterDir));
  expect(layerFolders.length).toBeGreaterThan(0);

  const { code, out, err, runner, fake: arm } = await deploy(['--dry-run'], { distDir: dist });
  expect(err).toEqual([]);
  expect(code).toBe(EXIT.OK);
  expect(runner.commands).toEqual([]);
  const applies = out.filter((line) => line.includes(' apply '));
  expect(applies).toEqual(layerFolders.map((folder) => `would run kubectl --kubeconfig ${KUBECONFIG_PLACEHOLDER} ${[...APPLY, path.join(clusterDir, folder)].join(' ')}`));
  expect(arm.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Object.keys(routes()));
  expectNoSecrets(out.join('\n'));
  expectNothingLeft();
});

test('applies each folder in layer order, waits on what it installs, with a private kubeconfig that is removed after', async () => {
  const dist = syntheticDist();
  const clusterDir = path.join(dist, 'example', 'training');
  const { code, out, err, runner } = await deploy([], { distDir: dist });
  expect(err).toEqual([]);
  expect(code).toBe(EXIT.OK);
  const kubeconfigFile = runner.commands[0].args[1];
  expect(path.dirname(path.dirname(kubeconfigFile))).toBe(tmpRoot);
  expect(runner.commands.map((c) => [c.program, ...c.args])).toEqual([
    ['kubectl', '--kubeconfig', kubeconfigFile, ...APPLY, path.join(clusterDir, 'operators')],
    ['kubectl', '--kubeconfig', kubeconfigFile, 'wait', '--for=condition=Established', '--timeout=10m', 'customresourcedefinitions.apiextensions.k8s.io/pytorchjobs.kubeflow.org'],
    ['kubectl', '--kubeconfig', kubeconfigFile, 'wait', '--for=condition=Ready', '--timeout=10m', '-n', 'flux-system', 'helmreleases.helm.toolkit.fluxcd.io/training-operator'],
    ['kubectl', '--kubeconfig', kubeconfigFile, ...APPLY, path.join(clusterDir, 'operators-2')],
    ['kubectl', '--kubeconfig', kubeconfigFile, 'wait', '--for=condition=Available', '--timeout=10m', '-n', 'kubeflow', 'deployments.apps/training-operator'],
    ['kubectl', '--kubeconfig', kubeconfigFile, ...APPLY, path.join(clusterDir, 'platform')],
    ['kubectl', '--kubeconfig', kubeconfigFile, ...APPLY, path.join(clusterDir, 'workloads')],
  ]);
  for (const seen of runner.kubeconfigSeen) expect(seen).toEqual({ mode: 0o600, dirMode: 0o700, content: KUBECONFIG_TEXT });
  expect(fs.existsSync(kubeconfigFile)).toBe(false);
  expect(out).toContain('  not applied: flux (the Flux entry point; use --via-flux to hand the cluster to Flux)');
  expectNoSecrets(out.join('\n'));
  expectNothingLeft();
});

test('--via-flux applies only the Flux entry point and waits for its Kustomizations', async () => {
  const dist = syntheticDist();
  const { code, runner } = await deploy(['--via-flux', '--timeout', '20m'], { distDir: dist });
  expect(code).toBe(EXIT.OK);
  expect(runner.commands.map((c) => c.args.slice(2))).toEqual([
    [...APPLY, path.join(dist, 'example', 'training', 'flux')],
    ['wait', '--for=condition=Ready', '--timeout=20m', '-n', 'flux-system', 'kustomizations.kustomize.toolkit.fluxcd.io/training-operators', 'kustomizations.kustomize.toolkit.fluxcd.io/training-platform'],
  ]);
  expectNothingLeft();
});

test('--via-flux without a Flux entry point: exit 9 before any Azure call', async () => {
  const dist = syntheticDist();
  fs.rmSync(path.join(dist, 'example', 'training', 'flux'), { recursive: true });
  const { code, err, fake: arm } = await deploy(['--via-flux'], { distDir: dist });
  expect(code).toBe(EXIT.DEPLOY_FAILED);
  expect(err[0]).toContain('no Flux entry point');
  expect(arm.requests).toEqual([]);
});

test('a failing kubectl step stops the deploy (exit 9) and still removes the kubeconfig', async () => {
  const { code, err, runner } = await deploy([], { distDir: syntheticDist(), runner: new RecordingRunner(2) });
  expect(code).toBe(EXIT.DEPLOY_FAILED);
  expect(runner.commands).toHaveLength(2);
  expect(err).toEqual([expect.stringContaining('step 2 of 7 (wait for operators: 1 object(s) Established) failed with exit status 1; the steps after it were not run')]);
  expect(fs.existsSync(runner.commands[0].args[1])).toBe(false);
  expectNoSecrets(err.join('\n'));
  expectNothingLeft();
});

test('missing dist/: exit 9 before any Azure call', async () => {
  const { code, err, fake: arm } = await deploy(['--dry-run'], { distDir: path.join(work, 'nothing') });
  expect(code).toBe(EXIT.DEPLOY_FAILED);
  expect(err[0]).toContain('run make synth first');
  expect(arm.requests).toEqual([]);
});

test('the recorded credential example is not a kubeconfig: exit 9, nothing written', async () => {
  const { code, err, runner } = await deploy([], {
    distDir: syntheticDist(),
    routes: routes({ [`POST ${clusterPath(training.azure)}/listClusterUserCredential`]: { status: 200, body: specExampleBody('ManagedClustersListClusterUserCredentials.json') } }),
  });
  expect(code).toBe(EXIT.DEPLOY_FAILED);
  expect(err[0]).toContain("credential 'credentialName1' is not a kubeconfig");
  expect(runner.commands).toEqual([]);
  expectNothingLeft();
});

test('403 on listClusterUserCredential: exit 5', async () => {
  const { code, err, runner } = await deploy([], {
    distDir: syntheticDist(),
    routes: routes({ [`POST ${clusterPath(training.azure)}/listClusterUserCredential`]: { status: 403, body: synthetic('authorization-failed.synthetic.json') } }),
  });
  expect(code).toBe(EXIT.FORBIDDEN);
  expect(err[0]).toContain('fetching the user kubeconfig');
  expect(runner.commands).toEqual([]);
  expectNothingLeft();
});

test('stopped cluster: exit 8, no credential is requested', async () => {
  const stopped = JSON.parse(recordedBody(RECORDED_CLUSTER));
  stopped.properties.powerState.code = 'Stopped';
  const { code, fake: arm } = await deploy(['--dry-run'], { distDir: syntheticDist(), routes: routes({ [`GET ${clusterPath(training.azure)}`]: { status: 200, body: stopped } }) });
  expect(code).toBe(EXIT.CLUSTER_STOPPED);
  expect(arm.requests.map((r) => r.method)).toEqual(['GET']);
  expectNothingLeft();
});

test('deploy needs --cluster: exit 2', async () => {
  const output = captureOutput();
  expect(await runDeploy(['--config-dir', CONFIG_DIR], { env: {}, ...output.deps })).toBe(EXIT.USAGE);
  expect(output.err[0]).toContain('deploy needs --cluster');
});

test('layer folders are ordered by LAYER_ORDER, split parts numerically; unknown folders are ignored', () => {
  const [first, second, third] = LAYER_ORDER;
  expect(orderedLayerFolders([`${third}`, `${first}-10`, 'flux', `${first}-2`, `${second}`, 'notes', `${first}`])).toEqual([first, `${first}-2`, `${first}-10`, second, third]);
});

test('no kubeconfig or token ever lands in the repository', () => {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', '.git', 'build'].includes(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== 'user-credentials.synthetic.json' && !full.endsWith('.test.ts') && fs.statSync(full).size < 5_000_000 && (fs.readFileSync(full, 'utf8').includes(KUBECONFIG_SECRET) || /^current-context:/m.test(fs.readFileSync(full, 'utf8')))) found.push(full);
    }
  };
  walk(REPO_ROOT);
  expect(found).toEqual([]);
});
