/** Names the file of each Kubernetes object and serializes objects and kustomizations to YAML. */
import * as yaml from 'js-yaml';
import { compareText } from '../core/sort';

/** The fields of a manifest that identify it. */
export interface ManifestIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/**
 * Most objects one folder holds before a layer is split. kustomize's time grows faster than the folder (measured
 * with kubectl kustomize on this 2-core machine: 300 objects 0.48 s CPU, 500 objects 0.68 s, 700 objects 1.0 s,
 * 850 objects 1.3 s), and every folder must build within 1 s, so a folder holds at most 500.
 */
export const MAX_OBJECTS_PER_FOLDER = 500;

/**
 * Most YAML bytes one folder holds before a layer is split: kustomize's time follows the YAML more than the object
 * count (kubectl kustomize, same machine: 285 KB of small objects 0.38 s CPU, 767 KB 0.69 s, 1.3 MB of Spark
 * applications 0.8 s CPU and 1.4 to 1.7 s wall under load), so a folder holds at most 512 KiB.
 */
export const MAX_BYTES_PER_FOLDER = 512 * 1024;

/** `<group>/<version> <Kind> <namespace>/<name>`, for messages. */
export function describeObject(obj: ManifestIdentity): string {
  const where = obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
  return `${obj.apiVersion} ${obj.kind} ${where}`;
}

/**
 * The file name of an object: `<namespace>_<kind>_<name>.yaml`, with `cluster` in place of the namespace for
 * cluster-scoped kinds, and the API group appended to the kind for groups outside Kubernetes itself
 * (`inferenceservice.serving.kserve.io`). `_` never occurs in names or namespaces, so names cannot collide.
 */
export function manifestFileName(obj: ManifestIdentity): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  const builtIn = group === '' || !group.includes('.') || group.endsWith('.k8s.io');
  const kind = obj.kind.toLowerCase() + (builtIn ? '' : `.${group}`);
  return `${obj.metadata.namespace ?? 'cluster'}_${kind}_${obj.metadata.name}.yaml`;
}

const DUMP_OPTIONS: yaml.DumpOptions = { lineWidth: -1, noRefs: true, quotingType: '"' };

/** YAML of one object. Keys keep the order cdk8s gives them (apiVersion, kind, metadata, then sorted). */
export function toYaml(obj: unknown): string {
  return yaml.dump(obj, DUMP_OPTIONS);
}

/** The `kustomization.yaml` of a folder that holds `files`. */
export function kustomizationYaml(files: readonly string[]): string {
  return toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...files].sort(),
  });
}

/**
 * Kinds a namespace's workloads depend on (file-name spelling, see `manifestFileName`), in the order they come
 * within a namespace: the quota and container defaults must exist before any pod is admitted (the LimitRange fills
 * in requests at admission; the quota rejects pods without them), then identities and their permissions, then what
 * pods mount or read, then the network rules their first connections need (a storage initializer's egress), then
 * the sources Flux HelmReleases install from and the grants routes need.
 */
export const DEPENDENCY_KINDS: readonly string[] = [
  'resourcequota',
  'limitrange',
  'serviceaccount',
  'role',
  'rolebinding',
  'configmap',
  'secret',
  'persistentvolumeclaim',
  'networkpolicy',
  'azureidentity.aadpodidentity.k8s.io',
  'azureidentitybinding.aadpodidentity.k8s.io',
  'gitrepository.source.toolkit.fluxcd.io',
  'helmrepository.source.toolkit.fluxcd.io',
  'ocirepository.source.toolkit.fluxcd.io',
  'referencegrant.gateway.networking.k8s.io',
];

/** Cluster-scoped kinds that others need first (a namespace before its objects, a CRD before its resources). */
const CLUSTER_FIRST_KINDS: readonly string[] = ['customresourcedefinition', 'namespace'];

/** One part of a split layer. */
export interface FolderPart {
  /** `<layer>` for the first part, `<layer>-2`, `<layer>-3`, ... after it. */
  readonly folder: string;
  /** File names of the part, in apply order. */
  readonly files: string[];
}

/** The namespace and kind of a file named by `manifestFileName`. */
function parseFileName(file: string): { namespace: string; kind: string; name: string } {
  const [namespace, kind, ...rest] = file.replace(/\.yaml$/, '').split('_');
  return { namespace, kind: kind ?? '', name: rest.join('_') };
}

/**
 * Splits a layer's files into folders of at most `max` objects and `maxBytes` of YAML (`sizeOf` each file),
 * `<layer>`, `<layer>-2`, `<layer>-3`, ..., that
 * Flux applies one after the other (each Kustomization `dependsOn` the previous one and waits for it to be
 * healthy). A layer within the limit stays one folder.
 *
 * Objects are put in dependency order before they are cut into folders, so no object lands in a folder before
 * one it needs (which would never get healthy, and block every folder after it):
 * 1. cluster-scoped objects (CRDs and Namespaces first);
 * 2. every namespace's dependency objects (`DEPENDENCY_KINDS`: quota, container defaults, ServiceAccounts,
 *    RBAC, ConfigMaps, Secrets, claims, NetworkPolicies, Flux sources, ReferenceGrants), namespace by namespace;
 * 3. the workloads, namespace by namespace, each workload together with its own objects (its Service,
 *    PodDisruptionBudget, autoscaler): `unitOf` names the workload an object belongs to (objects without one
 *    are units of their own).
 * A cut falls between workloads, never inside one, unless one workload alone exceeds `max`. Folders are
 * balanced: each holds about `total / parts` objects.
 */
export function splitIntoFolders(layer: string, files: readonly string[], max = MAX_OBJECTS_PER_FOLDER,
  unitOf: (file: string) => string | undefined = () => undefined, sizeOf: (file: string) => number = () => 0,
  maxBytes = MAX_BYTES_PER_FOLDER): FolderPart[] {
  const bytes = files.reduce((sum, file) => sum + sizeOf(file), 0);
  if (files.length <= max && bytes <= maxBytes) return [{ folder: layer, files: [...files].sort() }];
  const units = dependencyOrderedUnits(files, unitOf);
  const parts = Math.max(Math.ceil(files.length / max), Math.ceil(bytes / maxBytes));
  const target = { count: Math.ceil(files.length / parts), bytes: Math.ceil(bytes / parts) };
  const folders: string[][] = [];
  let current: string[] = [];
  let currentBytes = 0;
  const close = () => { if (current.length > 0) folders.push(current); current = []; currentBytes = 0; };
  const add = (file: string) => { current.push(file); currentBytes += sizeOf(file); };
  for (const unit of units) {
    const unitBytes = unit.reduce((sum, file) => sum + sizeOf(file), 0);
    if (current.length + unit.length > target.count || currentBytes + unitBytes > target.bytes) close();
    if (unit.length <= max && unitBytes <= maxBytes) {
      unit.forEach(add);
      continue;
    }
    // A workload larger than a folder is cut into folder-sized pieces.
    for (const file of unit) {
      if (current.length + 1 > target.count || currentBytes + sizeOf(file) > target.bytes) close();
      add(file);
    }
    close();
  }
  close();
  return folders.map((part, i) => ({ folder: i === 0 ? layer : `${layer}-${i + 1}`, files: part }));
}

/** The files as units (lists of files that stay together), in apply order. */
function dependencyOrderedUnits(files: readonly string[], unitOf: (file: string) => string | undefined): string[][] {
  const rank = (list: readonly string[], kind: string) => {
    const i = list.indexOf(kind);
    return i < 0 ? list.length : i;
  };
  const entries = [...files].sort().map((file) => ({ file, ...parseFileName(file) }));
  const clusterScoped = entries.filter((e) => e.namespace === 'cluster')
    .sort((a, b) => rank(CLUSTER_FIRST_KINDS, a.kind) - rank(CLUSTER_FIRST_KINDS, b.kind) || compareText(a.file, b.file));
  const namespaced = entries.filter((e) => e.namespace !== 'cluster');
  const dependencies = namespaced.filter((e) => DEPENDENCY_KINDS.includes(e.kind))
    .sort((a, b) => compareText(a.namespace, b.namespace) || rank(DEPENDENCY_KINDS, a.kind) - rank(DEPENDENCY_KINDS, b.kind) || compareText(a.file, b.file));
  const workloads = new Map<string, string[]>();
  for (const e of namespaced.filter((x) => !DEPENDENCY_KINDS.includes(x.kind))) {
    const unit = unitOf(e.file);
    // `_` never occurs in names, so these keys cannot collide; `\u0001` sorts a namespace's units before its loose files.
    const key = unit === undefined ? `${e.namespace}_\u0002${e.file}` : `${e.namespace}_\u0001${unit}`;
    const list = workloads.get(key);
    if (list) list.push(e.file); else workloads.set(key, [e.file]);
  }
  return [
    ...clusterScoped.map((e) => [e.file]),
    ...dependencies.map((e) => [e.file]),
    ...[...workloads.keys()].sort(compareText).map((key) => workloads.get(key)!),
  ];
}
