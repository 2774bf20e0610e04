/**
 * The cluster model every rule reads: the objects of a cluster's folders in Flux apply order, with lookups by
 * kind, namespace and name, the folder each object arrives in, the Flux entry folder kept apart (bootstrap
 * applies it), and what each HelmRelease and Flux Kustomization installs (from `upstream-installs.ts`).
 */
import { ManifestJson } from '../synth/cluster-context';
import { VerifiedCluster, VerifiedFolder } from './types';
import { HELM_CHARTS, HelmChartFacts, GIT_MANIFESTS, GitManifestsFacts } from './upstream-installs';

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects: how faults name objects. */
export function objectRef(obj: { readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string } }): string {
  return obj.metadata.namespace ? `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}` : `${obj.kind}/${obj.metadata.name}`;
}

/** The API group of an apiVersion (`''` for the core group). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** An object with the index of the folder it arrives in. */
export interface PlacedObject {
  readonly obj: ManifestJson;
  /** Index in `ClusterModel.folders` (apply order). */
  readonly order: number;
  readonly folder: string;
}

/** A HelmRelease resolved to its chart and version (through its HelmRepository or OCIRepository). */
export interface ResolvedRelease extends PlacedObject {
  readonly chart: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
  /** `namespace/name` of the HelmReleases it depends on. */
  readonly dependsOn: readonly string[];
  /** What the verifier knows about the chart at this version, when it is in the table. */
  readonly facts?: HelmChartFacts;
}

/** A Flux Kustomization of upstream manifests (a GitRepository at a tag). */
export interface ResolvedGitManifests extends PlacedObject {
  readonly url: string;
  readonly tag: string;
  readonly path: string;
  readonly facts?: GitManifestsFacts;
}

/** Folder name of the Flux entry point: applied at bootstrap, not one of the layers Flux waits on. */
export const FLUX_FOLDER = 'flux';

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Reads `obj[a][b]...` without throwing. */
export function at(obj: unknown, ...path: (string | number)[]): unknown {
  let node = obj;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

const MODELS = new WeakMap<VerifiedCluster, ClusterModel>();

/** The model of one cluster. */
export class ClusterModel {
  /** The model of `cluster`, built once and shared by the rules. */
  public static of(cluster: VerifiedCluster): ClusterModel {
    let model = MODELS.get(cluster);
    if (!model) {
      model = new ClusterModel(cluster);
      MODELS.set(cluster, model);
    }
    return model;
  }

  /** Memoized values derived from the model (such as its pods), by key. */
  public readonly derived = new Map<string, unknown>();

  /** Layer folders in apply order (the Flux entry folder excluded). */
  public readonly folders: readonly VerifiedFolder[];
  /** Every object of the layer folders. */
  public readonly objects: readonly PlacedObject[];
  public readonly releases: readonly ResolvedRelease[];
  public readonly gitManifests: readonly ResolvedGitManifests[];
  private readonly byKey = new Map<string, PlacedObject>();
  /** Objects by kind, so the per-pod look-ups of the rules stay linear in the objects (not objects x pods). */
  private readonly byKind = new Map<string, PlacedObject[]>();

  constructor(public readonly cluster: VerifiedCluster) {
    this.folders = cluster.folders.filter((folder) => folder.folder !== FLUX_FOLDER);
    const objects: PlacedObject[] = [];
    this.folders.forEach((folder, order) => {
      for (const obj of folder.manifests) {
        const placed = { obj, order, folder: folder.folder };
        objects.push(placed);
        const sameKind = this.byKind.get(obj.kind);
        if (sameKind) sameKind.push(placed);
        else this.byKind.set(obj.kind, [placed]);
        this.byKey.set(ClusterModel.key(obj.kind, obj.metadata.namespace, obj.metadata.name), placed);
      }
    });
    this.objects = objects;
    this.releases = objects.filter((o) => o.obj.kind === 'HelmRelease' && apiGroup(o.obj.apiVersion) === 'helm.toolkit.fluxcd.io').map((o) => this.resolveRelease(o));
    this.gitManifests = objects
      .filter((o) => o.obj.kind === 'Kustomization' && apiGroup(o.obj.apiVersion) === 'kustomize.toolkit.fluxcd.io' && at(o.obj, 'spec', 'sourceRef', 'kind') === 'GitRepository')
      .map((o) => this.resolveGitManifests(o))
      .filter((o): o is ResolvedGitManifests => o !== undefined);
  }

  private static key(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}/${namespace ?? ''}/${name}`;
  }

  /** The object of that kind, namespace and name, if any folder holds it. */
  public find(kind: string, namespace: string | undefined, name: string): PlacedObject | undefined {
    return this.byKey.get(ClusterModel.key(kind, namespace, name));
  }

  /** Objects of a kind. */
  public ofKind(...kinds: string[]): readonly PlacedObject[] {
    if (kinds.length === 1) return this.byKind.get(kinds[0]) ?? [];
    return this.objects.filter((o) => kinds.includes(o.obj.kind));
  }

  private resolveRelease(placed: PlacedObject): ResolvedRelease {
    const { obj } = placed;
    const namespace = obj.metadata.namespace;
    let chart = str(at(obj, 'spec', 'chart', 'spec', 'chart')) ?? '';
    let version = str(at(obj, 'spec', 'chart', 'spec', 'version')) ?? '';
    const chartRef = at(obj, 'spec', 'chartRef') as { kind?: string; name?: string; namespace?: string } | undefined;
    if (chartRef?.kind === 'OCIRepository' && chartRef.name) {
      const source = this.find('OCIRepository', chartRef.namespace ?? namespace, chartRef.name);
      const url = str(at(source?.obj, 'spec', 'url')) ?? '';
      chart = url.split('/').pop() ?? '';
      version = str(at(source?.obj, 'spec', 'ref', 'tag')) ?? '';
    }
    const dependsOn = ((at(obj, 'spec', 'dependsOn') as { name: string; namespace?: string }[] | undefined) ?? [])
      .map((d) => `${d.namespace ?? namespace}/${d.name}`);
    const values = (at(obj, 'spec', 'values') as Record<string, unknown> | undefined) ?? {};
    const facts = HELM_CHARTS.find((c) => c.chart === chart && c.versions.test(version));
    return { ...placed, chart, version, values, dependsOn, facts };
  }

  private resolveGitManifests(placed: PlacedObject): ResolvedGitManifests | undefined {
    const { obj } = placed;
    const ref = at(obj, 'spec', 'sourceRef') as { name: string; namespace?: string };
    const source = this.find('GitRepository', ref.namespace ?? obj.metadata.namespace, ref.name);
    if (!source) return undefined;
    const url = str(at(source.obj, 'spec', 'url')) ?? '';
    const tag = str(at(source.obj, 'spec', 'ref', 'tag')) ?? '';
    const path = str(at(obj, 'spec', 'path')) ?? '';
    const facts = GIT_MANIFESTS.find((m) => m.repository === url.replace(/\.git$/, '') && m.tags.test(tag) && m.path === path);
    return { ...placed, url, tag, path, facts };
  }

  /** HelmReleases `release` waits for, directly or through other HelmReleases (`namespace/name`). */
  public releaseDependencies(release: ResolvedRelease): Set<string> {
    const seen = new Set<string>();
    const stack = [...release.dependsOn];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      const [ns, name] = next.split('/');
      const found = this.releases.find((r) => r.obj.metadata.namespace === ns && r.obj.metadata.name === name);
      if (found) stack.push(...found.dependsOn);
    }
    return seen;
  }

  /** Namespaces that exist before the first layer folder: bootstrap and AKS, from the cluster facts. */
  public preexistingNamespace(name: string): string | undefined {
    return this.cluster.facts.preexistingNamespaces[name];
  }

  /** Namespaces an upstream install (HelmRelease chart or Flux Git manifests) creates, with where and who. */
  public upstreamNamespaces(): { namespace: string; order: number; by: PlacedObject; source: string }[] {
    const found: { namespace: string; order: number; by: PlacedObject; source: string }[] = [];
    for (const manifests of this.gitManifests) {
      for (const ns of manifests.facts?.namespaces ?? []) {
        if (!patchesDelete(manifests.obj, 'Namespace', ns.name)) found.push({ namespace: ns.name, order: manifests.order, by: manifests, source: ns.source });
      }
    }
    return found;
  }
}

/** True when a Flux Kustomization's `patches` delete the object (`$patch: delete`) from the upstream manifests. */
export function patchesDelete(kustomization: ManifestJson, kind: string, name: string): boolean {
  const patches = (at(kustomization, 'spec', 'patches') as { patch?: string; target?: { kind?: string; name?: string } }[] | undefined) ?? [];
  return patches.some((p) => p.target?.kind === kind && p.target?.name === name && /\$patch:\s*delete/.test(p.patch ?? ''));
}
