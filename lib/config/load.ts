/** Loads the platform config files of `config/`: parse, schema check, semantic rules, all problems at once. */
import * as fs from 'fs';
import * as path from 'path';
import { YAMLException } from 'js-yaml';
import { ConfigError, ConfigIssue } from './issues';
import { expandSharedModels } from '../models/expand';
import { CONFIG_RULES } from './platform-rules';
import { PlatformConfig } from './schema';
import { asPlatformConfig, checkAgainstSchema } from './schema-check';
import { parseYamlWithPositions } from './yaml-positions';

/** One environment: a config file and its validated content. */
export interface Environment {
  /** Environment name: the file name without `.yaml`. */
  readonly name: string;
  /** Path of the config file as given. */
  readonly file: string;
  readonly config: PlatformConfig;
}

const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Config files of a folder: every `*.yaml` / `*.yml`, sorted by name. */
export function listConfigFiles(dir: string): string[] {
  return fs.readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Loads and validates several config files; throws one ConfigError listing the problems of all of them. */
export function loadEnvironments(files: readonly string[]): Environment[] {
  const results = files.map((file) => checkConfigFile(file));
  const issues = results.flatMap((result) => result.issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return results.map((result) => result.environment!);
}

/** Loads and validates one config file; throws a ConfigError listing all its problems. */
export function loadEnvironment(file: string): Environment {
  return loadEnvironments([file])[0];
}

/** Every problem in one config file (empty when valid), and the environment when valid. */
export function checkConfigFile(file: string): { issues: ConfigIssue[]; environment?: Environment } {
  const name = path.basename(file).replace(/\.ya?ml$/, '');
  if (!ENVIRONMENT_NAME.test(name)) {
    return { issues: [{ file, path: [], message: `the file name gives the environment name '${name}', which must be a DNS label (lowercase letters, digits, '-'); rename the file` }] };
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { issues: [{ file, path: [], message: `cannot read the config file: ${(error as Error).message}` }] };
  }
  let parsed;
  try {
    parsed = parseYamlWithPositions(text, file);
  } catch (error) {
    if (error instanceof YAMLException) {
      return { issues: [{ file, path: [], line: error.mark ? error.mark.line + 1 : undefined, message: `YAML syntax error: ${error.reason}` }] };
    }
    throw error;
  }
  const schemaIssues = checkAgainstSchema(parsed.data, file, parsed.positions);
  if (schemaIssues.length > 0) return { issues: schemaIssues };
  const { config, originOf } = expandSharedModels(asPlatformConfig(parsed.data));
  const ruleIssues = CONFIG_RULES.flatMap((rule) => rule(config)).map((violation) => {
    const written = originOf(violation.path);
    return { file, path: written, line: parsed.positions.lineOf(written), message: violation.message };
  });
  if (ruleIssues.length > 0) return { issues: ruleIssues };
  return { issues: [], environment: { name, file, config } };
}
