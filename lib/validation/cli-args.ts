/** Parsed command line: `--name value` options and positional arguments. */
export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string>;
  readonly positionals: readonly string[];
}

/** Thrown for a usage error (unknown option, missing value); CLIs exit with status 2. */
export class UsageError extends Error {}

/**
 * Parses `--name value` / `--name=value` options (only those in `known`) and positional arguments.
 * `--help`/`-h` are returned as option `help` with value "true".
 */
export function parseArgs(argv: readonly string[], known: readonly string[]): ParsedArgs {
  const options = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      options.set('help', 'true');
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (!known.includes(name)) {
        throw new UsageError(`unknown option --${name}`);
      }
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') {
        throw new UsageError(`option --${name} needs a value`);
      }
      options.set(name, value);
    } else {
      positionals.push(arg);
    }
  }
  return { options, positionals };
}
