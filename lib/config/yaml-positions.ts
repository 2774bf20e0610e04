/**
 * Parses YAML with js-yaml and records the line of every key and sequence item, so that an error found
 * later (by the schema or a semantic rule) can point at the exact line of the config file.
 */
import * as yaml from 'js-yaml';

/** A config path: object keys and array indexes from the document root. */
export type ConfigPath = readonly (string | number)[];

interface NodeFrame {
  readonly line: number;
  readonly children: NodeFrame[];
  result?: unknown;
  kind?: string | null;
}

/** Lines (1-based) of the nodes of one YAML document, by config path. */
export class YamlPositions {
  private readonly lines = new Map<string, number>();

  /** @internal */
  public record(path: ConfigPath, line: number): void {
    this.lines.set(pathKey(path), line);
  }

  /** The line of `path`, or of its closest ancestor that has one. */
  public lineOf(path: ConfigPath): number | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const line = this.lines.get(pathKey(path.slice(0, depth)));
      if (line !== undefined) return line;
    }
    return undefined;
  }
}

/** The result of parsing: the data and where each node was. */
export interface ParsedYaml {
  readonly data: unknown;
  readonly positions: YamlPositions;
}

/**
 * The YAML schema of config files: YAML 1.2's core schema, except that only plain decimal numbers are
 * integers. js-yaml's core schema also reads `0x10`, `0o10` and `012` as numbers, so a key `0x10` would
 * silently become `16`; here they stay strings (a key keeps its text, a value is then reported by the schema).
 */
/** js-yaml's built-in types (exported at runtime, missing from @types/js-yaml 4.0.9). */
const builtInTypes = (yaml as unknown as { types: Record<'null' | 'bool', yaml.Type> }).types;

export const CONFIG_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    builtInTypes.null,
    builtInTypes.bool,
    new yaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (data: string | null) => data !== null && /^[-+]?(0|[1-9][0-9]*)$/.test(data),
      construct: (data: string) => Number.parseInt(data, 10),
      predicate: (object: unknown) => typeof object === 'number' && Number.isInteger(object),
      represent: (object: unknown) => String(object),
    }),
    new yaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (data: string | null) => data !== null && /^[-+]?(\.[0-9]+|(0|[1-9][0-9]*)(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(data),
      construct: (data: string) => Number.parseFloat(data),
      predicate: (object: unknown) => typeof object === 'number',
      represent: (object: unknown) => String(object),
    }),
  ],
});

/** Characters YAML does not allow in a stream (js-yaml's own set), found one by one to report their lines. */
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]/g;

/** Line (1-based) and column (1-based) of each character YAML forbids, such as a NUL byte. */
export function nonPrintableCharacters(text: string): { line: number; column: number; code: string }[] {
  const found: { line: number; column: number; code: string }[] = [];
  for (const match of text.matchAll(NON_PRINTABLE)) {
    const before = text.slice(0, match.index);
    const lineStart = before.lastIndexOf('\n') + 1;
    found.push({
      line: before.split('\n').length,
      column: match.index! - lineStart + 1,
      code: `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
    });
  }
  return found;
}

/**
 * The config path of the key on `line` (1-based) of block-style YAML, found from indentation alone: the keys of
 * the less indented lines above it, and the index of a sequence item. Used for syntax errors, when no parsed
 * document exists to take the path from. Returns what it can (possibly `[]`).
 */
export function pathAtLine(text: string, line: number, column?: number): (string | number)[] {
  const lines = text.split('\n');
  const row = lines[line - 1] ?? '';
  const rowAt = row.length - row.trimStart().length;
  const path: (string | number)[] = [];
  let start = column ?? rowAt;
  const own = KEY.exec(row.slice(start).replace(/^- /, ''));
  if (own) path.push(unquote(own[1]));
  if (row.trimStart().startsWith('- ') && start > rowAt) {
    path.unshift(itemIndex(lines, line - 1, rowAt));
    start = rowAt;
  }
  let indent = start;
  for (let i = line - 2; i >= 0 && indent > 0; i--) {
    const content = lines[i].trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const at = lines[i].length - content.length;
    if (at >= indent) continue;
    if (content.startsWith('- ') || content === '-') {
      const inner = KEY.exec(content.slice(2));
      if (inner && at + 2 < indent) path.unshift(unquote(inner[1]));
      path.unshift(itemIndex(lines, i, at));
    } else {
      const key = KEY.exec(content);
      if (key) path.unshift(unquote(key[1]));
    }
    indent = at;
  }
  return path;
}

/** Index of the sequence item that starts on line `row` (0-based) with its '-' at column `at`. */
function itemIndex(lines: readonly string[], row: number, at: number): number {
  let index = 0;
  for (let j = row - 1; j >= 0; j--) {
    const content = lines[j].trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const siblingAt = lines[j].length - content.length;
    if (siblingAt < at || (siblingAt === at && !content.startsWith('-'))) break;
    if (siblingAt === at) index++;
  }
  return index;
}

/** A block mapping key at the start of a line: plain, single- or double-quoted, followed by ':'. */
const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s:#'"{}[\],&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)\s*:(\s|$)/;

function unquote(key: string): string {
  if (key.startsWith('"')) return JSON.parse(key) as string;
  if (key.startsWith("'")) return key.slice(1, -1).replace(/''/g, "'");
  return key;
}

/** Parses one YAML document and keeps the line of every node; throws js-yaml's YAMLException on bad syntax. */
export function parseYamlWithPositions(text: string, filename: string): ParsedYaml {
  const root: NodeFrame = { line: 0, children: [] };
  const stack: NodeFrame[] = [root];
  const data = yaml.load(text, {
    filename,
    schema: CONFIG_YAML_SCHEMA,
    listener(event, state) {
      if (event === 'open') {
        stack.push({ line: state.line + 1, children: [] });
      } else {
        const frame = stack.pop()!;
        frame.result = state.result;
        frame.kind = state.kind;
        stack[stack.length - 1].children.push(frame);
      }
    },
  });
  const positions = new YamlPositions();
  const top = root.children[0];
  if (top) walk(top, [], positions);
  return { data, positions };
}

function walk(frame: NodeFrame, path: (string | number)[], positions: YamlPositions): void {
  if (frame.kind === 'mapping') {
    for (let i = 0; i + 1 < frame.children.length; i += 2) {
      const key = frame.children[i];
      const childPath = [...path, String(key.result)];
      positions.record(childPath, key.line);
      walk(frame.children[i + 1], childPath, positions);
    }
  } else if (frame.kind === 'sequence') {
    frame.children.forEach((item, index) => {
      const childPath = [...path, index];
      positions.record(childPath, item.line);
      walk(item, childPath, positions);
    });
  }
}

function pathKey(path: ConfigPath): string {
  return JSON.stringify(path);
}
