/**
 * The built command-line tools as separate processes: the production bearer-token path over https (a test CA via
 * NODE_EXTRA_CA_CERTS), exit statuses through the process, and the kubeconfig removed when deploy gets SIGTERM.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLE_CONFIG, exampleConfig, REPO_ROOT } from '../util';
import { EXIT } from '../../lib/azure/errors';
import { clusterPath, FakeArm, synthetic } from './fake-arm';

const training = exampleConfig().clusters.training;
const CONFIG_DIR = path.dirname(EXAMPLE_CONFIG);
const TOKEN = 'cli-test-token-never-printed';
let work: string;
let tls: { key: string; cert: string; certFile: string };
let fake: FakeArm | undefined;

beforeAll(() => {
  execFileSync('make', ['-s', 'build/cli/preflight.js', 'build/cli/deploy.js'], { cwd: REPO_ROOT, stdio: 'ignore' });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-cli-test-'));
  const keyFile = path.join(work, 'key.pem');
  const certFile = path.join(work, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  tls = { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), certFile };
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** True once the process is gone or a zombie (a container's init may never reap it), polling for up to 5 s. */
async function exited(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
      if (/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))) return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function start(cli: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'build', 'cli', cli), '--config-dir', CONFIG_DIR, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

test('preflight over https with AZURE_ACCESS_TOKEN and AZURE_ARM_ENDPOINT: the SDK bearer policy sends the token', async () => {
  fake = await FakeArm.start({ [`GET ${clusterPath(training.azure)}`]: { status: 200, body: synthetic('managed-cluster-training.synthetic.json') } }, { tls });
  const { done } = start('preflight.js', ['--cluster', 'training', '--json'], { AZURE_ACCESS_TOKEN: TOKEN, AZURE_ARM_ENDPOINT: fake.url, NODE_EXTRA_CA_CERTS: tls.certFile });
  const { code, stdout, stderr } = await done;
  expect(stderr).toBe('');
  expect(code).toBe(EXIT.OK);
  expect(JSON.parse(stdout)).toMatchObject({ ok: true, environment: 'example', armEndpoint: fake.url });
  expect(fake.requests.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`]);
  expect(stdout + stderr).not.toContain(TOKEN);
});

test('a 403 reaches the shell as exit status 5 with one line on stderr', async () => {
  fake = await FakeArm.start({ [`GET ${clusterPath(training.azure)}`]: { status: 403, body: synthetic('authorization-failed.synthetic.json') } });
  const { done } = start('preflight.js', ['--cluster', 'training', '--arm-endpoint', fake.url], { AZURE_ACCESS_TOKEN: TOKEN });
  const { code, stderr } = await done;
  expect(code).toBe(EXIT.FORBIDDEN);
  expect(stderr.trim().split('\n')).toHaveLength(1);
});

test('SIGTERM during kubectl: deploy stops kubectl, removes the kubeconfig and exits 143', async () => {
  fake = await FakeArm.start({
    [`GET ${clusterPath(training.azure)}`]: { status: 200, body: synthetic('managed-cluster-training.synthetic.json') },
    [`POST ${clusterPath(training.azure)}/listClusterUserCredential`]: { status: 200, body: synthetic('user-credentials.synthetic.json') },
  });
  const dist = path.join(work, 'dist');
  fs.mkdirSync(path.join(dist, 'example', 'training', 'platform'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'example', 'training', 'platform', 'kustomization.yaml'), 'resources: []\n');
  const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
  const marker = path.join(work, 'kubectl-started');
  const kubectl = path.join(work, 'fake-kubectl');
  fs.writeFileSync(kubectl, `#!/bin/sh\necho "$$ $2" > '${marker}.tmp' && mv '${marker}.tmp' '${marker}'\nexec sleep 30\n`, { mode: 0o755 });

  const { child, done } = start('deploy.js', ['--cluster', 'training', '--dist-dir', dist, '--kubectl', kubectl, '--arm-endpoint', fake.url], { AZURE_ACCESS_TOKEN: TOKEN, XDG_RUNTIME_DIR: tmp });
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const [kubectlPid, kubeconfigFile] = fs.readFileSync(marker, 'utf8').trim().split(' ');
  expect(path.dirname(path.dirname(kubeconfigFile))).toBe(path.join(tmp, 'ml-platform-manifests')); // private, never the shared TMPDIR
  expect(fs.statSync(kubeconfigFile).mode & 0o777).toBe(0o600);

  child.kill('SIGTERM');
  const { code, stdout, stderr } = await done;
  expect(code).toBe(EXIT.SIGTERM);
  expect(fs.readdirSync(path.join(tmp, 'ml-platform-manifests'))).toEqual([]);
  expect(await exited(Number(kubectlPid))).toBe(true); // kubectl was stopped too
  expect(stdout + stderr).not.toContain('SYNTHETIC-KUBECONFIG-TOKEN');
  expect(stdout + stderr).not.toContain(kubeconfigFile);
});
