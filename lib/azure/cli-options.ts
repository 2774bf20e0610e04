/** Command-line options shared by `preflight` and `deploy`, and the environment they name. */
import * as path from 'path';
import { ConfigError } from '../config/issues';
import { Environment, loadEnvironment } from '../config/load';
import { ClusterConfig } from '../config/schema';
import { ToolFailure } from './errors';

export interface AzureCliOptions {
  /** Environment name: `config/<env>.yaml`. @default example */
  readonly env: string;
  readonly cluster?: string;
  readonly armEndpoint?: string;
  /** `--arm-timeout`: response timeout of each ARM request (see arm-timeouts.ts). */
  readonly armTimeout?: string;
  readonly configDir: string;
  readonly distDir: string;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly viaFlux: boolean;
  readonly kubectl: string;
  readonly timeout: string;
  readonly help: boolean;
  /** Also check the storage role assignments of the identities (preflight). */
  readonly roleAssignments: boolean;
}

const FLAGS = { 'json': 'json', 'dry-run': 'dryRun', 'via-flux': 'viaFlux', 'help': 'help', 'role-assignments': 'roleAssignments' } as const;
const VALUES = { 'env': 'env', 'cluster': 'cluster', 'arm-endpoint': 'armEndpoint', 'arm-timeout': 'armTimeout', 'config-dir': 'configDir', 'dist-dir': 'distDir', 'kubectl': 'kubectl', 'timeout': 'timeout' } as const;

type FlagName = keyof typeof FLAGS;
type ValueName = keyof typeof VALUES;

/** Parses `--name value`, `--name=value` and boolean `--flag`, accepting only the names a tool allows. */
export function parseAzureCliArgs(argv: readonly string[], allowed: readonly (FlagName | ValueName)[]): AzureCliOptions {
  const values: Record<string, string | boolean | undefined> = {
    env: 'example', configDir: 'config', distDir: 'dist', kubectl: 'kubectl', timeout: '10m', json: false, dryRun: false, viaFlux: false, help: false, roleAssignments: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') { values.help = true; continue; }
    if (!arg.startsWith('--')) throw new ToolFailure('usage', `unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!(allowed as readonly string[]).includes(name) && name !== 'help') throw new ToolFailure('usage', `unknown option --${name}`);
    if (name in FLAGS) {
      if (eq >= 0) throw new ToolFailure('usage', `option --${name} takes no value`);
      values[FLAGS[name as FlagName]] = true;
      continue;
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new ToolFailure('usage', `option --${name} needs a value`);
    values[VALUES[name as ValueName]] = value;
  }
  const options = values as unknown as AzureCliOptions;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(options.env)) {
    throw new ToolFailure('usage', `--env (${options.env}) must name a config file config/<env>.yaml by its environment name (a DNS label)`);
  }
  if (!/^\d+(s|m|h)$/.test(options.timeout)) throw new ToolFailure('usage', `--timeout (${options.timeout}) must be a duration such as 90s, 10m or 1h`);
  return options;
}

/** Loads `<configDir>/<env>.yaml`; a missing file is a usage error, an invalid one a config error (all problems listed). */
export function loadNamedEnvironment(options: AzureCliOptions): Environment {
  const file = path.join(options.configDir, `${options.env}.yaml`);
  try {
    return loadEnvironment(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      const unreadable = error.issues.length === 1 && error.issues[0].message.startsWith('cannot read');
      throw new ToolFailure(unreadable ? 'usage' : 'config', unreadable ? `no config for environment '${options.env}': ${file} cannot be read` : error.message);
    }
    throw error;
  }
}

/** The clusters to work on: the one named by --cluster, or all of them in config order. */
export function selectClusters(environment: Environment, cluster: string | undefined): [string, ClusterConfig][] {
  const all = Object.entries(environment.config.clusters);
  if (cluster === undefined) return all;
  const found = all.filter(([name]) => name === cluster);
  if (found.length === 0) {
    throw new ToolFailure('usage', `environment '${environment.name}' has no cluster '${cluster}'; its clusters are: ${all.map(([name]) => name).join(', ')}`);
  }
  return found;
}
