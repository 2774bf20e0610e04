/** Builds a `VerifiedCluster` of the example for the network-flows rule: rendered folders and the declared flows. */
import { buildClusterApp } from '../../charts';
import { collectDeclaredFlows } from '../../lib/core/flows';
import { renderClusterLayers } from '../../lib/synth/render-cluster';
import { ManifestJson } from '../../lib/synth/cluster-context';
import { PlatformConfig } from '../../lib/config/schema';
import { DeclaredFlow, VerifiedCluster } from '../../lib/verify/types';
import { exampleConfig } from '../util';

/** Namespaces that exist before Flux applies anything (AKS and Flux bootstrap). */
const PREEXISTING = { 'kube-system': 'AKS', 'default': 'Kubernetes', 'flux-system': 'Flux bootstrap' };

/** A rendered cluster of the example (or of `config`) with its declared flows (copies: tests may edit them). */
export function exampleFlowCluster(clusterName: string, config: PlatformConfig = exampleConfig(), environment = 'example'): VerifiedCluster {
  const { app, context } = buildClusterApp(environment, config, clusterName);
  const folders = renderClusterLayers(context).map((folder) => ({ folder: folder.folder, manifests: JSON.parse(JSON.stringify(folder.manifests)) as ManifestJson[] }));
  return {
    facts: {
      environment, cluster: clusterName, kubernetesVersion: context.cluster.kubernetesVersion ?? '1.31',
      pools: [], preexistingNamespaces: PREEXISTING, flows: collectDeclaredFlows(app), acceptedFaults: [],
    },
    folders,
  };
}

/** The cluster with `edit` applied to a deep copy of its manifests. */
export function editCluster(cluster: VerifiedCluster, edit: (manifests: ManifestJson[], folder: string) => ManifestJson[]): VerifiedCluster {
  return { ...cluster, folders: cluster.folders.map((f) => ({ folder: f.folder, manifests: edit(JSON.parse(JSON.stringify(f.manifests)), f.folder) })) };
}

/** The cluster with other declared flows. */
export function withFlows(cluster: VerifiedCluster, flows: readonly DeclaredFlow[]): VerifiedCluster {
  return { ...cluster, facts: { ...cluster.facts, flows } };
}
