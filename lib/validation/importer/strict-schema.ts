import { isJsonObject, JsonObject, JsonValue } from '../json';

/** Keywords copied unchanged from an OpenAPI schema node (all others are dropped). */
const COPIED_KEYWORDS: readonly string[] = [
  '$ref', 'default', 'enum', 'exclusiveMaximum', 'exclusiveMinimum', 'format', 'maxItems', 'maxLength', 'maxProperties', 'maximum',
  'minItems', 'minLength', 'minProperties', 'minimum', 'multipleOf', 'required', 'type', 'uniqueItems',
];

/** Keywords whose value is a list of sub-schemas that only add constraints (no structure). */
const LOGIC_LIST_KEYWORDS: readonly string[] = ['allOf', 'anyOf', 'oneOf'];

/** Options for {@link toStrictSchema}. */
export interface StrictSchemaOptions {
  /**
   * Called for every `pattern` that is not a valid JavaScript regular expression (Go RE2 syntax differs).
   * The pattern is dropped from the output.
   * @default - patterns that do not compile are dropped silently
   */
  readonly onDroppedPattern?: (pattern: string, at: string) => void;
}

/**
 * Converts one Kubernetes OpenAPI schema node (a swagger definition or a CRD `openAPIV3Schema`)
 * into a strict JSON schema (draft-07 subset) that ajv or kubeconform can evaluate:
 *
 * - `additionalProperties: false` wherever a structural node has `properties`, no `additionalProperties`
 *   and no `x-kubernetes-preserve-unknown-fields: true`;
 * - `x-kubernetes-int-or-string` and unions of bare types (`oneOf: [{type: string}, {type: integer}]`) become a type list;
 * - `nullable: true` adds `null` to the type (and enum);
 * - `x-kubernetes-embedded-resource` objects also accept `apiVersion`, `kind` and `metadata`;
 * - `default` is kept: the API server applies defaults before it validates, and some `oneOf` rules rely on them
 *   (Gateway API addresses); the validator applies them to a copy of each object first (see applyDefaults);
 * - descriptions, `x-kubernetes-*` annotations and CEL `x-kubernetes-validations` are dropped.
 */
export function toStrictSchema(node: JsonValue, options: StrictSchemaOptions = {}): JsonValue {
  return convert(node, '', false, options);
}

function convert(node: JsonValue, at: string, inLogic: boolean, options: StrictSchemaOptions): JsonValue {
  if (!isJsonObject(node)) {
    return node;
  }
  const out: JsonObject = {};
  for (const keyword of COPIED_KEYWORDS) {
    if (node[keyword] !== undefined) {
      out[keyword] = node[keyword];
    }
  }
  copyPattern(node, out, at, options);
  copySubschemas(node, out, at, inLogic, options);
  mergeBareTypeUnions(out);
  if (node['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
  }
  if (node.nullable === true) {
    addNull(out);
  }
  const preservesUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node['x-kubernetes-embedded-resource'] === true && out.properties !== undefined && !preservesUnknown) {
    addEmbeddedResourceFields(out);
  }
  if (!inLogic && out.properties !== undefined && out.additionalProperties === undefined && !preservesUnknown) {
    out.additionalProperties = false;
  }
  return out;
}

function copyPattern(node: JsonObject, out: JsonObject, at: string, options: StrictSchemaOptions): void {
  const pattern = node.pattern;
  if (typeof pattern !== 'string') {
    return;
  }
  try {
    new RegExp(pattern);
    out.pattern = pattern;
  } catch {
    options.onDroppedPattern?.(pattern, at);
  }
}

function copySubschemas(node: JsonObject, out: JsonObject, at: string, inLogic: boolean, options: StrictSchemaOptions): void {
  if (isJsonObject(node.properties)) {
    const properties: JsonObject = {};
    for (const [name, sub] of Object.entries(node.properties)) {
      properties[name] = convert(sub, `${at}/properties/${name}`, inLogic, options);
    }
    out.properties = properties;
  }
  if (node.additionalProperties !== undefined) {
    out.additionalProperties = convert(node.additionalProperties, `${at}/additionalProperties`, inLogic, options);
  }
  if (Array.isArray(node.items)) {
    out.items = node.items.map((sub, i) => convert(sub, `${at}/items/${i}`, inLogic, options));
  } else if (node.items !== undefined) {
    out.items = convert(node.items, `${at}/items`, inLogic, options);
  }
  for (const keyword of LOGIC_LIST_KEYWORDS) {
    const list = node[keyword];
    if (Array.isArray(list)) {
      out[keyword] = list.map((sub, i) => convert(sub, `${at}/${keyword}/${i}`, true, options));
    }
  }
  if (node.not !== undefined) {
    out.not = convert(node.not, `${at}/not`, true, options);
  }
}

/** `anyOf`/`oneOf` of bare `{type: X}` branches (IntOrString, Quantity) become `type: [X, ...]`. */
function mergeBareTypeUnions(out: JsonObject): void {
  for (const keyword of ['anyOf', 'oneOf']) {
    const branches = out[keyword];
    if (!Array.isArray(branches) || out.type !== undefined) {
      continue;
    }
    const types = branches.map(bareType);
    if (types.every((t): t is string => t !== undefined)) {
      out.type = [...new Set(types)].sort();
      delete out[keyword];
    }
  }
}

function bareType(branch: JsonValue): string | undefined {
  if (isJsonObject(branch) && Object.keys(branch).length === 1 && typeof branch.type === 'string') {
    return branch.type;
  }
  return undefined;
}

function addNull(out: JsonObject): void {
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
  } else if (Array.isArray(out.type) && !out.type.includes('null')) {
    out.type = [...out.type, 'null'];
  }
  if (Array.isArray(out.enum) && !out.enum.includes(null)) {
    out.enum = [...out.enum, null];
  }
}

function addEmbeddedResourceFields(out: JsonObject): void {
  const properties = out.properties as JsonObject;
  properties.apiVersion ??= { type: 'string' };
  properties.kind ??= { type: 'string' };
  properties.metadata ??= { type: 'object' };
}
