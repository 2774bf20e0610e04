/**
 * The shared command line of the per-environment Azure artifacts (`dist/<environment>/azure/*.json`):
 * `[--dist DIR] [environment...]` (default: every environment in DIR that has the file), printing commands
 * for each. Exit status: 0 printed, 1 missing or unreadable file, 2 usage error. Never prints a raw error.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ArtifactCli<T> {
  /** Command name, for messages (`role-assignments`). */
  readonly name: string;
  /** File under `dist/<environment>/`. */
  readonly file: string;
  /** Why an environment may lack the file (for the message). */
  readonly whenMissing: string;
  /** Parses the file's JSON, throwing an Error that says what is wrong with its shape. */
  readonly parse: (json: unknown) => T;
  /** The header comment of one environment. */
  readonly header: (environment: string, document: T, file: string) => string;
  /** The commands of one environment. */
  readonly commands: (document: T) => string[];
}

function environmentsIn(dist: string, file: string): string[] {
  if (!fs.existsSync(dist)) return [];
  return fs.readdirSync(dist).filter((name) => fs.existsSync(path.join(dist, name, file))).sort();
}

/** Runs the command line; returns the exit status. */
export function runArtifactCli<T>(cli: ArtifactCli<T>, argv: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): number {
  const usage = `usage: ${cli.name} [--dist DIR] [environment...]   (default: every environment in DIR, default dist)`;
  if (argv.includes('--help')) {
    out(usage);
    return 0;
  }
  const distIndex = argv.indexOf('--dist');
  if (distIndex >= 0 && argv[distIndex + 1] === undefined) {
    err(`${cli.name}: --dist needs a folder\n${usage}`);
    return 2;
  }
  const dist = distIndex >= 0 ? argv[distIndex + 1] : 'dist';
  const positionals = argv.filter((_, i) => distIndex < 0 || (i !== distIndex && i !== distIndex + 1));
  const unknown = positionals.find((arg) => arg.startsWith('-'));
  if (unknown) {
    err(`${cli.name}: unknown option ${unknown}\n${usage}`);
    return 2;
  }
  const environments = positionals.length > 0 ? positionals : environmentsIn(dist, cli.file);
  if (environments.length === 0) {
    err(`${cli.name}: no ${cli.file} under ${dist}/<environment>/; run make synth first`);
    return 1;
  }
  for (const environment of environments) {
    const file = path.join(dist, environment, cli.file);
    if (!fs.existsSync(file)) {
      err(`${cli.name}: ${file} does not exist (${cli.whenMissing}, or make synth not run)`);
      return 1;
    }
    let document: T;
    try {
      document = cli.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch (error) {
      err(`${cli.name}: ${file}: ${error instanceof Error ? error.message : String(error)}; run make synth to regenerate it`);
      return 1;
    }
    out(cli.header(environment, document, file));
    for (const command of cli.commands(document)) out(command);
  }
  return 0;
}
