/** Azure facts the manifests and the Azure tooling need: tenant, registry, storage and identities. */
import { Closed, Guid, NameMap, Pattern, StringEnum, Type, Static } from '../config/schema-helpers';

/** An Azure Storage account that workloads read and write (blob or ADLS Gen2). */
export const StorageAccountSchema = Closed({
  resourceGroup: Type.String({ minLength: 1, description: 'resource group of the storage account' }),
  hierarchicalNamespace: Type.Optional(Type.Boolean({ description: 'true for ADLS Gen2 (hierarchical namespace enabled). Default: false' })),
  subscriptionId: Type.Optional(Guid('subscription of the storage account (for role assignment scopes). Default: the subscription of the clusters, when they share one')),
}, { description: 'an Azure Storage account' });

/** A user-assigned managed identity used through Azure Workload Identity. */
export const IdentitySchema = Closed({
  clientId: Guid('client ID of the user-assigned managed identity'),
  resourceGroup: Type.String({ minLength: 1, description: 'resource group that holds the managed identity (used to create federated credentials)' }),
  description: Type.Optional(Type.String({ description: 'what the identity is for' })),
  resourceName: Type.Optional(Pattern('^[a-zA-Z0-9][-_a-zA-Z0-9]{2,127}$', 'name of the managed identity resource in Azure (3 to 128 letters, digits, \'-\' or \'_\'). Default: the key under identities')),
  subscriptionId: Type.Optional(Guid('subscription that holds the managed identity (for its resource ID). Default: the subscription of the cluster that uses it')),
}, { description: 'a user-assigned managed identity' });

/** How pods of a cluster get their Azure identity; each value is the `IdentityMode` of lib/pod-identity-binding.ts. */
export const IDENTITY_MODES = ['workload-identity', 'aad-pod-identity'] as const;

/** Per-cluster identity mechanism. aad-pod-identity is deprecated (archived upstream in 2023): migration only. */
export const IdentityModeSchema = StringEnum(IDENTITY_MODES,
  'how pods get Azure identities: workload-identity (default), or aad-pod-identity (DEPRECATED, archived upstream in 2023; only while migrating)');

/** Platform-wide Azure settings. */
export const AzurePlatformSchema = Closed({
  tenantId: Guid('Microsoft Entra tenant ID'),
  containerRegistry: Pattern('^[a-z0-9]{5,50}\\.azurecr\\.(io|us|cn)$', 'login server of the Azure Container Registry, such as example.azurecr.io'),
  storageAccounts: NameMap(StorageAccountSchema, '^[a-z0-9]{3,24}$', 'storage account names (3 to 24 lowercase letters and digits)'),
}, { description: 'Azure settings shared by every cluster' });

/** Where one AKS cluster lives in Azure. */
export const AzureClusterSchema = Closed({
  subscriptionId: Guid('Azure subscription ID of the AKS cluster'),
  resourceGroup: Type.String({ minLength: 1, description: 'resource group of the AKS cluster' }),
  name: Pattern('^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$', 'name of the AKS managed cluster resource'),
  location: Pattern('^[a-z0-9]+$', 'Azure region such as westeurope'),
  oidcIssuerUrl: Pattern('^https://[^\\s]+/$', 'OIDC issuer URL of the cluster (az aks show --query oidcIssuerProfile.issuerUrl), ending with /'),
}, { description: 'the AKS managed cluster behind this cluster entry' });

export type StorageAccountConfig = Static<typeof StorageAccountSchema>;
export type IdentityConfig = Static<typeof IdentitySchema>;
export type AzurePlatformConfig = Static<typeof AzurePlatformSchema>;
export type AzureClusterConfig = Static<typeof AzureClusterSchema>;
export type IdentityModeConfig = typeof IDENTITY_MODES[number];
