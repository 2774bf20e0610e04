import * as fs from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { isJsonObject, JsonObject, JsonValue } from '../json';
import { compareStrings, sha256OfFile } from './files';

/**
 * What the validator needs to check a HelmRelease's `spec.values` against one chart version, derived from the
 * chart's `values.yaml` (and `values.schema.json` where the chart ships one, or the JSON form of its
 * `values.schema.yaml`, see {@link valuesSchemaFromYaml}). Written to
 * `imports/schemas/charts/<chart>/<version>.json`.
 */
export interface ChartValuesFile {
  readonly chart: string;
  readonly version: string;
  /** The chart's default values (values.yaml as JSON): Helm merges the release's values over them. */
  readonly defaults: JsonValue;
  /**
   * Strict schema of the key paths the chart knows, for the release's own values (see {@link deriveKeysSchema}).
   * May reference Kubernetes definitions as `urn:ml-platform-schemas:kubernetes-<version>#/definitions/...`.
   */
  readonly keys: JsonValue;
  /** Kubernetes version whose definitions `keys` references. */
  readonly kubernetes: string;
  /** The chart's own values.schema.json, applied (like Helm does) to the merged values; absent if it ships none. */
  readonly schema?: JsonValue;
  readonly sources: readonly { readonly file: string; readonly sha256: string }[];
}

/**
 * Keys whose value is a Kubernetes type, whatever the chart's default: they are checked against the Kubernetes
 * definition instead of the keys of the default. A security context key accepts a container or a pod security
 * context (charts use both names for both).
 */
const KUBERNETES_TYPED_KEYS: Readonly<Record<string, JsonValue>> = {
  resources: { $ref: 'io.k8s.api.core.v1.ResourceRequirements' },
  affinity: { $ref: 'io.k8s.api.core.v1.Affinity' },
  tolerations: { type: 'array', items: { $ref: 'io.k8s.api.core.v1.Toleration' } },
  topologySpreadConstraints: { type: 'array', items: { $ref: 'io.k8s.api.core.v1.TopologySpreadConstraint' } },
  volumes: { type: 'array', items: { $ref: 'io.k8s.api.core.v1.Volume' } },
  volumeMounts: { type: 'array', items: { $ref: 'io.k8s.api.core.v1.VolumeMount' } },
  securityContext: { anyOf: [{ $ref: 'io.k8s.api.core.v1.SecurityContext' }, { $ref: 'io.k8s.api.core.v1.PodSecurityContext' }] },
  containerSecurityContext: { $ref: 'io.k8s.api.core.v1.SecurityContext' },
  podSecurityContext: { $ref: 'io.k8s.api.core.v1.PodSecurityContext' },
  nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
  podAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
  podLabels: { type: 'object', additionalProperties: { type: 'string' } },
  annotations: { type: 'object', additionalProperties: { type: 'string' } },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
};

/** A `$ref` of KUBERNETES_TYPED_KEYS turned into a reference to the imported Kubernetes definitions. */
function kubernetesType(schema: JsonValue, kubernetes: string): JsonValue {
  if (Array.isArray(schema)) return schema.map((s) => kubernetesType(s, kubernetes));
  if (!isJsonObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' ? `urn:ml-platform-schemas:kubernetes-${kubernetes}#/definitions/${String(v)}` : kubernetesType(v, kubernetes);
  }
  return out;
}

/** Resolves local `$ref`s (`#/definitions/x`, `#/$defs/x`) of a chart schema. */
function resolve(root: JsonObject, node: JsonValue | undefined): JsonObject | undefined {
  let current = node;
  for (let depth = 0; depth < 20 && isJsonObject(current) && typeof current.$ref === 'string' && current.$ref.startsWith('#/'); depth++) {
    let target: JsonValue | undefined = root;
    for (const segment of current.$ref.slice(2).split('/')) {
      target = isJsonObject(target) ? target[segment.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    current = target;
  }
  return isJsonObject(current) ? current : undefined;
}

/** True when the chart schema node says the object is a map (any keys): `additionalProperties` true or a schema. */
function chartSaysFreeForm(node: JsonObject | undefined): boolean {
  if (!node) return false;
  const extra = node.additionalProperties;
  if (extra === true || isJsonObject(extra)) return true;
  return node.type === 'object' && node.properties === undefined && extra === undefined;
}

const ANY: JsonObject = {};

/**
 * Top-level keys that hold the application's own configuration file, which the chart renders as it is (Airflow's
 * `config` into airflow.cfg, Envoy Gateway's `config.envoyGateway` into its EnvoyGateway config, cert-manager's
 * `config` ControllerConfiguration): their keys belong to the application's API, not to the chart's values.
 */
const APPLICATION_CONFIG_KEYS: readonly string[] = ['config'];

/**
 * The strict schema of the key paths a chart knows, derived by rule (no per-value exception lists):
 * - a key of {@link KUBERNETES_TYPED_KEYS} is checked as that Kubernetes type;
 * - the top-level {@link APPLICATION_CONFIG_KEYS} hold the application's own configuration (any keys; the chart's
 *   schema, where there is one, still types them);
 * - a map whose default is empty (`{}`), or that the chart's schema declares a map (`additionalProperties`),
 *   takes any keys (free-form: podAnnotations, Airflow `config.<section>`, ...);
 * - a map with default keys, or with properties in the chart's schema, takes exactly those keys (the union);
 * - a list takes any items (`[]` defaults are lists to fill; item shapes are the chart's business);
 * - a scalar default fixes the type (string, boolean, number); a `null` default or a key known only from the
 *   chart's schema leaves the type to the chart's schema.
 */
export function deriveKeysSchema(defaults: JsonValue | undefined, chartSchema: JsonObject | undefined, kubernetes: string): JsonValue {
  const root = chartSchema ?? {};
  const walk = (value: JsonValue | undefined, node: JsonObject | undefined, key: string | undefined, depth: number): JsonValue => {
    if (depth === 1 && key !== undefined && APPLICATION_CONFIG_KEYS.includes(key) && (value === undefined || value === null || isJsonObject(value))) {
      return { type: 'object' };
    }
    if (key !== undefined && KUBERNETES_TYPED_KEYS[key] !== undefined && (value === undefined || value === null || typeof value === 'object')) {
      const isList = Array.isArray(value) || (KUBERNETES_TYPED_KEYS[key] as JsonObject).type === 'array';
      if (isList === Array.isArray(value) || value === null || value === undefined) return kubernetesType(KUBERNETES_TYPED_KEYS[key], kubernetes);
    }
    if (Array.isArray(value)) return { type: 'array' };
    if (isJsonObject(value) || (value === undefined && node?.properties !== undefined)) {
      const keysOfDefault = isJsonObject(value) ? Object.keys(value) : [];
      const schemaProps = isJsonObject(node?.properties) ? node?.properties as JsonObject : {};
      if ((isJsonObject(value) && keysOfDefault.length === 0 && Object.keys(schemaProps).length === 0) || chartSaysFreeForm(node)) {
        return { type: 'object' };
      }
      const properties: JsonObject = {};
      for (const k of [...new Set([...keysOfDefault, ...Object.keys(schemaProps)])].sort(compareStrings)) {
        properties[k] = walk(isJsonObject(value) ? value[k] : undefined, resolve(root, schemaProps[k]), k, depth + 1);
      }
      return { type: 'object', properties, additionalProperties: false };
    }
    if (typeof value === 'string') return { type: 'string' };
    if (typeof value === 'boolean') return { type: 'boolean' };
    if (typeof value === 'number') return { type: 'number' };
    return ANY;
  };
  return walk(defaults, resolve(root, root), undefined, 0);
}

/** Chart folders `<chartsDir>/<chart>/<version>/` that hold a values.yaml, sorted. */
export function listChartVersions(chartsDir: string): { chart: string; version: string; dir: string }[] {
  if (!fs.existsSync(chartsDir)) return [];
  const result: { chart: string; version: string; dir: string }[] = [];
  for (const chart of fs.readdirSync(chartsDir).sort(compareStrings)) {
    const chartDir = path.join(chartsDir, chart);
    if (!fs.statSync(chartDir).isDirectory()) continue;
    for (const version of fs.readdirSync(chartDir).sort(compareStrings)) {
      const dir = path.join(chartDir, version);
      if (fs.existsSync(path.join(dir, 'values.yaml'))) result.push({ chart, version, dir });
    }
  }
  return result;
}

/**
 * The values.schema.json a chart publishes, from the values.schema.yaml its repository keeps: the YAML parsed
 * as JSON, with `description` removed at every schema level (not inside `properties`, where it may be a value
 * name), exactly as zero-to-jupyterhub-k8s 4.4.0 `tools/generate-json-schema.py` (`clean_jsonschema`) does when it
 * packages the jupyterhub chart (`.github/workflows/publish.yml` runs it). Done at import time: the repository never
 * holds a copy of the chart's schema.
 */
export function valuesSchemaFromYaml(text: string): JsonObject {
  const parsed = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  if (!isJsonObject(parsed as JsonValue)) throw new Error('values.schema.yaml: the document is not a mapping (a JSON Schema object)');
  const clean = (node: JsonObject): void => {
    delete node.description;
    const properties = node.properties;
    if (isJsonObject(properties)) {
      for (const value of Object.values(properties)) if (isJsonObject(value)) clean(value);
    }
  };
  const schema = parsed as JsonObject;
  clean(schema);
  return schema;
}

/** Derives the values file of one chart version. */
export function importChartValues(chart: string, version: string, dir: string, kubernetes: string): ChartValuesFile {
  const valuesFile = path.join(dir, 'values.yaml');
  const defaults = (yaml.load(fs.readFileSync(valuesFile, 'utf8'), { schema: yaml.CORE_SCHEMA }) ?? {}) as JsonValue;
  const sources = [{ file: `charts/${chart}/${version}/values.yaml`, sha256: sha256OfFile(valuesFile) }];
  let schema: JsonObject | undefined;
  const jsonFile = path.join(dir, 'values.schema.json');
  const yamlFile = path.join(dir, 'values.schema.yaml');
  if (fs.existsSync(jsonFile)) {
    schema = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as JsonObject;
    sources.push({ file: `charts/${chart}/${version}/values.schema.json`, sha256: sha256OfFile(jsonFile) });
  } else if (fs.existsSync(yamlFile)) {
    schema = valuesSchemaFromYaml(fs.readFileSync(yamlFile, 'utf8'));
    sources.push({ file: `charts/${chart}/${version}/values.schema.yaml`, sha256: sha256OfFile(yamlFile) });
  }
  if (schema) delete schema.$schema;  // draft-07 by every chart we use; ajv's default
  return {
    chart, version, defaults, kubernetes,
    keys: deriveKeysSchema(defaults, schema, kubernetes),
    ...(schema ? { schema } : {}),
    sources,
  };
}
