/** Names the file of each Kubernetes object and serializes objects and kustomizations to YAML. */
import * as yaml from 'js-yaml';

/** The fields of a manifest that identify it. */
export interface ManifestIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** Most objects one folder holds before a layer is split: kustomize slows down quadratically with more. */
export const MAX_OBJECTS_PER_FOLDER = 1000;

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
 * Splits a layer's files into folders of at most `max` objects: `<layer>`, `<layer>-2`, `<layer>-3`, ...
 * Files are sorted by name (namespace first), so a namespace's objects stay together as far as possible.
 */
export function splitIntoFolders(layer: string, files: readonly string[], max = MAX_OBJECTS_PER_FOLDER): { folder: string; files: string[] }[] {
  const sorted = [...files].sort();
  const parts = Math.max(1, Math.ceil(sorted.length / max));
  const size = Math.ceil(sorted.length / parts);
  return Array.from({ length: parts }, (_, i) => ({
    folder: i === 0 ? layer : `${layer}-${i + 1}`,
    files: sorted.slice(i * size, (i + 1) * size),
  }));
}
