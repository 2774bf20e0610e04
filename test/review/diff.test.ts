/** npm run diff: object identity, field paths, list matching, git reading without checkout, output formats. */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { COMMENT_MARKER, formatReport, reviewDist } from '../../lib/review';
import { REPO_ROOT } from '../util';
import { at, CLUSTER, deployment, ENV, FLUX, useGitFixtures } from './git-fixture';

const { fixture, review } = useGitFixtures();

const configMap = (name: string, data: Record<string, string>): Record<string, any> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' }, data });

describe('object diff', () => {
  test('added, removed and changed objects, keyed by environment, cluster, group, kind, namespace and name', () => {
    const report = review(
      [...FLUX, at('workloads', configMap('a', { k: 'v' })), at('workloads', configMap('b', { k: 'v' }))],
      [...FLUX, at('workloads', configMap('a', { k: 'w' })), at('workloads', configMap('c', { k: 'v' }))],
    );
    expect(report.changes.map((c) => [c.type, c.ref.environment, c.ref.cluster, c.ref.kind, c.ref.name])).toEqual([
      ['changed', ENV, CLUSTER, 'ConfigMap', 'a'],
      ['removed', ENV, CLUSTER, 'ConfigMap', 'b'],
      ['added', ENV, CLUSTER, 'ConfigMap', 'c'],
    ]);
    expect(report.changes[0].fields).toEqual([{ path: 'data.k', old: 'v', new: 'w' }]);
  });

  test('a rename is a removal and an addition of the same kind', () => {
    const report = review([...FLUX, at('workloads', deployment('old-name', 'apps'))], [...FLUX, at('workloads', deployment('new-name', 'apps'))]);
    expect(report.changes.map((c) => `${c.type} ${c.ref.kind} ${c.ref.name}`)).toEqual(['added Deployment new-name', 'removed Deployment old-name']);
  });

  test('an API version change of the same object is a field change, not a rename', () => {
    const before = { apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', namespace: 'apps' }, spec: { maxReplicas: 3 } };
    const report = review([...FLUX, at('workloads', before)], [...FLUX, at('workloads', { ...before, apiVersion: 'autoscaling/v2' })]);
    expect(report.changes).toHaveLength(1);
    expect(report.changes[0].fields).toEqual([{ path: 'apiVersion', old: 'autoscaling/v2beta2', new: 'autoscaling/v2' }]);
  });

  test('containers, env and ports are matched by name: re-ordering is no change, one edit is one path', () => {
    const base = deployment('api', 'apps', (d) => {
      d.spec.template.spec.containers = [
        { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ name: 'http', containerPort: 8080 }] },
        { name: 'proxy', image: 'proxy:1' },
      ];
    });
    const head = deployment('api', 'apps', (d) => {
      d.spec.template.spec.containers = [
        { name: 'proxy', image: 'proxy:1' },
        { name: 'app', image: 'app:1', env: [{ name: 'C', value: '3' }, { name: 'B', value: '2' }, { name: 'A', value: '9' }], ports: [{ name: 'http', containerPort: 8081 }] },
      ];
    });
    const report = review([...FLUX, at('workloads', base)], [...FLUX, at('workloads', head)]);
    expect(report.changes[0].fields).toEqual([
      { path: 'spec.template.spec.containers[name=app].env[name=C].name', new: 'C' },
      { path: 'spec.template.spec.containers[name=app].env[name=C].value', new: '3' },
      { path: 'spec.template.spec.containers[name=app].env[name=A].value', old: '1', new: '9' },
      { path: 'spec.template.spec.containers[name=app].ports[name=http].containerPort', old: 8080, new: 8081 },
    ]);
  });

  test('lists without a distinct key are compared by index; lists of scalars as a whole', () => {
    const base = deployment('api', 'apps', (d) => {
      d.spec.template.spec.tolerations = [{ effect: 'NoSchedule', operator: 'Exists' }];
      d.spec.template.spec.containers[0].args = ['--a', '--b'];
    });
    const head = deployment('api', 'apps', (d) => {
      d.spec.template.spec.tolerations = [{ effect: 'NoExecute', operator: 'Exists' }];
      d.spec.template.spec.containers[0].args = ['--a', '--c'];
    });
    const report = review([...FLUX, at('workloads', base)], [...FLUX, at('workloads', head)]);
    expect(report.changes[0].fields.map((f) => f.path)).toEqual([
      'spec.template.spec.containers[name=app].args',
      'spec.template.spec.tolerations[0].effect',
    ]);
    expect(report.changes[0].fields[0]).toEqual({ path: 'spec.template.spec.containers[name=app].args', old: ['--a', '--b'], new: ['--a', '--c'] });
  });

  test('keys with dots are quoted in paths; long values are shortened in text but kept whole in JSON', () => {
    const long = 'x'.repeat(500);
    const base = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } };
    const head = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' }, annotations: { note: long } } };
    const report = review([...FLUX, at('platform', base)], [...FLUX, at('platform', head)]);
    expect(report.changes[0].fields).toEqual([{ path: 'metadata.annotations.note', new: long }]);
    const text = formatReport(report, 'text');
    expect(text).toContain('metadata.annotations.note: (none) → "xxxx');
    expect(text).toContain('(502 chars)');
    expect(text.split('\n').every((line) => line.length < 160)).toBe(true);
    expect(JSON.parse(formatReport(report, 'json')).clusters[0].changes[0].fields[0].new).toBe(long);

    const labelReport = review([...FLUX, at('platform', base)], [...FLUX, at('platform', { ...base, metadata: { name: 'apps', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } })]);
    expect(labelReport.changes[0].fields[0].path).toBe('metadata.labels["pod-security.kubernetes.io/enforce"]');
  });

  test('objects moving between layer folders are changes with both folders', () => {
    const report = review([...FLUX, at('platform', configMap('a', { k: 'v' }))], [...FLUX, at('workloads', configMap('a', { k: 'v' }))]);
    expect(report.changes).toHaveLength(1);
    expect(report.changes[0].type).toBe('changed');
    expect(report.changes[0].fields).toEqual([]);
    expect(formatReport(report, 'text')).toContain('[platform → workloads]');
  });
});

describe('git source', () => {
  test('the base is read from git without touching the working tree; the default base is the merge base with main', () => {
    const dir = fixture([...FLUX, at('workloads', configMap('a', { k: 'v' }))], [...FLUX, at('workloads', configMap('a', { k: 'w' }))], { branch: 'feature' });
    // An uncommitted edit counts: the head is the working tree.
    const file = path.join(dir, 'dist', ENV, CLUSTER, 'workloads', 'apps_configmap_a.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('k: w', 'k: x'));
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' });
    const report = reviewDist({ projectDir: dir, env: {} });
    expect(report.base.ref).toBe('merge-base(HEAD, main)');
    expect(report.base.commit).toBe(execFileSync('git', ['rev-parse', 'main'], { cwd: dir, encoding: 'utf8' }).trim());
    expect(report.changes[0].fields).toEqual([{ path: 'data.k', old: 'v', new: 'x' }]);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).toBe(status);
    expect(execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('feature');
  });

  test('in GitHub Actions the pull request base branch (GITHUB_BASE_REF) is the default branch', () => {
    const dir = fixture([...FLUX], [...FLUX, at('workloads', configMap('a', { k: 'v' }))], { branch: 'feature' });
    execFileSync('git', ['branch', 'release', 'HEAD'], { cwd: dir });
    const report = reviewDist({ projectDir: dir, env: { GITHUB_BASE_REF: 'release' } });
    expect(report.base.ref).toBe('merge-base(HEAD, release)');
    expect(report.changes).toEqual([]);
  });

  test('an unknown base ref is an error that says what to give', () => {
    const dir = fixture([...FLUX], [...FLUX]);
    expect(() => reviewDist({ projectDir: dir, base: 'no-such-branch' })).toThrow(/"no-such-branch" is not a commit .*--base/);
  });
});

describe('formats', () => {
  const base = [...FLUX, at('workloads', deployment('api', 'apps')), at('workloads', configMap('gone', { k: 'v' }))];
  const head = [...FLUX, at('workloads', deployment('api', 'apps', (d) => { d.spec.template.spec.containers[0].image = 'registry.example.com/app:1.1.0'; })), at('workloads', configMap('new', { k: 'v' }))];

  test('text: per environment and cluster, risks then field changes; deterministic', () => {
    const report = review(base, head);
    const text = formatReport(report, 'text');
    expect(text.replace(/\([0-9a-f]{12}\)/, '(<commit>)')).toMatchSnapshot();
    expect(formatReport(review(base, head), 'text').replace(/\([0-9a-f]{12}\)/, '')).toBe(text.replace(/\([0-9a-f]{12}\)/, ''));
  });

  test('markdown: the comment marker, a risk table and each cluster\'s changes', () => {
    const markdown = formatReport(review(base, head), 'markdown');
    expect(markdown.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(markdown).toContain('| 🔵 info | prod/serving | `Deployment.apps apps/api` | image-change |');
    expect(markdown).toContain('#### prod/serving: 1 added, 1 removed, 1 changed');
    expect(markdown).toContain('  spec.template.spec.containers[name=app].image: "registry.example.com/app:1.0.0" → "registry.example.com/app:1.1.0"');
  });

  test('json: summary, clusters, raw values and risks', () => {
    const json = JSON.parse(formatReport(review(base, head), 'json'));
    expect(json.summary).toEqual({ added: 1, removed: 1, changed: 1, highestRisk: 'info', risks: { info: 2, warning: 0, danger: 0 } });
    expect(json.clusters[0].changes.map((c: any) => `${c.type} ${c.object.kind} ${c.file.base ?? c.file.head}`)).toEqual([
      'removed ConfigMap dist/prod/serving/workloads/apps_configmap_gone.yaml',
      'added ConfigMap dist/prod/serving/workloads/apps_configmap_new.yaml',
      'changed Deployment dist/prod/serving/workloads/apps_deployment_api.yaml',
    ]);
  });
});

describe('command line', () => {
  const cli = path.join(REPO_ROOT, 'build', 'cli', 'diff.js');
  beforeAll(() => execFileSync('make', ['-s', 'build/cli/diff.js'], { cwd: REPO_ROOT, stdio: 'ignore' }));

  function run(dir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
    return spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
  }

  test('--fail-on sets the exit status from the highest risk; usage errors exit 2', () => {
    const removedPvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'apps' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const dir = fixture([...FLUX, at('workloads', removedPvc)], [...FLUX]);
    const ok = run(dir, ['--base', 'HEAD~1', '--format', 'json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).summary.highestRisk).toBe('danger');
    const failing = run(dir, ['--base', 'HEAD~1', '--fail-on', 'danger']);
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('DANGER prune-deletes-data');
    expect(failing.stderr).toContain('highest risk is danger, at or above --fail-on danger');
    expect(run(dir, ['--format', 'html']).status).toBe(2);
    expect(run(dir, ['--fail-on', 'severe']).stderr).toContain('--fail-on "severe": expected info, warning or danger');
  });
});
