/** Turns the files of one version of dist/ into objects keyed by identity. */
import { compareText } from '../core/sort';
import { parseManifestText } from '../validation';
import { isJsonObject, JsonObject } from '../validation/json';
import type { SourceFile } from './dist-source';
import { ManifestObject, ObjectRef, ObjectSet } from './types';

/** The identity key of an object: environment/cluster/group/kind/namespace/name. */
export function objectKey(ref: ObjectRef): string {
  return [ref.environment, ref.cluster, ref.group, ref.kind, ref.namespace, ref.name].join('/');
}

/** `Kind.group namespace/name` (core kinds without group; cluster-scoped without namespace), for reports. */
export function describeObject(ref: ObjectRef): string {
  const kind = ref.group === '' ? ref.kind : `${ref.kind}.${ref.group}`;
  return `${kind} ${ref.namespace === '' ? '' : `${ref.namespace}/`}${ref.name}`;
}

/** The API group of an apiVersion (`apps/v1` -> `apps`, `v1` -> ''). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/**
 * Parses the manifest files (`*.yaml`/`*.yml` except kustomization files) of one version of dist/. The layout
 * `dist/<environment>/<cluster>/<layer>/<file>` gives environment, cluster and layer. Throws on invalid YAML, on
 * a document that is not a Kubernetes object, and on two objects with the same identity.
 */
export function buildObjectSet(files: readonly SourceFile[], distPath: string): ObjectSet {
  const objects = new Map<string, ManifestObject>();
  for (const file of files) {
    const base = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (!/\.ya?ml$/.test(base) || KUSTOMIZATION_FILES.has(base)) continue;
    const inside = file.path.startsWith(`${distPath}/`) ? file.path.slice(distPath.length + 1) : file.path;
    const parts = inside.split('/');
    const environment = parts.length > 1 ? parts[0] : '';
    const cluster = parts.length > 2 ? parts[1] : '';
    const layer = parts.length > 3 ? parts[parts.length - 2] : '';
    const folder = file.path.slice(0, file.path.lastIndexOf('/'));
    for (const doc of parseManifestText(file.text, file.path)) {
      if (!isJsonObject(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string'
        || !isJsonObject(doc.metadata) || typeof doc.metadata.name !== 'string') {
        throw new Error(`${file.path}: a document without apiVersion, kind or metadata.name is not a Kubernetes object`);
      }
      const namespace = typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : '';
      const ref: ObjectRef = { environment, cluster, group: apiGroup(doc.apiVersion), kind: doc.kind, namespace, name: doc.metadata.name };
      const key = objectKey(ref);
      const previous = objects.get(key);
      if (previous !== undefined) {
        throw new Error(`${file.path}: ${describeObject(ref)} is also in ${previous.file} (one identity, two objects)`);
      }
      objects.set(key, { ref, key, file: file.path, folder, layer, obj: doc as JsonObject });
    }
  }
  return new Map([...objects.entries()].sort(([a], [b]) => compareText(a, b)));
}
