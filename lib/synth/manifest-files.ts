/** Names the file of each Kubernetes object and serializes objects and kustomizations to YAML. */
import * as yaml from 'js-yaml';
import { createHash } from 'crypto';
import { compareText } from '../core/sort';
import type { FolderPlacement } from '../core/folder-placement';

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
  return `${obj.metadata.namespace ?? 'cluster'}_${manifestKind(obj)}_${obj.metadata.name}.yaml`;
}

/**
 * The kind part of a file name (the key the split sorts by): the lower-case kind, with the API group appended for
 * groups outside Kubernetes itself (none, a group without a dot, or one ending in `.k8s.io` such as
 * `gateway.networking.k8s.io`, are built in and dropped).
 */
export function manifestKind(type: { readonly apiVersion: string; readonly kind: string }): string {
  const group = type.apiVersion.includes('/') ? type.apiVersion.split('/')[0] : '';
  const builtIn = group === '' || !group.includes('.') || group.endsWith('.k8s.io');
  return type.kind.toLowerCase() + (builtIn ? '' : `.${group}`);
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
 * Kinds a namespace's workloads depend on (API version and kind; the split compares them as `manifestKind` spells
 * them, so `referencegrant`, not `referencegrant.gateway.networking.k8s.io`), in the order they come
 * within a namespace: the quota and container defaults must exist before any pod is admitted (the LimitRange fills
 * in requests at admission; the quota rejects pods without them), then identities and their permissions, then what
 * pods mount or read, then the network rules their first connections need (a storage initializer's egress), then
 * the sources Flux HelmReleases install from, the grants routes need and the TLS policies of route backends
 * (a route applied before its backend's BackendTLSPolicy makes the gateway speak plain HTTP to a TLS port: Envoy
 * Gateway v1.5.0 internal/gatewayapi/backendtlspolicy.go getBackendTLSPolicy; lib/verify/apply-order-rule.ts checks it).
 */
export const DEPENDENCY_TYPES: readonly { readonly apiVersion: string; readonly kind: string }[] = [
  { apiVersion: 'v1', kind: 'ResourceQuota' },
  { apiVersion: 'v1', kind: 'LimitRange' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureIdentity' },
  { apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureIdentityBinding' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository' },
  { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant' },
  { apiVersion: 'gateway.networking.k8s.io/v1alpha3', kind: 'BackendTLSPolicy' },
];

/** `DEPENDENCY_TYPES` spelled as file names spell them (`manifestKind`), the keys the split compares. */
export const DEPENDENCY_KINDS: readonly string[] = DEPENDENCY_TYPES.map(manifestKind);

/** One folder of a (possibly split) layer. */
export interface FolderPart {
  /** `<layer>` for an unsplit layer; for a split one see `splitIntoFolders`. */
  readonly folder: string;
  /** File names of the folder, sorted. */
  readonly files: string[];
}

/** The namespace and kind of a file named by `manifestFileName`. */
function parseFileName(file: string): { namespace: string; kind: string; name: string } {
  const [namespace, kind, ...rest] = file.replace(/\.yaml$/, '').split('_');
  return { namespace, kind: kind ?? '', name: rest.join('_') };
}

/** How a layer is split: the folder count and what the split needs to know about each file. */
export interface SplitOptions {
  /**
   * Hash folders per section (a power of two, `clusters.<name>.layerFolders.<layer>`).
   * @default 1 (the layer stays one folder)
   */
  readonly folders?: number;
  /**
   * The workload (construct id under the chart) a file belongs to; a workload's objects share a folder.
   * @default - every file on its own
   */
  readonly unitOf?: (file: string) => string | undefined;
  /**
   * The placement the workload's construct declared (`declareFolderPlacement`, lib/core/folder-placement.ts), by the
   * unit `unitOf` returned.
   * @default - 'workload' for every unit
   */
  readonly placementOf?: (unit: string) => FolderPlacement | undefined;
  /**
   * YAML bytes of a file.
   * @default - 0
   */
  readonly sizeOf?: (file: string) => number;
  /** @default MAX_OBJECTS_PER_FOLDER */
  readonly maxObjects?: number;
  /** @default MAX_BYTES_PER_FOLDER */
  readonly maxBytes?: number;
}

/** A layer that does not fit in its folders; `suggested` is the smallest folder count that fits, if any. */
export class LayerFoldersError extends Error {
  constructor(message: string, public readonly layer: string, public readonly suggested: number | undefined) {
    super(message);
    this.name = 'LayerFoldersError';
  }
}

/** Folder counts tried when suggesting one (powers of two, as `clusters.<name>.layerFolders` allows). */
const FOLDER_COUNTS = [1, 2, 4, 8, 16, 32, 64];

/** Pods need these first; they go to the dependency folders of a split layer. */
const isDependency = (kind: string) => DEPENDENCY_KINDS.includes(kind);

/** A stable 32-bit hash of a group key (the first 4 bytes of its SHA-256): the same on every machine and run. */
function bucketHash(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0);
}

/** Name of hash folder `index` of a section: bucket 0 keeps the plain name (`workloads`, `workloads-deps`). */
const bucketFolder = (base: string, index: number) => (index === 0 ? base : `${base}-${index}`);

/**
 * Splits a layer's files into folders, in the order Flux applies them (each folder one Kustomization that
 * `dependsOn` the one before and waits for it to be healthy). With `folders: 1` (the default) the layer is one
 * folder `<layer>`. With `folders: N` (a power of two) a split layer is, in apply order:
 * 1. `<layer>-cluster`: its cluster-scoped objects (CRDs and Namespaces among them), which everything else needs;
 * 2. `<layer>-deps-<N-1>` ... `<layer>-deps-1`, `<layer>-deps`: every namespace's dependency objects
 *    (`DEPENDENCY_KINDS`: quota, container defaults, ServiceAccounts, RBAC, ConfigMaps, Secrets, claims,
 *    NetworkPolicies, Flux sources, ReferenceGrants), so they all arrive before any workload of their namespace;
 * 3. `<layer>-services-<N-1>` ... `<layer>-services`: workloads that hold a long-running service other workloads
 *    use (`SERVICE_KINDS`: HDFS, Kafka, Helm-installed applications);
 * 4. `<layer>-<N-1>` ... `<layer>-1`, `<layer>`: everything else.
 * Empty folders are left out.
 *
 * **Stable.** Within sections 2 to 4 an object's folder is `hash(group) mod N`, and both its section and its group
 * depend on the identity of the object and of the workload that declares it, never on what else the workload holds
 * today or on its size:
 * - a dependency object (section 2), an object of no workload, and an object of a workload whose construct declares
 *   the placement `spread` (all routes of a gateway, `IngressRoutes`) is a group of its own: its file name;
 * - an object of any other workload groups with it (`<namespace>/<unit>`, the construct id under the chart), so a
 *   workload's Service, PodDisruptionBudget or Kafka node pool arrive with it;
 * - the workload's section is `services` when its construct declares the placement `service` (`HdfsCluster`,
 *   `KafkaCluster`, `Nifi`, `JupyterHub`, `Airflow`, `PinnedHelmRelease`), else `work`; an object created directly
 *   under the chart is its own workload, a service when its kind is one of `SERVICE_KINDS`.
 * So adding or removing objects (a model, a namespace, a Service of a workload), a workload growing to any size,
 * and a workload gaining or losing a StatefulSet or a HelmRelease never move another object, nor the workload's own
 * remaining objects. A workload whose construct does not declare `service` but holds a `SERVICE_KINDS` object is
 * refused (the construct must declare it, so its section cannot follow its content), and one grouped workload larger
 * than a folder is refused with the advice to declare `spread`. What still moves objects (a renamed workload, a
 * changed declaration, a changed folder count) is listed in docs/output.md and flagged by `npm run diff`. This
 * matters because a moved object is deleted by Flux: the Kustomization it left prunes it (it is still labelled as
 * its own) before the Kustomization it moved to, which applies later, re-creates it (docs/output.md, "Split layers
 * and Flux prune").
 *
 * **Growth moves objects only to earlier folders.** Raising N to 2N (the only change, counts being powers of
 * two) keeps every object in bucket `h mod N` or moves it to `h mod N + N`, a higher index, and folders of a
 * section are applied from the highest index down; going from one folder to N moves objects out of `<layer>`,
 * which is applied last. Each moved object is so first applied, and taken over, by its new Kustomization, and the
 * old one's prune skips it (it no longer carries the old owner labels). Lowering N does the opposite and is not
 * safe; `npm run diff` flags every move and whether it is safe.
 *
 * Flux facts behind this (fluxcd/kustomize-controller v1.9.4 internal/controller/kustomization_controller.go
 * `reconcile` prunes `inventory.Diff(old, new)` through `deleteObjects`, whose `Inclusions` are the Kustomization's
 * owner labels; fluxcd/pkg ssa/v0.76.1 ssa/manager_delete.go `Delete` skips a live object whose labels name another
 * Kustomization or that carries `kustomize.toolkit.fluxcd.io/prune: disabled`; `SetOwnerLabels` relabels on every
 * apply; `checkDependencies` makes a Kustomization wait for its dependencies at the same revision): docs/output.md.
 *
 * Throws `LayerFoldersError` when a folder would hold more than `maxObjects` objects or `maxBytes` of YAML (every
 * folder must build with kustomize within 1 s), with the smallest count that fits.
 */
export function splitIntoFolders(layer: string, files: readonly string[], options: SplitOptions = {}): FolderPart[] {
  const folders = options.folders ?? 1;
  const sizeOf = options.sizeOf ?? (() => 0);
  const maxObjects = options.maxObjects ?? MAX_OBJECTS_PER_FOLDER;
  const maxBytes = options.maxBytes ?? MAX_BYTES_PER_FOLDER;
  if (!FOLDER_COUNTS.includes(folders)) {
    throw new LayerFoldersError(`layer '${layer}': ${folders} folders is not one of ${FOLDER_COUNTS.join(', ')} (a power of two, so that raising it moves objects only to folders Flux applies earlier)`, layer, undefined);
  }
  const groups = placeFiles(layer, files, options.unitOf ?? (() => undefined), options.placementOf ?? (() => undefined), sizeOf, maxObjects, maxBytes);
  const parts = layout(layer, files, groups, folders);
  const over = parts.filter((part) => part.files.length > maxObjects || sum(part.files, sizeOf) > maxBytes);
  if (over.length === 0) return parts;
  const suggested = FOLDER_COUNTS.filter((n) => n > folders).find((n) =>
    layout(layer, files, groups, n).every((part) => part.files.length <= maxObjects && sum(part.files, sizeOf) <= maxBytes));
  const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
  const found = over.map((part) => `${part.folder}: ${part.files.length} objects, ${kib(sum(part.files, sizeOf))}`).join('; ');
  const clusterOver = over.some((part) => part.folder === `${layer}-cluster`);
  throw new LayerFoldersError(
    `layer '${layer}' does not fit in ${folders === 1 ? 'one folder' : `${folders} folders per section`}: ${found} (a folder holds at most ${maxObjects} objects and ${kib(maxBytes)} of YAML, so kustomize builds it within 1 s). `
    + (suggested !== undefined && !clusterOver
      ? `Set it to ${suggested}, the smallest count that fits; this moves objects only to folders Flux applies earlier: review the moves with npm run diff and roll it out as docs/output.md "Split layers and Flux prune" says`
      : `No folder count up to 64 fits${clusterOver ? ' (its cluster-scoped objects share one folder)' : ''}: move part of the layer to another cluster or environment`),
    layer, clusterOver ? undefined : suggested);
}

const sum = (files: readonly string[], sizeOf: (file: string) => number) => files.reduce((total, file) => total + sizeOf(file), 0);

/**
 * Kinds of long-running services that other workloads of the layer use: stateful stores (HDFS), Kafka clusters
 * and node pools, DaemonSets, Helm-installed applications (Airflow, JupyterHub). A workload that holds one must
 * declare the placement `service` and comes in the services folders, before the other workloads, so a Spark job
 * never starts before the HDFS it reads and a KafkaTopic or KafkaUser never waits for its Kafka cluster in an
 * earlier folder (Flux `wait` would then fail or hold the folder, and never apply the next one).
 */
export const SERVICE_KINDS: readonly string[] = [
  'statefulset',
  'daemonset',
  'kafka.kafka.strimzi.io',
  'kafkanodepool.kafka.strimzi.io',
  'helmrelease.helm.toolkit.fluxcd.io',
];

/** The sections of a split layer, in apply order. */
type Section = 'cluster' | 'deps' | 'services' | 'work';

/**
 * The section and group hash of each file (see `splitIntoFolders`): a dependency object is a group of its own (all
 * dependency folders come before every workload folder, so how they are grouped does not matter); any other object
 * groups with its workload unless the workload declares `spread`; the workload's section follows its declared
 * placement. Nothing here looks at a workload's size or at the kinds it holds, except to refuse a declaration that
 * does not fit them (a service kind outside a `service` workload, a grouped workload larger than a folder).
 */
function placeFiles(
  layer: string, files: readonly string[], unitOf: (file: string) => string | undefined, placementOf: (unit: string) => FolderPlacement | undefined,
  sizeOf: (file: string) => number, maxObjects: number, maxBytes: number,
): Map<string, { section: Section; hash: number }> {
  const units = new Map<string, { unit: string; namespace: string; placement: FolderPlacement; count: number; bytes: number; serviceKinds: Set<string> }>();
  const unitKey = (file: string): string | undefined => {
    const { namespace, kind } = parseFileName(file);
    const unit = namespace === 'cluster' || isDependency(kind) ? undefined : unitOf(file);
    return unit === undefined ? undefined : `${namespace}/${unit}`;
  };
  for (const file of files) {
    const key = unitKey(file);
    if (key === undefined) continue;
    const { namespace, kind } = parseFileName(file);
    const unit = unitOf(file)!;
    const entry = units.get(key) ?? { unit, namespace, placement: placementOf(unit) ?? 'workload', count: 0, bytes: 0, serviceKinds: new Set<string>() };
    entry.count += 1;
    entry.bytes += sizeOf(file);
    if (SERVICE_KINDS.includes(kind)) entry.serviceKinds.add(kind);
    units.set(key, entry);
  }
  for (const { unit, namespace, placement, count, bytes, serviceKinds } of units.values()) {
    if (serviceKinds.size > 0 && placement !== 'service') {
      throw new Error(`layer '${layer}': workload '${unit}' in namespace '${namespace}' holds ${[...serviceKinds].sort().join(', ')} (long-running service kinds, which must come before the workloads that use them) but its construct declares the folder placement '${placement}'; declare 'service' in its constructor (declareFolderPlacement, lib/core/folder-placement.ts), so that its folder never follows what it holds`);
    }
    if (placement !== 'spread' && (count > maxObjects || bytes > maxBytes)) {
      throw new LayerFoldersError(`layer '${layer}': workload '${unit}' in namespace '${namespace}' alone holds ${count} objects and ${Math.round(bytes / 1024)} KiB of YAML, more than one folder may (${maxObjects} objects, ${Math.round(maxBytes / 1024)} KiB), and a workload's objects stay in one folder; declare the placement 'spread' in its construct (declareFolderPlacement) so they are placed one by one, or split the workload`, layer, undefined);
    }
  }
  const placed = new Map<string, { section: Section; hash: number }>();
  for (const file of files) {
    const { namespace, kind } = parseFileName(file);
    if (namespace === 'cluster') { placed.set(file, { section: 'cluster', hash: 0 }); continue; }
    if (isDependency(kind)) { placed.set(file, { section: 'deps', hash: bucketHash(file) }); continue; }
    const key = unitKey(file);
    const info = key === undefined ? undefined : units.get(key)!;
    if (info === undefined) {
      placed.set(file, { section: SERVICE_KINDS.includes(kind) ? 'services' : 'work', hash: bucketHash(file) });
      continue;
    }
    placed.set(file, { section: info.placement === 'service' ? 'services' : 'work', hash: bucketHash(info.placement === 'spread' ? file : key!) });
  }
  return placed;
}

/** The folders of a layer split `folders` ways, in apply order, empty ones left out. */
function layout(layer: string, files: readonly string[], placed: ReadonlyMap<string, { section: Section; hash: number }>, folders: number): FolderPart[] {
  if (folders === 1) return [{ folder: layer, files: [...files].sort(compareText) }];
  const buckets: Record<Exclude<Section, 'cluster'>, string[][]> = {
    deps: Array.from({ length: folders }, () => []),
    services: Array.from({ length: folders }, () => []),
    work: Array.from({ length: folders }, () => []),
  };
  const cluster: string[] = [];
  for (const file of files) {
    const { section, hash } = placed.get(file)!;
    if (section === 'cluster') cluster.push(file);
    else buckets[section][hash % folders].push(file);
  }
  const parts: FolderPart[] = [{ folder: `${layer}-cluster`, files: cluster }];
  for (const [section, base] of [['deps', `${layer}-deps`], ['services', `${layer}-services`], ['work', layer]] as const) {
    for (let i = folders - 1; i >= 0; i--) parts.push({ folder: bucketFolder(base, i), files: buckets[section][i] });
  }
  return parts.filter((part) => part.files.length > 0).map((part) => ({ folder: part.folder, files: part.files.sort(compareText) }));
}
