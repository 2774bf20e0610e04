import { JsonObject } from './json';

/** Name of the index file at the root of a schemas folder (imports/schemas/index.json). */
export const SCHEMA_INDEX_FILE = 'index.json';

/**
 * Content of `index.json`: which file holds which schema. Keys of a CRD set are `"<apiVersion> <kind>"`,
 * e.g. `"serving.kserve.io/v1beta1 InferenceService"`; file paths are relative to the schemas folder.
 */
export interface SchemaIndex {
  /** Kubernetes version (e.g. "1.27.0") to its {@link KubernetesSchemaFile}. */
  readonly kubernetes: Readonly<Record<string, string>>;
  /**
   * CRD schema sets by `<name>@<version>` (lib/validation/crd-sets.ts): custom resource `"<apiVersion> <kind>"`
   * to its strict JSON schema file.
   */
  readonly crdSets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Helm chart `<chart>@<version>` to its values file (lib/validation/importer/import-charts.ts ChartValuesFile). */
  readonly charts: Readonly<Record<string, string>>;
}

/** Content of one `kubernetes/v<version>.json` file. */
export interface KubernetesSchemaFile {
  /** `"<apiVersion> <kind>"` (e.g. "apps/v1 Deployment") to the name of its entry in `definitions`. */
  readonly kinds: Readonly<Record<string, string>>;
  /** Strict JSON schemas, referencing each other as `#/definitions/<name>`. */
  readonly definitions: JsonObject;
}

/** Name of the ObjectMeta definition, used to check `metadata` of custom resources. */
export const OBJECT_META_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The index key of an object type: `"<apiVersion> <kind>"`. */
export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}
