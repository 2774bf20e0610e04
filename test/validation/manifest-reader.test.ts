import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatIssues, readManifestFolder } from '../../lib/validation';

describe('readManifestFolder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  write('b/two.yml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n');
  write('a.yaml', '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a1}\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a2}\ndata: {date: 2024-01-01}\n');
  write('kustomization.yaml', 'resources: [a.yaml]\n');
  write('c/flux.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\n');
  write('notes.txt', 'not yaml');

  test('reads *.yaml/*.yml recursively in sorted order, one entry per non-empty document', () => {
    const read = readManifestFolder([dir]);
    expect(read.map((r) => [path.relative(dir, r.source), (r.obj as any).metadata?.name])).toEqual([
      ['a.yaml', 'a1'], ['a.yaml', 'a2'], [path.join('b', 'two.yml'), 'b'], [path.join('c', 'flux.yaml'), 'apps'],
    ]);
  });

  test('skips kustomization.yaml files and kustomize config documents, but not Flux Kustomizations', () => {
    const kinds = readManifestFolder([dir]).map((r) => (r.obj as any).apiVersion);
    expect(kinds).not.toContain('kustomize.config.k8s.io/v1beta1');
    expect(kinds).toContain('kustomize.toolkit.fluxcd.io/v1');
    expect(readManifestFolder([path.join(dir, 'kustomization.yaml')])).toEqual([]);
  });

  test('parses like Kubernetes: dates stay strings, merge keys work', () => {
    const a2 = readManifestFolder([path.join(dir, 'a.yaml')])[1].obj as any;
    expect(a2.data.date).toBe('2024-01-01');
    write('merge/m.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nx: &base {a: "1"}\ndata:\n  <<: *base\n  b: "2"\n');
    expect((readManifestFolder([path.join(dir, 'merge')])[0].obj as any).data).toEqual({ a: '1', b: '2' });
    fs.rmSync(path.join(dir, 'merge'), { recursive: true });
  });

  test('names the file on YAML errors', () => {
    write('bad/broken.yaml', 'a: [\n');
    expect(() => readManifestFolder([path.join(dir, 'bad')])).toThrow(/broken\.yaml/);
    fs.rmSync(path.join(dir, 'bad'), { recursive: true });
  });
});

describe('formatIssues', () => {
  test('prints one line per issue', () => {
    const text = formatIssues([
      { source: 'dist/a.yaml', object: 'apps/v1 Deployment serving/mlflow', schema: 'kubernetes 1.27.0', path: '/spec/replicas', message: 'must be integer' },
      { source: 'dist/b.yaml', object: 'v1 Foo x', schema: 'kubernetes 1.36.0', path: '', message: 'no upstream schema for v1 Foo' },
    ]);
    expect(text.split('\n')).toEqual([
      'dist/a.yaml: apps/v1 Deployment serving/mlflow [kubernetes 1.27.0] /spec/replicas: must be integer',
      'dist/b.yaml: v1 Foo x [kubernetes 1.36.0] /: no upstream schema for v1 Foo',
    ]);
  });
});
