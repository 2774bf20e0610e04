/**
 * Reads one AKS managed cluster through ARM and reduces it to the facts the preflight checks compare
 * (identity, OIDC issuer, version, network, node pools, power state). One GET: the cluster resource carries its
 * agent pool profiles, so all facts come from one consistent snapshot.
 */
import { ContainerServiceClient, ManagedCluster, ManagedClusterAgentPoolProfile } from '@azure/arm-containerservice';
import { AzureClusterConfig } from './config';
import { classifyAzureError, ToolFailure } from './errors';

/** One node pool as the cluster has it. */
export interface PoolFacts {
  readonly name: string;
  readonly mode?: string;
  readonly vmSize?: string;
  readonly enableAutoScaling: boolean;
  readonly minCount?: number;
  readonly maxCount?: number;
  readonly count?: number;
  readonly taints: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** What preflight needs to know about one cluster. */
export interface ClusterFacts {
  readonly name: string;
  readonly powerState?: string;
  readonly provisioningState?: string;
  /** The version the control plane runs (`currentKubernetesVersion`, else the requested `kubernetesVersion`). */
  readonly kubernetesVersion?: string;
  readonly workloadIdentityEnabled: boolean;
  readonly oidcIssuerEnabled: boolean;
  readonly oidcIssuerUrl?: string;
  readonly networkPlugin?: string;
  readonly networkPluginMode?: string;
  readonly networkDataplane?: string;
  /** `networkProfile.networkPolicy` (none, calico, azure, cilium; cilium requires the cilium dataplane). */
  readonly networkPolicy?: string;
  readonly pools: readonly PoolFacts[];
}

/** GETs the managed cluster and returns its facts; Azure errors become ToolFailures with one clear line. */
export async function readClusterFacts(client: ContainerServiceClient, azure: AzureClusterConfig): Promise<ClusterFacts> {
  let cluster: ManagedCluster;
  try {
    cluster = await client.managedClusters.get(azure.resourceGroup, azure.name);
  } catch (error) {
    throw classifyAzureError(error, { action: 'reading AKS cluster', resourceGroup: azure.resourceGroup, clusterName: azure.name, subscriptionId: azure.subscriptionId });
  }
  return toClusterFacts(cluster, azure.name);
}

/** The facts of an ARM ManagedCluster (as deserialized by the SDK: `properties` flattened). */
export function toClusterFacts(cluster: ManagedCluster, fallbackName: string): ClusterFacts {
  return {
    name: cluster.name ?? fallbackName,
    powerState: cluster.powerState?.code,
    provisioningState: cluster.provisioningState,
    kubernetesVersion: cluster.currentKubernetesVersion ?? cluster.kubernetesVersion,
    workloadIdentityEnabled: cluster.securityProfile?.workloadIdentity?.enabled === true,
    oidcIssuerEnabled: cluster.oidcIssuerProfile?.enabled === true,
    oidcIssuerUrl: cluster.oidcIssuerProfile?.issuerURL,
    networkPlugin: cluster.networkProfile?.networkPlugin,
    networkPluginMode: cluster.networkProfile?.networkPluginMode,
    networkDataplane: cluster.networkProfile?.networkDataplane,
    networkPolicy: cluster.networkProfile?.networkPolicy,
    pools: (cluster.agentPoolProfiles ?? []).map(toPoolFacts),
  };
}

function toPoolFacts(pool: ManagedClusterAgentPoolProfile): PoolFacts {
  return {
    name: pool.name,
    mode: pool.mode,
    vmSize: pool.vmSize,
    enableAutoScaling: pool.enableAutoScaling === true,
    minCount: pool.minCount,
    maxCount: pool.maxCount,
    count: pool.count,
    taints: pool.nodeTaints ?? [],
    labels: pool.nodeLabels ?? {},
  };
}

/** Fails with the cluster-stopped exit status when the cluster is stopped: nothing can be read from or applied to it. */
export function assertRunning(facts: ClusterFacts, azure: AzureClusterConfig): void {
  if (facts.powerState?.toLowerCase() === 'stopped') {
    throw new ToolFailure('cluster-stopped', `AKS cluster '${azure.name}' in resource group '${azure.resourceGroup}' is stopped (powerState Stopped); start it with: az aks start --resource-group ${azure.resourceGroup} --name ${azure.name} --subscription ${azure.subscriptionId}`);
  }
}
