/**
 * `node build/cli/federated-credentials.js [--dist DIR] [environment...]` (default: every environment in dist).
 * Prints the `az identity federated-credential create` commands for dist/<environment>/azure/federated-credentials.json
 * (written by `make synth`), one per line, so the Azure side of Workload Identity can be created or reviewed.
 * Exit status: 0 printed, 1 missing or unreadable list, 2 usage error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { federatedCredentialCommands, FederatedCredentialsDocument } from '../identity/workload-identity-audit';

const FILE = path.join('azure', 'federated-credentials.json');
const USAGE = 'usage: federated-credentials [--dist DIR] [environment...]   (default: every environment in DIR, default dist)';

function environmentsIn(dist: string): string[] {
  if (!fs.existsSync(dist)) return [];
  return fs.readdirSync(dist).filter((name) => fs.existsSync(path.join(dist, name, FILE))).sort();
}

function main(argv: readonly string[]): number {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const distIndex = argv.indexOf('--dist');
  if (distIndex >= 0 && argv[distIndex + 1] === undefined) {
    console.error(`federated-credentials: --dist needs a folder\n${USAGE}`);
    return 2;
  }
  const dist = distIndex >= 0 ? argv[distIndex + 1] : 'dist';
  const positionals = argv.filter((_, i) => distIndex < 0 || (i !== distIndex && i !== distIndex + 1));
  const unknown = positionals.find((arg) => arg.startsWith('-'));
  if (unknown) {
    console.error(`federated-credentials: unknown option ${unknown}\n${USAGE}`);
    return 2;
  }
  const environments = positionals.length > 0 ? positionals : environmentsIn(dist);
  if (environments.length === 0) {
    console.error(`federated-credentials: no ${FILE} under ${dist}/<environment>/; run make synth first`);
    return 1;
  }
  for (const environment of environments) {
    const file = path.join(dist, environment, FILE);
    if (!fs.existsSync(file)) {
      console.error(`federated-credentials: ${file} does not exist (no Workload Identity binding in '${environment}', or make synth not run)`);
      return 1;
    }
    const document = JSON.parse(fs.readFileSync(file, 'utf8')) as FederatedCredentialsDocument;
    console.log(`# ${environment}: ${document.identities.reduce((n, i) => n + i.federatedCredentials.length, 0)} federated credential(s) from ${file}`);
    for (const command of federatedCredentialCommands(document)) console.log(command);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`federated-credentials: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
