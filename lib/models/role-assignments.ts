/**
 * Azure role assignments the platform's identities need on storage, derived from the config: the least role
 * (Storage Blob Data Reader to read, Storage Blob Data Contributor to write) on the narrowest scope (the blob
 * container) for every identity whose workload the config ties to a container. Written next to the federated
 * credentials (`dist/<environment>/azure/role-assignments.json`) and printed as `az role assignment create`
 * commands by `npm run role-assignments`.
 *
 * Built-in role IDs (Azure docs, "Azure built-in roles for Storage"): Storage Blob Data Reader
 * 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1, Storage Blob Data Contributor ba92f5b4-2d11-453d-a403-e96b0029c9fe.
 * Container scope: /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<a>/blobServices/default/containers/<c>.
 */
import { shellQuote } from '../core/shell';
import { PlatformConfig } from '../config/schema';
import { azureBlobLocation } from '../serving/storage-uri';

/** The storage roles the platform assigns, least first. */
export const STORAGE_ROLES = {
  reader: { name: 'Storage Blob Data Reader', id: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1' },
  contributor: { name: 'Storage Blob Data Contributor', id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' },
} as const;

export type StorageRole = keyof typeof STORAGE_ROLES;

/** One identity's need for a role on one container, and which config entry needs it. */
export interface StorageRoleNeed {
  readonly identity: string;
  /** The cluster whose workload needs it. */
  readonly cluster: string;
  readonly role: StorageRole;
  readonly storageAccount: string;
  readonly container: string;
  readonly reason: string;
}

/** One role assignment to create. */
export interface RoleAssignment {
  readonly identity: string;
  readonly clientId: string;
  readonly role: string;
  readonly roleDefinitionId: string;
  readonly scope: string;
  /** The clusters whose workloads need it (preflight checks it for them). */
  readonly clusters: readonly string[];
  /** The config entries that need it. */
  readonly reasons: readonly string[];
}

/** The role assignments of one environment. */
export interface RoleAssignmentsDocument {
  readonly environment: string;
  readonly roleAssignments: readonly RoleAssignment[];
}

/** Every storage role need of an (expanded) config, in config order. */
export function storageRoleNeeds(config: PlatformConfig): StorageRoleNeed[] {
  const needs: StorageRoleNeed[] = [];
  for (const [clusterName, cluster] of Object.entries(config.clusters)) {
    const serving = cluster.serving;
    for (const [name, model] of Object.entries(serving?.models ?? {})) {
      const blob = azureBlobLocation(model.storageUri);
      if (model.identity && blob) {
        needs.push({ identity: model.identity, cluster: clusterName, role: 'reader', storageAccount: blob.account, container: blob.container, reason: `model '${name}' on cluster '${clusterName}' reads ${model.storageUri}` });
      }
    }
    if (serving?.mlflow) {
      const { artifacts, identity } = serving.mlflow;
      needs.push({ identity, cluster: clusterName, role: 'contributor', storageAccount: artifacts.storageAccount, container: artifacts.container, reason: `MLflow on cluster '${clusterName}' writes artifacts` });
    }
    if (cluster.airflow) {
      const { logs, identity } = cluster.airflow;
      needs.push({ identity, cluster: clusterName, role: 'contributor', storageAccount: logs.storageAccount, container: logs.container, reason: `Airflow on cluster '${clusterName}' writes task logs` });
    }
  }
  for (const [name, model] of Object.entries(config.models ?? {})) {
    const producer = model.training;
    const identity = producer && config.clusters[producer.cluster]?.training?.identity;
    if (producer && identity) {
      needs.push({ identity, cluster: producer.cluster, role: 'contributor', storageAccount: model.artifacts.storageAccount, container: model.artifacts.container, reason: `job '${producer.job}' on cluster '${producer.cluster}' writes model '${name}'` });
    }
  }
  return needs;
}

/** The subscription of a storage account: its own, or the one every cluster shares (undefined when ambiguous). */
export function storageSubscription(config: PlatformConfig, account: string): string | undefined {
  const own = config.azure.storageAccounts[account]?.subscriptionId;
  if (own) return own;
  const subscriptions = [...new Set(Object.values(config.clusters).map((cluster) => cluster.azure.subscriptionId))];
  return subscriptions.length === 1 ? subscriptions[0] : undefined;
}

/** ARM scope of a blob container. */
export function containerScope(subscriptionId: string, resourceGroup: string, account: string, container: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account}/blobServices/default/containers/${container}`;
}

/**
 * The role assignments of an environment: one per (identity, container), the contributor role when any need
 * writes, sorted by identity and scope. Needs on storage accounts or identities the config does not declare are
 * left out (the config rules report them).
 */
export function roleAssignmentsDocument(environment: string, config: PlatformConfig): RoleAssignmentsDocument {
  const byKey = new Map<string, { need: StorageRoleNeed; role: StorageRole; clusters: Set<string>; reasons: Set<string> }>();
  for (const need of storageRoleNeeds(config)) {
    const key = `${need.identity}\u0000${need.storageAccount}\u0000${need.container}`;
    const entry = byKey.get(key) ?? { need, role: need.role, clusters: new Set<string>(), reasons: new Set<string>() };
    if (need.role === 'contributor') entry.role = 'contributor';
    entry.clusters.add(need.cluster);
    entry.reasons.add(need.reason);
    byKey.set(key, entry);
  }
  const assignments: RoleAssignment[] = [];
  for (const { need, role, clusters, reasons } of byKey.values()) {
    const identity = config.identities[need.identity];
    const account = config.azure.storageAccounts[need.storageAccount];
    const subscription = storageSubscription(config, need.storageAccount);
    if (!identity || !account || !subscription) continue;
    assignments.push({
      identity: need.identity,
      clientId: identity.clientId,
      role: STORAGE_ROLES[role].name,
      roleDefinitionId: STORAGE_ROLES[role].id,
      scope: containerScope(subscription, account.resourceGroup, need.storageAccount, need.container),
      clusters: [...clusters].sort(),
      reasons: [...reasons].sort(),
    });
  }
  const order = (a: RoleAssignment) => `${a.identity}\u0000${a.scope}`;
  assignments.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { environment, roleAssignments: assignments };
}

/** The `az role assignment create` commands of a document, each after a comment saying why. */
export function roleAssignmentCommands(document: RoleAssignmentsDocument): string[] {
  return document.roleAssignments.flatMap((assignment) => [
    `# ${assignment.identity}: ${assignment.role} (${assignment.reasons.join('; ')})`,
    ['az role assignment create', `--assignee ${shellQuote(assignment.clientId)}`, `--role ${shellQuote(assignment.roleDefinitionId)}`, `--scope ${shellQuote(assignment.scope)}`].join(' '),
  ]);
}
