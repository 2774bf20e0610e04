import { isJsonObject, JsonObject, JsonValue } from './json';

const LOCAL_REF = '#/definitions/';

/**
 * Fills in `default` values of a strict CRD schema into `data` (in place), as the API server does before
 * it validates a custom resource: for each absent property whose schema has a default, recursively through
 * `properties`, `items` and `additionalProperties`. Local `$ref`s (`#/definitions/...`) are followed.
 * Nodes whose type does not match the schema are left alone (validation reports them).
 */
export function applyDefaults(root: JsonObject, data: unknown): void {
  walk(root, root, data);
}

function walk(root: JsonObject, node: JsonValue, data: unknown): void {
  const schema = resolve(root, node);
  if (!isJsonObject(schema)) {
    return;
  }
  if (Array.isArray(data)) {
    if (isJsonObject(schema.items)) {
      for (const item of data) {
        walk(root, schema.items, item);
      }
    }
    return;
  }
  if (!isJsonObject(data)) {
    return;
  }
  const properties = isJsonObject(schema.properties) ? schema.properties : {};
  for (const [name, property] of Object.entries(properties)) {
    const propertySchema = resolve(root, property);
    if (data[name] === undefined && isJsonObject(propertySchema) && propertySchema.default !== undefined) {
      data[name] = structuredClone(propertySchema.default);
    }
    walk(root, propertySchema, data[name]);
  }
  if (isJsonObject(schema.additionalProperties)) {
    for (const [name, value] of Object.entries(data)) {
      if (!(name in properties)) {
        walk(root, schema.additionalProperties, value);
      }
    }
  }
}

function resolve(root: JsonObject, node: JsonValue): JsonValue {
  let current = node;
  while (isJsonObject(current) && typeof current.$ref === 'string' && current.$ref.startsWith(LOCAL_REF)) {
    const definitions = isJsonObject(root.definitions) ? root.definitions : {};
    current = definitions[current.$ref.slice(LOCAL_REF.length)];
  }
  return current;
}
