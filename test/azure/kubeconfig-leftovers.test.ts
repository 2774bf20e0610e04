/**
 * Issue 14, item 3 (second half): a SIGKILLed deploy used to leave its kubeconfig, with a token, in the shared
 * temporary folder (`mlp-kubeconfig-*`). Now the kubeconfig lives in a private folder of the user (XDG runtime
 * folder, else the repository's git-ignored .cache/), and every run first removes the kubeconfigs of dead runs.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PrivateKubeconfig } from '../../lib/azure/kubeconfig';
import { privateKubeconfigRoot } from '../../lib/azure/kubeconfig-dir';
import { bundleEntry } from '../bundle';
import { REPO_ROOT } from '../util';

let work: string;
let root: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));
  root = path.join(work, 'private');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: u\n  user: { token: SYNTHETIC-TOKEN }\n';

/** A child that writes a kubeconfig as deploy does, prints its path, then waits to be killed. */
function startChild(): Promise<{ pid: number; file: string; kill: () => Promise<void> }> {
  const entry = path.join(work, 'child.ts');
  fs.writeFileSync(entry, `import { PrivateKubeconfig } from ${JSON.stringify(path.join(REPO_ROOT, 'lib/azure/kubeconfig'))};\n`
    + `const k = PrivateKubeconfig.create(${JSON.stringify(KUBECONFIG)}, { tmpRoot: ${JSON.stringify(root)} });\n`
    + 'process.stdout.write(k.path + "\\n");\nsetInterval(() => {}, 1000);\n');
  const bundle = bundleEntry(entry, path.join(work, 'child.js'));
  const child = spawn('node', [bundle], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', (data: Buffer) => resolve({
      pid: child.pid!,
      file: data.toString().trim(),
      kill: () => new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGKILL');
      }),
    }));
  });
}

test('the default folder is private to the user, never the shared temporary folder', () => {
  expect(privateKubeconfigRoot({}, '/repo')).toBe('/repo/.cache/kubeconfig');
  expect(privateKubeconfigRoot({ XDG_RUNTIME_DIR: work }, '/repo')).toBe(path.join(work, 'ml-platform-manifests'));
  expect(privateKubeconfigRoot({ XDG_RUNTIME_DIR: '/no/such/dir' }, '/repo')).toBe('/repo/.cache/kubeconfig');
  const kubeconfig = PrivateKubeconfig.create(KUBECONFIG, { tmpRoot: root });
  try {
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
    expect(fs.statSync(kubeconfig.path).mode & 0o777).toBe(0o600);
    expect(path.basename(path.dirname(kubeconfig.path))).toMatch(new RegExp(`^kubeconfig-${process.pid}-`));
  } finally {
    kubeconfig.dispose();
  }
  expect(fs.readdirSync(root)).toEqual([]);
});

test('a SIGKILLed deploy leaves its kubeconfig; the next run removes it, and keeps that of a live run', async () => {
  // GIVEN two runs holding kubeconfigs, one of which is SIGKILLed (no handler can run)
  const killed = await startChild();
  const live = await startChild();
  try {
    await killed.kill();
    expect(fs.readFileSync(killed.file, 'utf8')).toContain('SYNTHETIC-TOKEN'); // what the probe found
    // WHEN the next run writes its own kubeconfig
    const swept: string[] = [];
    const next = PrivateKubeconfig.create(KUBECONFIG, { tmpRoot: root, onSweep: (name) => swept.push(name) });
    // THEN the dead run's folder is gone, the live run's is kept
    expect(fs.existsSync(path.dirname(killed.file))).toBe(false);
    expect(swept).toEqual([path.basename(path.dirname(killed.file))]);
    expect(fs.existsSync(live.file)).toBe(true);
    next.dispose();
  } finally {
    await live.kill();
  }
});

test('a private folder that is a symbolic link is refused', () => {
  fs.mkdirSync(path.join(work, 'elsewhere'));
  fs.symlinkSync(path.join(work, 'elsewhere'), root);
  expect(() => PrivateKubeconfig.create(KUBECONFIG, { tmpRoot: root })).toThrow(/must be a folder for private kubeconfigs, and it is not \(a symbolic link or a file\)/);
  expect(fs.readdirSync(path.join(work, 'elsewhere'))).toEqual([]);
});
