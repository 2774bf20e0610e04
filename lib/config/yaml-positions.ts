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

/** Parses one YAML document and keeps the line of every node; throws js-yaml's YAMLException on bad syntax. */
export function parseYamlWithPositions(text: string, filename: string): ParsedYaml {
  const root: NodeFrame = { line: 0, children: [] };
  const stack: NodeFrame[] = [root];
  const data = yaml.load(text, {
    filename,
    schema: yaml.CORE_SCHEMA,
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
