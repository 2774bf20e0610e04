/**
 * Azure role assignments the platform's identities need on storage, derived from the config: the least role
 * (Storage Blob Data Reader to read, Storage Blob Data Contributor to write) on the narrowest scope (the blob
 * container) for every identity whose workload the config ties to a container; and DNS Zone Contributor on the
 * Azure DNS zone of an ACME DNS-01 solver (`routing.tls.azureDns`) for its identity. Written next to the federated
 * credentials (`dist/<environment>/azure/role-assignments.json`) and printed as `az role assignment create`
 * commands by `npm run role-assignments`.
 *
 * Built-in role IDs (Azure docs, "Azure built-in roles for Storage"): Storage Blob Data Reader
 * 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1, Storage Blob Data Contributor ba92f5b4-2d11-453d-a403-e96b0029c9fe.
 * Container scope: /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<a>/blobServices/default/containers/<c>.
 *
 * Clusters in the legacy `identityMode: aad-pod-identity` also need roles for MIC, which assigns the user-assigned
 * identities to the node VMSS with the cluster's kubelet identity (Azure/aad-pod-identity v1.8.17,
 * website/content/en/docs/Getting started/role-assignment.md): Managed Identity Operator and Virtual Machine
 * Contributor on the node resource group (l.64-70), and Managed Identity Operator on every identity outside it
 * (l.75-86; here on each identity an AzureIdentity of the cluster names). The kubelet identity and the node resource
 * group are not in the config, so these assignments name them symbolically with the `az aks show` queries that
 * resolve them (`identityProfile.kubeletidentity.clientId`, `nodeResourceGroup`; same doc, l.57).
 * Built-in role IDs (Azure built-in roles): Managed Identity Operator f1a07417-d97a-45cb-824c-7a7467783830
 * (read and assign user-assigned identities), Virtual Machine Contributor
 * 9980e02c-c2be-4d73-94e8-173b1dc7cf3c.
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

/**
 * The role cert-manager's ACME DNS-01 solver needs on an Azure DNS zone to create and delete the
 * `_acme-challenge` TXT record sets (Azure built-in roles, Networking: DNS Zone Contributor
 * befefa01-2a29-4197-83a8-272ff33ce314, "manage DNS zones and record sets in Azure DNS, but not control who has
 * access to them"; cert-manager.io docs configuration/acme/dns01/azuredns assigns this role on the zone).
 */
export const DNS_ZONE_CONTRIBUTOR = { name: 'DNS Zone Contributor', id: 'befefa01-2a29-4197-83a8-272ff33ce314' } as const;

/** ARM scope of an Azure DNS zone. */
export function dnsZoneScope(subscriptionId: string, resourceGroup: string, zone: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/dnsZones/${zone}`;
}

/**
 * DNS Zone Contributor on `routing.tls.azureDns.zone` for its identity, for every cluster whose gateway's ClusterIssuer
 * solves DNS-01 there (the cert-manager controller writes the TXT records). One per (identity, zone).
 */
export function dnsZoneRoleAssignments(config: PlatformConfig): RoleAssignment[] {
  const byKey = new Map<string, { identity: string; scope: string; clusters: Set<string>; reasons: Set<string> }>();
  for (const [clusterName, cluster] of Object.entries(config.clusters)) {
    const tls = cluster.routing?.tls;
    if (tls?.acmeSolver !== 'dns01' || !tls.azureDns || !config.identities[tls.azureDns.identity]) continue;
    const { identity, zone, resourceGroup, subscriptionId } = tls.azureDns;
    const scope = dnsZoneScope(subscriptionId ?? cluster.azure.subscriptionId, resourceGroup, zone);
    const key = `${identity}\u0000${scope.toLowerCase()}`;
    const entry = byKey.get(key) ?? { identity, scope, clusters: new Set<string>(), reasons: new Set<string>() };
    entry.clusters.add(clusterName);
    entry.reasons.add(`cert-manager on cluster '${clusterName}' writes ACME DNS-01 TXT records in zone ${zone}`);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map(({ identity, scope, clusters, reasons }) => ({
    identity,
    clientId: config.identities[identity].clientId,
    role: DNS_ZONE_CONTRIBUTOR.name,
    roleDefinitionId: DNS_ZONE_CONTRIBUTOR.id,
    scope,
    clusters: [...clusters].sort(),
    reasons: [...reasons].sort(),
  }));
}

/** The roles MIC (aad-pod-identity) needs for the kubelet identity. */
export const MIC_ROLES = {
  managedIdentityOperator: { name: 'Managed Identity Operator', id: 'f1a07417-d97a-45cb-824c-7a7467783830' },
  virtualMachineContributor: { name: 'Virtual Machine Contributor', id: '9980e02c-c2be-4d73-94e8-173b1dc7cf3c' },
} as const;

/** Placeholder of the node resource group in a kubelet role assignment's scope. */
export const NODE_RESOURCE_GROUP_PLACEHOLDER = '{nodeResourceGroup}';

/**
 * One role assignment to the kubelet identity of an aad-pod-identity cluster. The assignee and (for the node
 * resource group) part of the scope are not in the config: `assigneeQuery` and `nodeResourceGroupQuery` print them.
 */
export interface KubeletRoleAssignment {
  readonly cluster: string;
  /** Symbolic assignee: `kubelet-identity:<cluster>`. */
  readonly assignee: string;
  /** Command that prints the kubelet identity's client ID. */
  readonly assigneeQuery: string;
  readonly role: string;
  readonly roleDefinitionId: string;
  /** ARM scope; `{nodeResourceGroup}` stands for the output of `nodeResourceGroupQuery`. */
  readonly scope: string;
  /** Command that prints the node resource group (only when the scope contains the placeholder). */
  readonly nodeResourceGroupQuery?: string;
  readonly reasons: readonly string[];
}

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
  /** Roles of the kubelet identities of the aad-pod-identity clusters (absent when there are none). */
  readonly kubeletRoleAssignments?: readonly KubeletRoleAssignment[];
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
export function roleAssignmentsDocument(
  environment: string, config: PlatformConfig, aadPodIdentities: ReadonlyMap<string, readonly string[]> = new Map(),
): RoleAssignmentsDocument {
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
  assignments.push(...dnsZoneRoleAssignments(config));
  const order = (a: RoleAssignment) => `${a.identity}\u0000${a.scope}`;
  assignments.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const kubelet = kubeletRoleAssignments(config, aadPodIdentities);
  return { environment, roleAssignments: assignments, ...(kubelet.length > 0 ? { kubeletRoleAssignments: kubelet } : {}) };
}

/** ARM resource ID of a configured user-assigned identity (its own subscription, or the cluster's). */
export function identityResourceId(config: PlatformConfig, identityName: string, clusterSubscription: string): string {
  const identity = config.identities[identityName];
  const subscription = identity.subscriptionId ?? clusterSubscription;
  return `/subscriptions/${subscription}/resourcegroups/${identity.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identity.resourceName ?? identityName}`;
}

/**
 * The MIC roles of every cluster in `identityMode: aad-pod-identity`, given the identities each such cluster's
 * AzureIdentities name (`aadPodIdentities`: cluster -> identity names). Clusters in another mode get none.
 */
export function kubeletRoleAssignments(config: PlatformConfig, aadPodIdentities: ReadonlyMap<string, readonly string[]>): KubeletRoleAssignment[] {
  const result: KubeletRoleAssignment[] = [];
  for (const clusterName of Object.keys(config.clusters).sort()) {
    const cluster = config.clusters[clusterName];
    if (cluster.identityMode !== 'aad-pod-identity') continue;
    const { resourceGroup, name, subscriptionId } = cluster.azure;
    const aks = `az aks show --resource-group ${shellQuote(resourceGroup)} --name ${shellQuote(name)} --subscription ${shellQuote(subscriptionId)}`;
    const base = {
      cluster: clusterName,
      assignee: `kubelet-identity:${clusterName}`,
      assigneeQuery: `${aks} --query identityProfile.kubeletidentity.clientId -o tsv`,
    };
    const nodeGroup = {
      scope: `/subscriptions/${subscriptionId}/resourceGroups/${NODE_RESOURCE_GROUP_PLACEHOLDER}`,
      nodeResourceGroupQuery: `${aks} --query nodeResourceGroup -o tsv`,
    };
    const why = `aad-pod-identity MIC on cluster '${clusterName}' assigns identities to the node VMSS`;
    for (const role of [MIC_ROLES.managedIdentityOperator, MIC_ROLES.virtualMachineContributor]) {
      result.push({ ...base, role: role.name, roleDefinitionId: role.id, ...nodeGroup, reasons: [`${why} (node resource group)`] });
    }
    for (const identity of [...new Set(aadPodIdentities.get(clusterName) ?? [])].sort()) {
      if (!config.identities[identity]) continue;
      result.push({
        ...base, role: MIC_ROLES.managedIdentityOperator.name, roleDefinitionId: MIC_ROLES.managedIdentityOperator.id,
        scope: identityResourceId(config, identity, subscriptionId),
        reasons: [`${why}: AzureIdentity of identity '${identity}'`],
      });
    }
  }
  return result;
}

/**
 * The `az role assignment create` commands of a document, each after a comment saying why. Kubelet role assignments
 * resolve their assignee and node resource group with command substitution (`"$(az aks show ...)"`).
 */
export function roleAssignmentCommands(document: RoleAssignmentsDocument): string[] {
  const storage = document.roleAssignments.flatMap((assignment) => [
    `# ${assignment.identity}: ${assignment.role} (${assignment.reasons.join('; ')})`,
    ['az role assignment create', `--assignee ${shellQuote(assignment.clientId)}`, `--role ${shellQuote(assignment.roleDefinitionId)}`, `--scope ${shellQuote(assignment.scope)}`].join(' '),
  ]);
  const kubelet = (document.kubeletRoleAssignments ?? []).flatMap((assignment) => {
    const [before, after] = assignment.scope.split(NODE_RESOURCE_GROUP_PLACEHOLDER);
    const scope = after !== undefined && assignment.nodeResourceGroupQuery
      ? `${doubleQuoted(before)}"$(${assignment.nodeResourceGroupQuery})"${doubleQuoted(after)}`
      : shellQuote(assignment.scope);
    return [
      `# ${assignment.assignee}: ${assignment.role} (${assignment.reasons.join('; ')})`,
      ['az role assignment create', `--assignee "$(${assignment.assigneeQuery})"`, `--role ${shellQuote(assignment.roleDefinitionId)}`, `--scope ${scope}`].join(' '),
    ];
  });
  return [...storage, ...kubelet];
}

/** A literal for a shell command line, quoted unless empty. */
function doubleQuoted(text: string): string {
  return text === '' ? '' : shellQuote(text);
}
