/**
 * Node pool checks: every pool of the config exists with the mode, VM size, exact taints, labels and autoscaler
 * range the manifests rely on (GPU jobs tolerate exactly the pool's taints and select its labels; scale to zero
 * needs a User pool with autoscaler minimum 0). Pools the config does not know are reported as warnings.
 */
import { ClusterConfig } from '../config/schema';
import { NodePoolConfig } from '../core/node-pools-config';
import { CheckResult, listText, result } from './check-result';
import { ClusterFacts, PoolFacts } from './cluster-reader';

/** Checks every configured pool, then warns about pools only the cluster has. */
export function checkNodePools(cluster: ClusterConfig, facts: ClusterFacts): CheckResult[] {
  const byName = new Map(facts.pools.map((pool) => [pool.name, pool]));
  const results = Object.entries(cluster.nodePools).flatMap(([name, pool]) => checkPool(cluster, name, pool, byName.get(name)));
  for (const pool of facts.pools) {
    if (pool.name in cluster.nodePools) continue;
    results.push({
      check: 'pool-unmanaged', subject: `pool ${pool.name}`, status: 'warn', actual: `${pool.mode ?? '?'} pool, ${pool.vmSize ?? '?'}`, expected: 'not in the config',
      fix: `no manifest targets this pool; add it under nodePools in the config, or delete it (az aks nodepool delete ${poolArgs(cluster, pool.name)})`,
    });
  }
  return results;
}

function poolArgs(cluster: ClusterConfig, pool: string): string {
  return `--resource-group ${cluster.azure.resourceGroup} --cluster-name ${cluster.azure.name} --name ${pool} --subscription ${cluster.azure.subscriptionId}`;
}

function taintsArg(pool: NodePoolConfig): string {
  return (pool.taints ?? []).join(',');
}

function labelsArg(pool: NodePoolConfig): string {
  return Object.entries(pool.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
}

function describeAutoscaler(pool: PoolFacts): string {
  return pool.enableAutoScaling ? `autoscaler ${pool.minCount ?? '?'}..${pool.maxCount ?? '?'}` : `autoscaler off, ${pool.count ?? '?'} nodes`;
}

function checkPool(cluster: ClusterConfig, poolName: string, pool: NodePoolConfig, actual: PoolFacts | undefined): CheckResult[] {
  const subject = `pool ${poolName}`;
  const args = poolArgs(cluster, poolName);
  if (!actual) {
    const taints = pool.taints?.length ? ` --node-taints ${taintsArg(pool)}` : '';
    const labels = pool.labels ? ` --labels ${labelsArg(pool)}` : '';
    return [{
      check: 'pool-exists', subject, status: 'fail', actual: 'missing', expected: `${pool.mode} pool, ${pool.vmSize}`,
      fix: `az aks nodepool add ${args} --mode ${pool.mode} --node-vm-size ${pool.vmSize} --enable-cluster-autoscaler --min-count ${pool.minCount} --max-count ${pool.maxCount}${taints}${labels}`,
    }];
  }
  const expectedTaints = [...(pool.taints ?? [])].sort();
  const actualTaints = [...actual.taints].sort();
  const missingLabels = Object.entries(pool.labels ?? {}).filter(([k, v]) => actual.labels[k] !== v);
  const scaleToZero = pool.minCount === 0;
  const autoscalerOk = actual.enableAutoScaling && actual.minCount === pool.minCount && actual.maxCount === pool.maxCount;
  const autoscalerFlag = actual.enableAutoScaling ? '--update-cluster-autoscaler' : '--enable-cluster-autoscaler';
  return [
    result('pool-mode', subject, actual.mode === pool.mode, actual.mode ?? '(unknown)', pool.mode,
      scaleToZero && pool.mode === 'User'
        ? `only User pools can scale to zero: az aks nodepool update ${args} --mode User`
        : `az aks nodepool update ${args} --mode ${pool.mode}`),
    result('pool-vm-size', subject, actual.vmSize === pool.vmSize, actual.vmSize ?? '(unknown)', pool.vmSize,
      `the VM size of a pool cannot change: add a pool with --node-vm-size ${pool.vmSize} and delete this one, or set nodePools.${poolName}.vmSize: ${actual.vmSize} (requests and GPU counts follow it)`),
    result('pool-taints', subject, JSON.stringify(actualTaints) === JSON.stringify(expectedTaints), listText(actualTaints), `exactly ${listText(expectedTaints)}`,
      expectedTaints.length > 0
        ? `pods tolerate exactly the configured taints (a missing taint lets any pod onto these nodes, an extra one keeps the jobs Pending): az aks nodepool update ${args} --node-taints ${taintsArg(pool)}`
        : `remove the taints (az aks nodepool update ${args} --node-taints "") or add them to nodePools.${poolName}.taints`),
    result('pool-labels', subject, missingLabels.length === 0, listText(Object.entries(actual.labels).map(([k, v]) => `${k}=${v}`).sort()),
      `includes ${listText(Object.entries(pool.labels ?? {}).map(([k, v]) => `${k}=${v}`))}`,
      `workloads select these labels: az aks nodepool update ${args} --labels ${labelsArg(pool)}`),
    result(scaleToZero ? 'pool-scale-to-zero' : 'pool-autoscaler', subject, autoscalerOk, describeAutoscaler(actual),
      `autoscaler ${pool.minCount}..${pool.maxCount}`,
      `${scaleToZero ? 'the pool is declared to scale to zero when idle: ' : ''}az aks nodepool update ${args} ${autoscalerFlag} --min-count ${pool.minCount} --max-count ${pool.maxCount}`),
  ];
}
