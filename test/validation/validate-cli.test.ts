/** `npm run validate` end to end (the bundled lib/cli/validate.ts): exit codes and messages (issue 14, items 1 and 5). */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { useBundledCli } from '../bundle';
import { REPO_ROOT } from '../util';

const cli = useBundledCli('validate-cli-', 'lib/cli/validate.ts');

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(cli.work, 'in-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function validate(...args: string[]) {
  return spawnSync('node', [cli.bundle, ...args], { encoding: 'utf8', cwd: REPO_ROOT });
}

const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  mode: fast\n';

test('a valid folder: exit 0 with a summary', () => {
  const result = validate(folder({ 'cm.yaml': CONFIG_MAP }));
  expect([result.status, result.stdout]).toEqual([0, 'validated 1 objects in 1 files: 0 problems\n']);
});

test('a Secret with data fails validation (it would put its values into Git)', () => {
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: default\ndata:\n  password: aHVudGVyMg==\n';
  const result = validate(folder({ 'cm.yaml': CONFIG_MAP, 'secret.yaml': secret }));
  expect(result.status).toBe(1);
  expect(result.stdout).toMatch(/secret\.yaml: v1 Secret default\/db \[no secrets in output\] \/data: a Secret with data/);
  expect(result.stdout).toMatch(/1 problem$/m);
});

test('a secret-named env value fails validation', () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    env:\n    - name: DB_PASSWORD\n      value: hunter2\n';
  const result = validate(folder({ 'pod.yaml': pod }));
  expect(result.status).toBe(1);
  expect(result.stdout).toMatch(/\/spec\/containers\/0\/env\/0\/value: the environment variable 'DB_PASSWORD' looks like a secret/);
  expect(result.stdout).not.toContain('hunter2');
});

test('an empty folder fails: nothing validated is not a success', () => {
  const result = validate(folder({}));
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/no Kubernetes object found in .*nothing was validated/);
});

test('a folder with only a kustomization.yaml fails the same way', () => {
  const result = validate(folder({ 'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n' }));
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/no Kubernetes object found/);
});

test('a path that does not exist: the path and what is wrong, no raw error code', () => {
  const missing = path.join(cli.work, 'nowhere');
  const result = validate(missing);
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(`validate: ${missing}: does not exist\n`);
});

test('an unknown option is a usage error (exit 2)', () => {
  const result = validate('--nope');
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/unknown option --nope\nusage: validate/);
});
