/**
 * The cluster facts file: what the verifier needs that no manifest says (node pools with the labels and taints
 * AKS gives their nodes, namespaces that exist before the first folder, Secrets created outside dist/, declared
 * network flows, accepted faults). Synth writes it next to the cluster's folders
 * (`dist/<env>/<cluster>/cluster-facts.json`, outside every folder Flux applies), so `npm run verify` works on a
 * dist tree alone.
 */
import { collectExternalSecrets } from '../core/external-secrets';
import { collectDeclaredFlows } from '../core/flows';
import { NodePoolConfig, TAINT_PATTERN } from '../core/node-pools-config';
import { ClusterContext } from '../synth/cluster-context';
import { ClusterFacts, PoolFacts } from './types';
import { AKS_AND_FLUX_NAMESPACES } from './upstream-installs';

/** File name of the facts, in the cluster folder. */
export const CLUSTER_FACTS_FILE = 'cluster-facts.json';

/**
 * The labels AKS puts on every node of a pool (learn.microsoft.com/azure/aks/use-labels, reserved system
 * labels) plus the pool's own labels. GPU VM sizes (N-series) get `kubernetes.azure.com/accelerator=nvidia`.
 */
export function poolFacts(name: string, pool: NodePoolConfig): PoolFacts {
  const labels: Record<string, string> = {
    'kubernetes.azure.com/agentpool': name,
    'agentpool': name,
    'kubernetes.azure.com/mode': pool.mode.toLowerCase(),
    'node.kubernetes.io/instance-type': pool.vmSize,
    'kubernetes.io/os': 'linux',
    ...(/^Standard_N/.test(pool.vmSize) ? { 'kubernetes.azure.com/accelerator': 'nvidia' } : {}),
    ...(pool.labels ?? {}),
  };
  const taints = (pool.taints ?? []).map((taint) => {
    const match = new RegExp(TAINT_PATTERN).exec(taint)!;
    return { key: match[1], value: match[2], effect: match[3] };
  });
  return {
    name, mode: pool.mode, vmSize: pool.vmSize, minCount: pool.minCount, maxCount: pool.maxCount, labels, taints,
    ...(pool.gpusPerNode !== undefined ? { gpusPerNode: pool.gpusPerNode } : {}),
  };
}

/** Secrets pods reference that the config says are created outside dist/, keyed `namespace/name`. */
function externalSecrets(context: ClusterContext): Record<string, string> {
  const out: Record<string, string> = {};
  const cluster = context.cluster as { serving?: { mlflow?: { namespace: string; backendStoreSecret?: { name: string } } }; airflow?: { namespace?: string; database: { secretName: string }; dags: { credentialsSecret?: string } } };
  const mlflow = cluster.serving?.mlflow;
  if (mlflow?.backendStoreSecret) out[`${mlflow.namespace}/${mlflow.backendStoreSecret.name}`] = `clusters.${context.clusterName}.serving.mlflow.backendStoreSecret (created outside dist/)`;
  const airflow = cluster.airflow;
  if (airflow) {
    const ns = airflow.namespace ?? 'airflow';
    out[`${ns}/${airflow.database.secretName}`] = `clusters.${context.clusterName}.airflow.database.secretName (created outside dist/)`;
    if (airflow.dags.credentialsSecret) out[`${ns}/${airflow.dags.credentialsSecret}`] = `clusters.${context.clusterName}.airflow.dags.credentialsSecret (created outside dist/)`;
  }
  const streaming = (context.cluster as { streaming?: { clients?: Record<string, { namespace: string; credentialsSecret?: string }>; nifi?: {
    namespace?: string; credentialsSecret?: string; tls?: { secretName: string }; route?: { host: string }; signIn?: { oidc?: { clientSecret?: { name: string } } };
  } } }).streaming;
  for (const [name, client] of Object.entries(streaming?.clients ?? {})) {
    if (client.credentialsSecret) out[`${client.namespace}/${client.credentialsSecret}`] = `clusters.${context.clusterName}.streaming.clients.${name}.credentialsSecret (created outside dist/)`;
  }
  const nifi = streaming?.nifi;
  if (nifi?.credentialsSecret) out[`${nifi.namespace ?? 'nifi'}/${nifi.credentialsSecret}`] = `clusters.${context.clusterName}.streaming.nifi.credentialsSecret (created outside dist/)`;
  if (nifi?.tls) {
    // What the certificate must name: the gateway's BackendTLSPolicy hostname, and every Host NiFi is reached by
    // (Jetty's SNI host check in NiFi 2.11.0; docs/streaming.md, NiFi's certificate). Not checkable from dist/.
    const ns = nifi.namespace ?? 'nifi';
    const domain = (context.cluster as { clusterDomain?: string }).clusterDomain ?? 'cluster.local';
    const route = nifi.route && (context.cluster as { routing?: unknown }).routing ? [nifi.route.host] : [];
    const names = [`nifi.${ns}.svc.${domain}`, `nifi.${ns}.svc`, ...route].join(', ');
    out[`${ns}/${nifi.tls.secretName}`] = `clusters.${context.clusterName}.streaming.nifi.tls.secretName (created outside dist/; tls.crt must name DNS ${names}, and localhost for kubectl port-forward: Jetty's SNI host check, docs/streaming.md)`;
  }
  const oidcSecret = nifi?.signIn?.oidc?.clientSecret;
  if (oidcSecret) out[`${nifi!.namespace ?? 'nifi'}/${oidcSecret.name}`] = `clusters.${context.clusterName}.streaming.nifi.signIn.oidc.clientSecret (created outside dist/)`;
  return out;
}

/**
 * Every Secret created outside dist/: the ones the config names (with the config key, and what a certificate must
 * name), then every other one a construct declared reading (`declareExternalSecret`, lib/core/external-secrets.ts),
 * so a construct that reads such a Secret lists it even when no config key names it here.
 */
function allExternalSecrets(context: ClusterContext): Record<string, string> {
  const fromConfig = externalSecrets(context);
  const declared = Object.entries(collectExternalSecrets(context.layers.operators)).filter(([key]) => fromConfig[key] === undefined);
  return { ...fromConfig, ...Object.fromEntries(declared) };
}

/** The facts of one cluster, from its config and its constructs. */
export function clusterFacts(context: ClusterContext): ClusterFacts {
  // Flows declared by the constructs (lib/core/flows.ts), for the network-flows rule.
  const flows = collectDeclaredFlows(context.layers.operators);
  const gitopsNamespace = context.platform.gitops?.namespace ?? 'flux-system';
  return {
    environment: context.environment,
    cluster: context.clusterName,
    kubernetesVersion: context.cluster.kubernetesVersion,
    pools: Object.entries(context.cluster.nodePools).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, pool]) => poolFacts(name, pool)),
    preexistingNamespaces: { ...AKS_AND_FLUX_NAMESPACES, [gitopsNamespace]: 'Flux bootstrap' },
    externalSecrets: allExternalSecrets(context),
    flows,
    acceptedFaults: (context.cluster.acceptedFaults ?? []).map((a) => ({ rule: a.rule, object: a.object, reason: a.reason })),
  };
}
