/**
 * Where each workload kind keeps its pod templates: the path of the pod labels and of the service account
 * field, per template. Works on plain manifests (the JSON of an ApiObject), so the same table serves
 * `PodIdentityBinding.bind()` (to patch objects) and the identity audit (to check rendered output).
 */

/** A path of object keys from the manifest root. */
export type JsonPath = readonly string[];

/** One pod template inside a workload. */
export interface PodTemplateLocation {
  /** Human name of the template, such as `spec.template` or `spec.pytorchReplicaSpecs.Worker`. */
  readonly name: string;
  /** Path of the label map the pods get. */
  readonly labelsPath: JsonPath;
  /** Path of the field naming the service account the pods run as. */
  readonly serviceAccountPath: JsonPath;
}

/** A manifest as plain JSON. */
export interface PlainManifest {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** A Kubernetes pod template (`metadata.labels` + `spec.serviceAccountName`) under `base`. */
function podTemplate(base: JsonPath): PodTemplateLocation {
  return {
    name: base.join('.'),
    labelsPath: [...base, 'metadata', 'labels'],
    serviceAccountPath: [...base, 'spec', 'serviceAccountName'],
  };
}

/** A component whose labels and service account sit directly on it (Spark roles, KServe components). */
function flatComponent(base: JsonPath, serviceAccountField: string): PodTemplateLocation {
  return { name: base.join('.'), labelsPath: [...base, 'labels'], serviceAccountPath: [...base, serviceAccountField] };
}

/** Value at `path`, or undefined when any step is missing. */
export function getPath(json: unknown, path: JsonPath): unknown {
  let node: unknown = json;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function keysAt(json: unknown, path: JsonPath): string[] {
  const value = getPath(json, path);
  return value !== null && typeof value === 'object' ? Object.keys(value).sort() : [];
}

const SPARK_ROLES = ['driver', 'executor'] as const;
const KSERVE_COMPONENTS = ['predictor', 'transformer', 'explainer'] as const;

/** Pod template locators by kind. Each returns the templates present in the given manifest. */
const LOCATORS: { readonly [kind: string]: (manifest: PlainManifest) => PodTemplateLocation[] } = {
  Pod: () => [{ name: 'pod', labelsPath: ['metadata', 'labels'], serviceAccountPath: ['spec', 'serviceAccountName'] }],
  Deployment: () => [podTemplate(['spec', 'template'])],
  StatefulSet: () => [podTemplate(['spec', 'template'])],
  DaemonSet: () => [podTemplate(['spec', 'template'])],
  ReplicaSet: () => [podTemplate(['spec', 'template'])],
  Job: () => [podTemplate(['spec', 'template'])],
  CronJob: () => [podTemplate(['spec', 'jobTemplate', 'spec', 'template'])],
  PyTorchJob: (m) => keysAt(m, ['spec', 'pytorchReplicaSpecs']).map((replica) => podTemplate(['spec', 'pytorchReplicaSpecs', replica, 'template'])),
  SparkApplication: () => SPARK_ROLES.map((role) => flatComponent(['spec', role], 'serviceAccount')),
  ScheduledSparkApplication: () => SPARK_ROLES.map((role) => flatComponent(['spec', 'template', role], 'serviceAccount')),
  InferenceService: (m) => KSERVE_COMPONENTS
    .filter((component) => getPath(m, ['spec', component]) !== undefined)
    .map((component) => flatComponent(['spec', component], 'serviceAccountName')),
};

/** Kinds whose pod templates are known, sorted. */
export const POD_TEMPLATE_KINDS: readonly string[] = Object.keys(LOCATORS).sort();

/** The pod templates of a manifest, or undefined for a kind that has none we know of. */
export function podTemplateLocations(manifest: PlainManifest): PodTemplateLocation[] | undefined {
  return Object.prototype.hasOwnProperty.call(LOCATORS, manifest.kind) ? LOCATORS[manifest.kind](manifest) : undefined;
}

/** One JSON patch `add` operation (RFC 6902). */
export interface AddOperation {
  readonly path: string;
  readonly value: unknown;
}

/** Escapes one key for a JSON pointer (RFC 6901). */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The `add` operation that puts `value` at `path` in `json`, creating missing parent objects (the operation
 * targets the first missing key, with the rest nested in its value). Also applies it to `json`, so further
 * operations see the change.
 */
export function addAtPath(json: Record<string, unknown>, path: JsonPath, value: unknown): AddOperation {
  let node: Record<string, unknown> = json;
  let depth = 0;
  while (depth < path.length - 1) {
    const next = node[path[depth]];
    if (next === null || typeof next !== 'object') break;
    node = next as Record<string, unknown>;
    depth++;
  }
  const nested = path.slice(depth + 1).reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
  node[path[depth]] = nested;
  return { path: '/' + path.slice(0, depth + 1).map(escapePointer).join('/'), value: JSON.parse(JSON.stringify(nested)) };
}
