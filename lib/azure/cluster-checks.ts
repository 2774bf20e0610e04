/**
 * Preflight checks of one AKS cluster against its config (the values its manifests are generated from):
 * Workload Identity and OIDC issuer, Kubernetes version, network plugin against HDFS locality, and the node pools.
 */
import { ClusterConfig } from '../config/schema';
import { CheckResult, result } from './check-result';
import { ClusterFacts } from './cluster-reader';
import { checkNodePools } from './pool-checks';

/**
 * Kubernetes minor versions the generated manifests support: the core bindings (lib/_k8s.ts) are 1.27 and the
 * output is validated against the upstream 1.27 and 1.36 schemas.
 */
export const SUPPORTED_KUBERNETES = { oldest: '1.27', newest: '1.36' } as const;

/** True unless the cluster opts into the legacy aad-pod-identity mode (`identityMode`). */
export function usesWorkloadIdentity(cluster: ClusterConfig): boolean {
  return (cluster.identityMode ?? 'workload-identity') === 'workload-identity';
}

/** True when the cluster runs HDFS (`dataProcessing.hdfs` in its config). */
export function runsHdfs(cluster: ClusterConfig): boolean {
  return cluster.dataProcessing?.hdfs !== undefined;
}

/** Every check of one cluster, in a stable order. */
export function checkCluster(clusterName: string, cluster: ClusterConfig, facts: ClusterFacts): CheckResult[] {
  const aks = `--resource-group ${cluster.azure.resourceGroup} --name ${cluster.azure.name} --subscription ${cluster.azure.subscriptionId}`;
  return [
    checkProvisioningState(facts, aks),
    ...checkIdentity(clusterName, cluster, facts, aks),
    checkKubernetesVersion(clusterName, cluster, facts, aks),
    checkSupportedVersion(facts, aks),
    checkNetworkForHdfs(cluster, facts, aks),
    ...checkNodePools(cluster, facts),
  ];
}

function checkProvisioningState(facts: ClusterFacts, aks: string): CheckResult {
  const state = facts.provisioningState ?? '(unknown)';
  return result('provisioning-state', 'cluster', state === 'Succeeded', state, 'Succeeded',
    `the last operation on the cluster did not succeed; see 'az aks show ${aks} --query provisioningState' and re-run it (az aks update ${aks})`, 'warn');
}

function checkIdentity(clusterName: string, cluster: ClusterConfig, facts: ClusterFacts, aks: string): CheckResult[] {
  if (!usesWorkloadIdentity(cluster)) {
    const why = `identityMode is ${cluster.identityMode}: no federated credentials are used`;
    return [
      { check: 'workload-identity', subject: 'cluster', status: 'skip', actual: facts.workloadIdentityEnabled ? 'enabled' : 'disabled', expected: why },
      { check: 'oidc-issuer', subject: 'cluster', status: 'skip', actual: facts.oidcIssuerUrl ?? 'disabled', expected: why },
    ];
  }
  const workloadIdentity = result('workload-identity', 'cluster', facts.workloadIdentityEnabled,
    facts.workloadIdentityEnabled ? 'enabled' : 'disabled', 'enabled (pods get tokens through the azure.workload.identity/use label)',
    `az aks update ${aks} --enable-oidc-issuer --enable-workload-identity`);
  const expectedIssuer = cluster.azure.oidcIssuerUrl;
  if (!facts.oidcIssuerEnabled || !facts.oidcIssuerUrl) {
    return [workloadIdentity, {
      check: 'oidc-issuer', subject: 'cluster', status: 'fail', actual: 'disabled', expected: expectedIssuer,
      fix: `az aks update ${aks} --enable-oidc-issuer, then set clusters.${clusterName}.azure.oidcIssuerUrl to the new issuer (az aks show ${aks} --query oidcIssuerProfile.issuerUrl -o tsv) and create the federated credentials again`,
    }];
  }
  return [workloadIdentity, result('oidc-issuer', 'cluster', facts.oidcIssuerUrl === expectedIssuer, facts.oidcIssuerUrl, expectedIssuer,
    `the federated credentials are made for the config's issuer, so tokens from this cluster are rejected: set clusters.${clusterName}.azure.oidcIssuerUrl to ${facts.oidcIssuerUrl}, run make synth and create the federated credentials again`)];
}

/** `1.25.6` -> `1.25`. */
export function minorVersion(version: string | undefined): string | undefined {
  return version?.match(/^(\d+\.\d+)/)?.[1];
}

function compareMinor(a: string, b: string): number {
  const [amaj, amin] = a.split('.').map(Number);
  const [bmaj, bmin] = b.split('.').map(Number);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

function checkKubernetesVersion(clusterName: string, cluster: ClusterConfig, facts: ClusterFacts, aks: string): CheckResult {
  const actual = minorVersion(facts.kubernetesVersion);
  const expected = cluster.kubernetesVersion;
  const older = actual !== undefined && compareMinor(actual, expected) < 0;
  const fix = older
    ? `upgrade the cluster, one minor version at a time (az aks upgrade ${aks} --kubernetes-version ${expected}), or set clusters.${clusterName}.kubernetesVersion: "${actual}" and run make synth`
    : `set clusters.${clusterName}.kubernetesVersion: "${actual ?? '?'}" and run make synth, so the manifests (Pod Security version labels, API versions) match the cluster`;
  return result('kubernetes-version', 'cluster', actual === expected, facts.kubernetesVersion ?? '(unknown)', expected, fix);
}

function checkSupportedVersion(facts: ClusterFacts, aks: string): CheckResult {
  const actual = minorVersion(facts.kubernetesVersion);
  const { oldest, newest } = SUPPORTED_KUBERNETES;
  const ok = actual !== undefined && compareMinor(actual, oldest) >= 0 && compareMinor(actual, newest) <= 0;
  const tooNew = actual !== undefined && compareMinor(actual, newest) > 0;
  return result('kubernetes-supported', 'cluster', ok, facts.kubernetesVersion ?? '(unknown)', `${oldest} to ${newest}`,
    tooNew
      ? `the manifests are not validated for ${actual}; raise SUPPORTED_KUBERNETES after validating dist/ against the ${actual} schemas`
      : `upgrade the cluster to a supported version: az aks get-upgrades ${aks}, then az aks upgrade ${aks} --kubernetes-version <version>`);
}

/**
 * HDFS locality needs the namenode to see the node address of a reading executor: kubenet and Azure CNI Overlay
 * SNAT pod traffic to the node IP; flat Azure CNI (node subnet or pod subnet) exposes pod IPs, so no read is local.
 */
function checkNetworkForHdfs(cluster: ClusterConfig, facts: ClusterFacts, aks: string): CheckResult {
  const plugin = facts.networkPlugin ?? '(unknown)';
  const actual = [plugin, facts.networkPluginMode && `mode ${facts.networkPluginMode}`, facts.networkDataplane && `dataplane ${facts.networkDataplane}`].filter(Boolean).join(', ');
  const expected = 'kubenet or azure with mode overlay (pod traffic SNAT-ed to the node IP)';
  if (!runsHdfs(cluster)) {
    return { check: 'network-plugin', subject: 'cluster', status: 'skip', actual, expected: 'no HDFS on this cluster, any network plugin' };
  }
  // Azure CNI powered by Cilium: "Network policies cannot use ipBlock to allow access to node or pod IPs" (AKS docs,
  // azure-cni-powered-by-cilium, Limitations; Cilium gives node IPs the host/remote-node identity). Spark reaches
  // HDFS on hostNetwork through ipBlock rules on the node CIDRs, so those flows would be dropped.
  if (facts.networkDataplane === 'cilium' || facts.networkPolicy === 'cilium') {
    return {
      check: 'network-plugin', subject: 'cluster', status: 'fail', actual, expected: `${expected}, dataplane azure (ipBlock policies must match node IPs)`,
      fix: `the Cilium dataplane ignores ipBlock rules for node IPs, so the Spark-to-HDFS NetworkPolicies (ipBlock on network.nodeCidrs; HDFS runs on hostNetwork) never match and Spark cannot reach HDFS; run HDFS on a cluster with networkDataplane azure (az aks create ... --network-plugin azure --network-plugin-mode overlay --network-policy azure or calico; the dataplane cannot be switched back from cilium on an existing cluster), or replace those rules with CiliumNetworkPolicy toEntities host/remote-node`,
    };
  }
  if (plugin === 'kubenet' || (plugin === 'azure' && facts.networkPluginMode === 'overlay')) {
    return { check: 'network-plugin', subject: 'cluster', status: 'pass', actual, expected };
  }
  if (plugin === 'azure') {
    return {
      check: 'network-plugin', subject: 'cluster', status: 'fail', actual, expected,
      fix: `flat Azure CNI exposes pod IPs, so the HDFS namenode never sees a reader on a datanode's node and no read is node-local; migrate to Azure CNI Overlay (az aks update ${aks} --network-plugin-mode overlay --pod-cidr <a CIDR outside the VNet>) or run Spark executors with hostNetwork`,
    };
  }
  return {
    check: 'network-plugin', subject: 'cluster', status: 'warn', actual, expected,
    fix: 'unknown or bring-your-own CNI: confirm that pod traffic to node IPs is SNAT-ed to the node IP (the HDFS locality smoke test shows it) before relying on node-local reads',
  };
}
