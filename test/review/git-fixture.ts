/**
 * Git fixtures for the dist/ review: a temporary repository whose first commit holds one small dist/ tree and
 * whose second commit (checked out) holds another, so a review of HEAD~1 against the working tree compares them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as yaml from 'js-yaml';
import * as os from 'os';
import * as path from 'path';
import { DiffReport, reviewDist } from '../../lib/review';

/** A Kubernetes object in a fixture, and the layer folder it is written to. */
export interface FixtureObject {
  readonly layer: string;
  readonly obj: Record<string, any>;
}

export const ENV = 'prod';
export const CLUSTER = 'serving';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=fixture', '-c', 'user.email=fixture@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
}

function fileName(obj: Record<string, any>): string {
  const group = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/')[0] : '';
  const kind = String(obj.kind).toLowerCase();
  return `${obj.metadata.namespace ?? 'cluster'}_${group === '' || !group.includes('.') ? kind : `${kind}.${group}`}_${obj.metadata.name}.yaml`;
}

function writeTree(dir: string, objects: readonly FixtureObject[]): void {
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  const folders = new Map<string, string[]>();
  for (const { layer, obj } of objects) {
    const folder = path.join(dir, 'dist', ENV, CLUSTER, layer);
    fs.mkdirSync(folder, { recursive: true });
    const name = fileName(obj);
    fs.writeFileSync(path.join(folder, name), yaml.dump(obj, { sortKeys: true }));
    folders.set(folder, [...(folders.get(folder) ?? []), name]);
  }
  for (const [folder, names] of folders) {
    fs.writeFileSync(path.join(folder, 'kustomization.yaml'), yaml.dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: names.sort() }));
  }
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist', 'README.md'), '# Generated\n');
}

/**
 * Creates a repository: commit 1 on main with `base`, commit 2 with `head` (on branch `feature` when `branch` is
 * set, else on main). Returns its directory; the working tree holds `head`.
 */
export function gitFixture(base: readonly FixtureObject[], head: readonly FixtureObject[], options: { branch?: string } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-review-'));
  git(dir, 'init', '-q', '-b', 'main');
  writeTree(dir, base);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  if (options.branch !== undefined) git(dir, 'checkout', '-q', '-b', options.branch);
  writeTree(dir, head);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'head');
  return dir;
}

/** Removes fixture repositories made by a test file. */
export function removeFixture(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * For a test file: `fixture` makes a repository as `gitFixture` does and removes it after the file's tests;
 * `review` reviews its head commit against the base (`HEAD~1`).
 */
export function useGitFixtures(): {
  readonly fixture: typeof gitFixture;
  readonly review: (base: readonly FixtureObject[], head: readonly FixtureObject[]) => DiffReport;
} {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeFixture));
  const fixture: typeof gitFixture = (base, head, options) => {
    const dir = gitFixture(base, head, options);
    dirs.push(dir);
    return dir;
  };
  return { fixture, review: (base, head) => reviewDist({ projectDir: fixture(base, head), base: 'HEAD~1' }) };
}

/** A Flux Kustomization applying `./dist/<env>/<cluster>/<layer>` (in the flux folder). */
export function fluxKustomization(layer: string, spec: Record<string, any> = {}): FixtureObject {
  return {
    layer: 'flux',
    obj: {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization',
      metadata: { name: layer, namespace: 'flux-system' },
      spec: { interval: '10m', path: `./dist/${ENV}/${CLUSTER}/${layer}`, prune: true, sourceRef: { kind: 'GitRepository', name: 'platform-manifests' }, ...spec },
    },
  };
}

/** The Flux entry point of the fixture cluster: pruning Kustomizations for platform and workloads. */
export const FLUX: readonly FixtureObject[] = [fluxKustomization('platform'), fluxKustomization('workloads', { dependsOn: [{ name: 'platform' }] })];

/** An object in a layer. */
export function at(layer: string, obj: Record<string, any>): FixtureObject {
  return { layer, obj };
}

/** A Deployment with one container `app`. */
export function deployment(name: string, namespace: string, patch: (d: Record<string, any>) => void = () => undefined): Record<string, any> {
  const d: Record<string, any> = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] },
      },
    },
  };
  patch(d);
  return d;
}
