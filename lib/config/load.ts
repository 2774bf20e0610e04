/** Loads the platform config files of `config/`: parse, schema check, semantic rules, all problems at once. */
import * as fs from 'fs';
import * as path from 'path';
import { YAMLException } from 'js-yaml';
import { describeFsError } from '../core/fs-errors';
import { runRulesOnInvalidData } from './guarded-rules';
import { ConfigError, ConfigIssue } from './issues';
import { expandSharedModels } from '../models/expand';
import { CONFIG_RULES } from './platform-rules';
import { PlatformConfig } from './schema';
import { asPlatformConfig, checkAgainstSchema } from './schema-check';
import { nonPrintableCharacters, parseYamlWithPositions, pathAtLine } from './yaml-positions';

/** One environment: a config file and its validated content. */
export interface Environment {
  /** Environment name: the file name without `.yaml`. */
  readonly name: string;
  /** Path of the config file as given. */
  readonly file: string;
  readonly config: PlatformConfig;
}

const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A config file name: the environment name, then `.yaml` or `.yml` in any case (`prod.YAML` is a config file). */
const CONFIG_FILE = /\.ya?ml$/i;

/**
 * Largest config file read, in bytes (`PLATFORM_CONFIG_MAX_BYTES` overrides it). The example is 20 KB and a
 * 100-environment platform is one file per environment, so 4 MiB is far above any real environment and far
 * below what would exhaust memory while rendering.
 */
export const DEFAULT_MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function maxConfigBytes(): number {
  const fromEnv = Number(process.env.PLATFORM_CONFIG_MAX_BYTES);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_CONFIG_BYTES;
}

/**
 * Config files of a folder: every `*.yaml` / `*.yml` (any case), sorted by name. A folder without any is an error (a run
 * that renders no environment would replace dist/ with an empty tree), and so is a folder that cannot be read.
 */
export function listConfigFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    throw new ConfigError([{ file: dir, path: [], message: `cannot read the config folder: ${describeFsError(error)}` }]);
  }
  const files = names.filter((name) => CONFIG_FILE.test(name)).sort().map((name) => path.join(dir, name));
  if (files.length === 0) {
    throw new ConfigError([{ file: dir, path: [], message: 'no environment: the config folder has no *.yaml file; add config/<environment>.yaml (copy config/example.yaml). Nothing is written for an empty platform' }]);
  }
  return files;
}

const KIND_OF: readonly [(stat: fs.Stats) => boolean, string][] = [
  [(s) => s.isDirectory(), 'a folder'], [(s) => s.isFIFO(), 'a FIFO (named pipe)'], [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'], [(s) => s.isSocket(), 'a socket'],
];

/**
 * Reads a config file that must be a regular file (a symbolic link to one is fine) of at most the size limit.
 * It is opened non-blocking and checked on the open descriptor, so a FIFO never blocks and a device is never read.
 */
export function readConfigText(file: string): string {
  const limit = maxConfigBytes();
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw new Error(`cannot read the config file: ${describeFsError(error)}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      const kind = KIND_OF.find(([test]) => test(stat))?.[1] ?? 'not a regular file';
      throw new Error(`the config file is ${kind}${fs.lstatSync(file).isSymbolicLink() ? ' (through a symbolic link)' : ''}; config files must be regular files`);
    }
    if (stat.size > limit) {
      throw new Error(`the config file has ${stat.size} bytes, more than the limit of ${limit} bytes (PLATFORM_CONFIG_MAX_BYTES); split the platform into one file per environment`);
    }
    const buffer = Buffer.alloc(Math.min(stat.size, limit) + 1);
    let length = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > limit) throw new Error(`the config file grew past the limit of ${limit} bytes while being read (PLATFORM_CONFIG_MAX_BYTES)`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** The environment a config file describes: its file name without the extension. */
export function environmentName(file: string): string {
  return path.basename(file).replace(CONFIG_FILE, '');
}

/** Two files that give the same environment (`prod.yaml` and `prod.yml`) would write one output folder. */
function duplicateEnvironments(files: readonly string[]): ConfigIssue[] {
  const byName = new Map<string, string[]>();
  for (const file of files) byName.set(environmentName(file), [...(byName.get(environmentName(file)) ?? []), file]);
  return [...byName.entries()].filter(([, same]) => same.length > 1).flatMap(([name, same]) => same.map((file) => ({
    file,
    path: [],
    message: `the files ${same.map((f) => path.basename(f)).join(' and ')} both describe environment '${name}' (dist/${name}/); keep one of them`,
  })));
}

/** Loads and validates several config files; throws one ConfigError listing the problems of all of them. */
export function loadEnvironments(files: readonly string[]): Environment[] {
  const results = files.map((file) => checkConfigFile(file));
  const issues = [...duplicateEnvironments(files), ...results.flatMap((result) => result.issues)];
  if (issues.length > 0) throw new ConfigError(issues);
  return results.map((result) => result.environment!);
}

/** Loads and validates one config file; throws a ConfigError listing all its problems. */
export function loadEnvironment(file: string): Environment {
  return loadEnvironments([file])[0];
}

/** Every problem in one config file (empty when valid), and the environment when valid. */
export function checkConfigFile(file: string): { issues: ConfigIssue[]; environment?: Environment } {
  const name = environmentName(file);
  if (!ENVIRONMENT_NAME.test(name)) {
    return { issues: [{ file, path: [], message: `the file name gives the environment name '${name}', which must be a DNS label (lowercase letters, digits, '-'); rename the file` }] };
  }
  let text: string;
  try {
    text = readConfigText(file);
  } catch (error) {
    return { issues: [{ file, path: [], message: (error as Error).message }] };
  }
  const forbidden = nonPrintableCharacters(text);
  if (forbidden.length > 0) {
    return {
      issues: forbidden.map(({ line, column, code }) => ({
        file, path: pathAtLine(text, line), line,
        message: `YAML syntax error: character ${code} at column ${column} is not allowed in YAML (a NUL byte or another control character); delete it`,
      })),
    };
  }
  let parsed;
  try {
    parsed = parseYamlWithPositions(text, file);
  } catch (error) {
    if (error instanceof YAMLException) return { issues: [syntaxIssue(error, text, file)] };
    throw error;
  }
  const schemaIssues = checkAgainstSchema(parsed.data, file, parsed.positions);
  // A valid config gets its platform-level models expanded first (lib/models/expand.ts); problems found in the
  // expanded entries are reported where the user wrote the declaration.
  const expanded = schemaIssues.length > 0 ? undefined : expandSharedModels(asPlatformConfig(parsed.data));
  const violations = expanded === undefined
    ? runRulesOnInvalidData(CONFIG_RULES, parsed.data, schemaIssues)
    : CONFIG_RULES.flatMap((rule) => rule(expanded.config));
  const ruleIssues = violations.map((violation) => {
    const written = expanded === undefined ? violation.path : expanded.originOf(violation.path);
    return { file, path: written, line: parsed.positions.lineOf(written), message: violation.message };
  });
  const issues = [...schemaIssues, ...ruleIssues];
  if (issues.length > 0 || expanded === undefined) return { issues };
  return { issues: [], environment: { name, file, config: expanded.config } };
}

/** A YAML syntax error with its line, the key path around it and, for a duplicated key, the key and its first line. */
function syntaxIssue(error: YAMLException, text: string, file: string): ConfigIssue {
  const line = error.mark ? error.mark.line + 1 : undefined;
  const configPath = line === undefined ? [] : pathAtLine(text, line, error.mark.column);
  if (error.reason === 'duplicated mapping key' && line !== undefined && configPath.length > 0) {
    const duplicated = String(configPath[configPath.length - 1]);
    const first = firstLineOfKey(text, line, error.mark.column, duplicated);
    const where = first === undefined ? '' : ` (first at line ${first})`;
    return { file, path: configPath, line, message: `YAML syntax error: key '${duplicated}' appears twice in the same mapping${where}; keep one (YAML keys are unique)` };
  }
  return { file, path: configPath, line, message: `YAML syntax error: ${error.reason}` };
}

/** The line (1-based) of an earlier `key:` at the same indentation and in the same block as `line`. */
function firstLineOfKey(text: string, line: number, column: number, key: string): number | undefined {
  const lines = text.split('\n');
  for (let i = line - 2; i >= 0; i--) {
    const content = lines[i].trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const at = lines[i].length - content.length;
    const keyAt = content.startsWith('- ') ? at + 2 : at;
    if (keyAt === column && pathAtLine(text, i + 1, keyAt).slice(-1)[0] === key) return i + 1;
    if (at < column && keyAt !== column) return undefined;
  }
  return undefined;
}
