/**
 * Issue 14, item 5: the command-line tools never print a raw JavaScript error. Each bundled CLI is run on a bad
 * input; its stderr must be one line that names the tool, the file and what is wrong, with the documented exit
 * status, and no `TypeError`, `ENOENT:`-style text or stack trace.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleEntry } from '../bundle';

let work: string;
const bundles = new Map<string, string>();

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-errors-'));
  for (const cli of ['federated-credentials', 'write-config-schema', 'write-config-docs', 'import-schemas']) {
    bundles.set(cli, bundleEntry(`lib/cli/${cli}.ts`, path.join(work, `${cli}.js`)));
  }
  bundles.set('synth', bundleEntry('main.ts', path.join(work, 'main.js')));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function run(cli: string, args: string[]) {
  return spawnSync('node', [bundles.get(cli)!, ...args], { encoding: 'utf8', cwd: work, timeout: 60_000 });
}

/** No raw error: no JavaScript error class name, no errno text, no stack frame. */
const RAW = /TypeError|ReferenceError|SyntaxError: Unexpected|Cannot read properties|\bE[A-Z]{3,}: |\n\s+at /;

test.each([
  ['federated-credentials', 'an empty object', '{}', /federated-credentials\.json: not a federated-credential list \(no identities array\)/],
  ['federated-credentials', 'invalid JSON', '{"identities": [', /federated-credentials\.json: .*JSON/],
  ['federated-credentials', 'an identity without credentials', '{"identities": [{"name": "a", "subscriptionId": "s", "resourceGroup": "g", "resourceName": "r"}]}', /identities\[0\]\.federatedCredentials is missing or not a list/],
])('%s on %s: exit 1, the file and what is wrong', (cli, _what, content, says) => {
  const dist = path.join(work, `dist-${Math.random().toString(36).slice(2)}`);
  fs.mkdirSync(path.join(dist, 'example', 'azure'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'example', 'azure', 'federated-credentials.json'), content);
  const result = run(cli, ['--dist', dist]);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(says);
  expect(result.stderr).not.toMatch(RAW);
});

test.each([
  ['write-config-schema', '/etc/hostname/schema.json'],
  ['write-config-docs', '/etc/hostname/reference.md'],
])('%s into a path under a file: exit 1, one line naming the path', (cli, out) => {
  const result = run(cli, [out]);
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(`${cli}: /etc/hostname: already exists, and is not a folder where one is needed\n`);
});

test('import-schemas with a missing schema folder: exit 1 naming the folder', () => {
  const result = run('import-schemas', ['--k8s-schemas', path.join(work, 'no-such-folder'), '--out', path.join(work, 'schemas')]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('no-such-folder');
  expect(result.stderr).not.toMatch(RAW);
});

test('synth with a config folder that does not exist: exit 1, the folder and the reason', () => {
  const result = run('synth', ['--config', path.join(work, 'no-config'), '--out', path.join(work, 'out')]);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/no-config: \(root\): cannot read the config folder: does not exist/);
  expect(result.stderr).not.toMatch(RAW);
});
