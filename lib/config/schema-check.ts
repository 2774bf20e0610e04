/** Checks parsed config data against the JSON Schema and turns ajv's errors into readable config issues. */
import { TypeRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorObject, ValidateFunction } from 'ajv';
import { contentHash, ValidatorCache } from '../validation/validator-cache';
import { closestMatch } from './did-you-mean';
import { movedKeyFix } from './moved-keys';
import { ConfigIssue, describeValue } from './issues';
import { PlatformConfig, PlatformConfigSchema } from './schema';
import { ConfigPath, YamlPositions } from './yaml-positions';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const cache = ValidatorCache.fromEnvironment({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    // The key is the whole schema: any change to a config section compiles (and caches) a new validator.
    const key = cache.enabled ? `platform config ${contentHash(JSON.stringify(PlatformConfigSchema))}` : '';
    compiled = cache.validator(key, () => cache.ajv.compile(PlatformConfigSchema))!;
  }
  return compiled;
}

/**
 * TypeBox checks our `Unsafe` enums like JSON Schema's `type` + `enum`: `StringEnum` (strings) and integer enums
 * such as `layerFolders` counts (1, 2, 4, ...; without this, every config that sets one paid for compiling the ajv
 * validator: 0.2-0.5 s of the large benchmark platform's synth). Any other unsafe schema makes the fast check
 * throw, and the full ajv check decides.
 */
if (!TypeRegistry.Has('Unsafe')) {
  TypeRegistry.Set('Unsafe', (schema: { type?: string; enum?: unknown[] }, value) => {
    if (!Array.isArray(schema.enum)) throw new Error('unsupported unsafe schema');
    if (schema.type === 'string') return typeof value === 'string' && schema.enum.includes(value);
    if (schema.type === 'integer') return Number.isInteger(value) && schema.enum.includes(value);
    throw new Error('unsupported unsafe schema');
  });
}

/**
 * True when TypeBox's interpreter accepts `data`. It needs no compilation, so a valid config (the usual
 * case) never pays for compiling the ajv validator (about 200 ms at start-up). Returns false on doubt.
 */
export function quicklyValid(data: unknown): boolean {
  try {
    return Value.Check(PlatformConfigSchema, data);
  } catch {
    return false;
  }
}

/**
 * Returns every schema violation in `data`; an empty list means `data` is a `PlatformConfig`. Valid data is
 * recognised by TypeBox's interpreter; anything else goes through ajv, whose errors carry what the messages need.
 */
export function checkAgainstSchema(data: unknown, file: string, positions: YamlPositions): ConfigIssue[] {
  if (quicklyValid(data)) return [];
  const validate = validator();
  if (validate(data)) return [];
  return (validate.errors ?? [])
    .filter((error) => error.keyword !== 'if')
    .map((error) => toIssue(error, data, file, positions));
}

/** True when the full ajv check accepts `data` (the fast check must never accept more than this). */
export function fullyValid(data: unknown): boolean {
  return validator()(data) as boolean;
}

/** Narrows data already checked by `checkAgainstSchema`. */
export function asPlatformConfig(data: unknown): PlatformConfig {
  return data as PlatformConfig;
}

function toIssue(error: ErrorObject, data: unknown, file: string, positions: YamlPositions): ConfigIssue {
  const basePath = pointerToPath(error.instancePath, data);
  const { path, message } = describe(error, basePath);
  return { file, path, line: positions.lineOf(path), message };
}

function describe(error: ErrorObject, path: ConfigPath): { path: ConfigPath; message: string } {
  const schema = (error.parentSchema ?? {}) as Record<string, any>;
  const expected = schema.description ? ` (${schema.description})` : '';
  const found = describeValue(error.data);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      if (schema.patternProperties) {
        return { path: [...path, key], message: `invalid key '${key}': expected ${schema.description ?? 'a name matching ' + Object.keys(schema.patternProperties)[0]}` };
      }
      const moved = movedKeyFix(path, key);
      if (moved) return { path: [...path, key], message: moved };
      const known = Object.keys(schema.properties ?? {});
      const suggestion = closestMatch(key, known);
      const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
      return { path: [...path, key], message: `unknown key '${key}'.${hint} Expected one of: ${known.join(', ')}` };
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      const child = schema.properties?.[key];
      const what = child?.description ? ` (${child.description})` : '';
      return { path: [...path, key], message: `missing required key '${key}'${what}` };
    }
    case 'type':
      return { path, message: `expected ${error.params.type}${expected}, found ${found}` };
    case 'enum':
      return { path, message: `expected one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}, found ${found}` };
    case 'pattern':
      return { path, message: `expected ${schema.description ?? `a string matching ${error.params.pattern}`}, found ${found}` };
    default:
      return { path, message: `${error.message}${expected}, found ${found}` };
  }
}

/** Turns a JSON pointer into a config path; a segment is an index only where the data there is a list. */
function pointerToPath(pointer: string, data: unknown): ConfigPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: any = data;
  for (const segment of pointer.slice(1).split('/')) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    const part = Array.isArray(node) ? Number(key) : key;
    path.push(part);
    node = node?.[part];
  }
  return path;
}
