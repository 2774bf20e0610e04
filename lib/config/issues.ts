/** Config problems: each names the file, the key path, the line, what was expected and what was found. */
import { ConfigPath } from './yaml-positions';

/** One problem in one config file. */
export interface ConfigIssue {
  readonly file: string;
  readonly path: ConfigPath;
  readonly line?: number;
  readonly message: string;
}

/** Thrown when one or more config files are invalid; carries every problem found, not just the first. */
export class ConfigError extends Error {
  public readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(formatConfigIssues(issues));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** `clusters.training.nodePools.gpu.taints[0]`; the root is `(root)`. */
export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return '(root)';
  return path.map((part, i) => {
    if (typeof part === 'number') return `[${part}]`;
    const plain = /^[A-Za-z0-9_$-]+$/.test(part);
    const text = plain ? part : `"${part}"`;
    return i === 0 ? text : `.${text}`;
  }).join('');
}

/** `file:line: path: message`, one per line, with a count first. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => {
    const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
    return `  ${where}: ${formatPath(issue.path)}: ${issue.message}`;
  });
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return `Invalid platform config (${issues.length} ${noun}):\n${lines.join('\n')}`;
}

/** Describes a found value for a message: `string "5"`, `number 5`, `an object`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
