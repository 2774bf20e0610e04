import { createHash } from 'crypto';
import { canonicalJson, isJsonObject, JsonObject, JsonValue } from '../json';

/** Options for {@link shareRepeatedSubschemas}. */
export interface ShareOptions {
  /** Only sub-schemas whose canonical JSON is at least this long are shared. @default 300 */
  readonly minChars?: number;
  /** Prefix of the generated `$ref`s; the schema's shared parts are stored under `definitions`. @default '#/definitions/' */
  readonly refPrefix?: string;
}

/**
 * Moves every sub-schema that occurs more than once (e.g. the ~40 copies of a container spec inside the
 * InferenceService CRD) into `definitions` and replaces each copy with a `$ref`.
 * The result validates exactly the same documents, is several times smaller, and ajv compiles each shared
 * part once instead of once per copy. Names are `<first property name>-<hash>`, so output is deterministic.
 */
export function shareRepeatedSubschemas(root: JsonObject, options: ShareOptions = {}): JsonObject {
  const minChars = options.minChars ?? 300;
  const refPrefix = options.refPrefix ?? '#/definitions/';
  const keys = new Map<JsonObject, string>();
  const counts = new Map<string, number>();
  countSubschemas(root, keys, counts);

  const names = new Map<string, string>();
  const definitions: JsonObject = {};
  const rebuild = (node: JsonValue, hint: string, isRoot: boolean): JsonValue => {
    if (!isJsonObject(node)) {
      return node;
    }
    const key = keys.get(node) as string;
    const rebuilt = mapSubschemas(node, (child, childHint) => rebuild(child, childHint, false), hint);
    if (isRoot || key.length < minChars || (counts.get(key) ?? 0) < 2) {
      return rebuilt;
    }
    let name = names.get(key);
    if (name === undefined) {
      name = `${hint || 'schema'}-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
      names.set(key, name);
      definitions[name] = rebuilt;
    }
    return { $ref: refPrefix + name };
  };
  const result = rebuild(root, '', true) as JsonObject;
  if (Object.keys(definitions).length > 0) {
    result.definitions = { ...(isJsonObject(result.definitions) ? result.definitions : {}), ...definitions };
  }
  return result;
}

/** Records the canonical JSON of every sub-schema (memoised in `keys`) and how often each occurs. */
function countSubschemas(node: JsonValue, keys: Map<JsonObject, string>, counts: Map<string, number>): string {
  if (!isJsonObject(node)) {
    return JSON.stringify(node);
  }
  mapSubschemas(node, (child) => {
    countSubschemas(child, keys, counts);
    return child;
  }, '');
  const key = canonicalJson(node);
  keys.set(node, key);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return key;
}

/**
 * Returns a copy of a schema node with `fn` applied to each direct sub-schema (properties, items,
 * additionalProperties, allOf/anyOf/oneOf, not). `hint` is the nearest property name, for naming.
 */
function mapSubschemas(node: JsonObject, fn: (child: JsonValue, hint: string) => JsonValue, hint: string): JsonObject {
  const out: JsonObject = { ...node };
  if (isJsonObject(node.properties)) {
    const properties: JsonObject = {};
    for (const name of Object.keys(node.properties).sort()) {
      properties[name] = fn(node.properties[name], name);
    }
    out.properties = properties;
  }
  if (isJsonObject(node.additionalProperties)) {
    out.additionalProperties = fn(node.additionalProperties, hint);
  }
  if (Array.isArray(node.items)) {
    out.items = node.items.map((child) => fn(child, hint));
  } else if (isJsonObject(node.items)) {
    out.items = fn(node.items, hint);
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const list = node[keyword];
    if (Array.isArray(list)) {
      out[keyword] = list.map((child) => fn(child, hint));
    }
  }
  if (node.not !== undefined) {
    out.not = fn(node.not, hint);
  }
  return out;
}
