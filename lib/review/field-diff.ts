/**
 * Field-level comparison of two versions of an object. Lists of objects are matched by a key field when every item
 * of both versions has a distinct one (`name` for containers, env, ports, volumes; then `mountPath`, `port`, `key`),
 * so a re-ordered or inserted item is one change rather than one per following index; other lists of objects are
 * compared by index, and lists of scalars as a whole.
 */
import { compareText } from '../core/sort';
import { canonicalJson, isJsonObject, JsonValue } from '../validation/json';
import { FieldChange } from './types';

const LIST_KEYS = ['name', 'mountPath', 'containerPort', 'port', 'key'] as const;

/** True when two JSON values are equal (object key order ignored). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

/** The field changes from `before` to `after`, in document order of `after` (then removed fields). */
export function diffFields(before: JsonValue, after: JsonValue): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(before, after, '', changes);
  return changes;
}

function join(path: string, key: string): string {
  const plain = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key);
  if (plain) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function walk(before: JsonValue | undefined, after: JsonValue | undefined, path: string, out: FieldChange[]): void {
  if (jsonEqual(before, after)) return;
  if (isJsonObject(before) && isJsonObject(after)) {
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
    for (const key of keys) walk(before[key], after[key], join(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    walkList(before, after, path, out);
    return;
  }
  // A small added or removed object reads better as its leaf fields.
  if (before === undefined && isJsonObject(after) && leafCount(after) <= EXPAND_LEAVES && path !== '') {
    walk({}, after, path, out);
    return;
  }
  if (after === undefined && isJsonObject(before) && leafCount(before) <= EXPAND_LEAVES && path !== '') {
    walk(before, {}, path, out);
    return;
  }
  out.push({ path: path === '' ? '(object)' : path, old: before, new: after });
}

const EXPAND_LEAVES = 8;

function leafCount(value: JsonValue): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + leafCount(v), 0);
  if (isJsonObject(value)) return Object.values(value).reduce<number>((n, v) => n + leafCount(v), 0);
  return 1;
}

function listKey(before: readonly JsonValue[], after: readonly JsonValue[]): string | undefined {
  const items = [...before, ...after];
  if (items.length === 0 || !items.every(isJsonObject)) return undefined;
  return LIST_KEYS.find((key) => [before, after].every((list) => {
    const values = list.map((item) => (isJsonObject(item) ? item[key] : undefined));
    return values.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(values).size === values.length;
  }));
}

function walkList(before: JsonValue[], after: JsonValue[], path: string, out: FieldChange[]): void {
  const key = listKey(before, after);
  if (key !== undefined) {
    const id = (item: JsonValue): string => String((item as Record<string, JsonValue>)[key]);
    const old = new Map(before.map((item) => [id(item), item]));
    const seen = new Set<string>();
    for (const item of after) {
      seen.add(id(item));
      walk(old.get(id(item)), item, `${path}[${key}=${id(item)}]`, out);
    }
    const removed = before.filter((item) => !seen.has(id(item))).sort((a, b) => compareText(id(a), id(b)));
    for (const item of removed) walk(item, undefined, `${path}[${key}=${id(item)}]`, out);
    return;
  }
  const scalars = [...before, ...after].every((item) => item === null || typeof item !== 'object');
  if (scalars) {
    out.push({ path, old: before, new: after });
    return;
  }
  for (let i = 0; i < Math.max(before.length, after.length); i++) walk(before[i], after[i], `${path}[${i}]`, out);
}

/**
 * A value for a one-line report: strings quoted, objects as compact JSON, `(none)` for a missing field; values
 * longer than `max` characters are cut in the middle and say how long they were.
 */
export function shortValue(value: JsonValue | undefined, max = 80): string {
  if (value === undefined) return '(none)';
  const text = typeof value === 'object' && value !== null ? canonicalJson(value) : JSON.stringify(value);
  if (text.length <= max) return text;
  const keep = max - 20;
  return `${text.slice(0, Math.ceil(keep * 0.7))}…${text.slice(text.length - Math.floor(keep * 0.3))} (${text.length} chars)`;
}
