/**
 * Checks over rendered output that no single construct can make: pods that run as a Workload Identity
 * ServiceAccount must carry the pod label, and an identity may have at most 20 federated credentials.
 * Also the machine-readable federated-credential list Azure needs (`dist/<env>/azure/federated-credentials.json`).
 */
import { shellQuote } from '../core/shell';
import { getPath, PlainManifest, podTemplateLocations } from '../core/pod-templates';
import { FederatedCredential, WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION, WORKLOAD_IDENTITY_USE_LABEL } from './pod-identity-binding';
import { compareText } from '../core/sort';

/** Microsoft Entra accepts at most this many federated credentials on one identity. */
export const MAX_FEDERATED_CREDENTIALS_PER_IDENTITY = 20;

/**
 * One line per pod template that runs as a ServiceAccount annotated for Workload Identity but lacks the
 * `azure.workload.identity/use: "true"` label (the webhook would not inject the token, and the pod would
 * silently run without its identity). Pods without an explicit service account run as `default`.
 */
export function unlabelledIdentityPods(manifests: readonly PlainManifest[]): string[] {
  const annotated = new Set(manifests
    .filter((m) => m.kind === 'ServiceAccount' && getPath(m, ['metadata', 'annotations', WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]) !== undefined)
    .map((m) => `${m.metadata?.namespace}/${m.metadata?.name}`));
  return manifests.flatMap((manifest) => (podTemplateLocations(manifest) ?? []).flatMap((template) => {
    const serviceAccount = getPath(manifest, template.serviceAccountPath) ?? 'default';
    if (!annotated.has(`${manifest.metadata?.namespace}/${serviceAccount}`)) return [];
    if (getPath(manifest, [...template.labelsPath, WORKLOAD_IDENTITY_USE_LABEL]) === 'true') return [];
    return [`${manifest.kind} '${manifest.metadata?.name}' in namespace '${manifest.metadata?.namespace}': '${template.name}' runs as Workload Identity ServiceAccount '${serviceAccount}' without the pod label ${WORKLOAD_IDENTITY_USE_LABEL}: "true"; bind it with PodIdentityBinding.bind()`];
  }));
}

/** Where a managed identity lives in Azure (what `az identity federated-credential create` needs). */
export interface IdentityLocation {
  readonly resourceName: string;
  readonly resourceGroup: string;
  readonly subscriptionId: string;
}

/** A federated credential and the cluster it is for. */
export interface ClusterFederatedCredential extends FederatedCredential {
  readonly cluster: string;
}

/** The machine-readable list of federated credentials of one environment. */
export interface FederatedCredentialsDocument {
  readonly environment: string;
  readonly identities: ReadonlyArray<IdentityLocation & {
    readonly name: string;
    readonly clientId: string;
    readonly federatedCredentials: ReadonlyArray<{ readonly name: string; readonly cluster: string; readonly issuer: string; readonly subject: string; readonly audiences: readonly string[] }>;
  }>;
}

/**
 * The federated-credential list of an environment, sorted by identity and credential name. Throws when an
 * identity would need more than 20 credentials or two credentials of one identity share a name.
 */
export function federatedCredentialsDocument(
  environment: string,
  credentials: readonly ClusterFederatedCredential[],
  locate: (identityName: string, clusters: readonly string[]) => IdentityLocation,
): FederatedCredentialsDocument {
  const byIdentity = new Map<string, ClusterFederatedCredential[]>();
  for (const credential of credentials) byIdentity.set(credential.identityName, [...byIdentity.get(credential.identityName) ?? [], credential]);
  const identities = [...byIdentity.keys()].sort().map((name) => {
    const list = [...byIdentity.get(name)!].sort((a, b) => compareText(a.name, b.name));
    if (list.length > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
      const users = [...new Set(list.map((c) => `${c.cluster} ${c.subject}`))];
      const shown = users.length > 5 ? `${users.slice(0, 5).join(', ')} and ${users.length - 5} more` : users.join(', ');
      throw new Error(`identity '${name}' would need ${list.length} federated credentials (${shown}); Azure allows at most ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} per identity; split the workloads over more identities or share ServiceAccounts`);
    }
    const names = list.map((c) => c.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new Error(`identity '${name}' has two federated credentials named '${duplicate}'; give one binding another 'federatedCredentialName'`);
    return {
      name,
      clientId: list[0].clientId,
      ...locate(name, [...new Set(list.map((c) => c.cluster))].sort()),
      federatedCredentials: list.map((c) => ({ name: c.name, cluster: c.cluster, issuer: c.issuer, subject: c.subject, audiences: [c.audience] })),
    };
  });
  return { environment, identities };
}

/** Quotes a value for a POSIX shell when it holds anything but safe characters. */
/** The `az identity federated-credential create` commands for a federated-credential list, one per line. */
export function federatedCredentialCommands(document: FederatedCredentialsDocument): string[] {
  return document.identities.flatMap((identity) => identity.federatedCredentials.map((credential) => [
    'az identity federated-credential create',
    `--subscription ${shellQuote(identity.subscriptionId)}`,
    `--resource-group ${shellQuote(identity.resourceGroup)}`,
    `--identity-name ${shellQuote(identity.resourceName)}`,
    `--name ${shellQuote(credential.name)}`,
    `--issuer ${shellQuote(credential.issuer)}`,
    `--subject ${shellQuote(credential.subject)}`,
    `--audiences ${credential.audiences.map(shellQuote).join(' ')}`,
  ].join(' ')));
}
