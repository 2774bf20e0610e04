/**
 * `node build/cli/federated-credentials.js [--dist DIR] [environment...]` (default: every environment in dist).
 * Prints the `az identity federated-credential create` commands for dist/<environment>/azure/federated-credentials.json
 * (written by `make synth`), one per line, so the Azure side of Workload Identity can be created or reviewed.
 * Exit status: 0 printed, 1 missing or unreadable list, 2 usage error.
 */
import { federatedCredentialCommands, FederatedCredentialsDocument } from '../identity/workload-identity-audit';
import { runArtifactCli } from './environment-artifact-cli';

function parseDocument(json: unknown): FederatedCredentialsDocument {
  const document = json as Partial<FederatedCredentialsDocument> | null;
  if (!document || typeof document !== 'object' || !Array.isArray(document.identities)) throw new Error('not a federated-credential list (no identities array)');
  for (const [i, identity] of document.identities.entries()) {
    for (const key of ['name', 'subscriptionId', 'resourceGroup', 'resourceName'] as const) {
      if (typeof identity?.[key] !== 'string') throw new Error(`identities[${i}].${key} is missing or not a string`);
    }
    if (!Array.isArray(identity.federatedCredentials)) throw new Error(`identities[${i}].federatedCredentials is missing or not a list`);
    for (const [j, credential] of identity.federatedCredentials.entries()) {
      for (const key of ['name', 'issuer', 'subject'] as const) {
        if (typeof credential?.[key] !== 'string') throw new Error(`identities[${i}].federatedCredentials[${j}].${key} is missing or not a string`);
      }
      if (!Array.isArray(credential.audiences)) throw new Error(`identities[${i}].federatedCredentials[${j}].audiences is missing or not a list`);
    }
  }
  return document as FederatedCredentialsDocument;
}

process.exitCode = runArtifactCli({
  name: 'federated-credentials',
  file: 'azure/federated-credentials.json',
  whenMissing: 'no Workload Identity binding in this environment',
  parse: parseDocument,
  header: (environment, document, file) => `# ${environment}: ${document.identities.reduce((n, i) => n + i.federatedCredentials.length, 0)} federated credential(s) from ${file}`,
  commands: federatedCredentialCommands,
}, process.argv.slice(2));
