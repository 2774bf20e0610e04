import { App, Chart } from 'cdk8s';
import { healthChecksFor } from '../lib/gitops/flux-health-checks';
import { FluxLayerChain } from '../lib/gitops/flux-layer-chain';
import { renderedFolder } from '../lib/synth/render-cluster';
import { clusterLabels } from '../lib/synth/cluster-app';
import { ClusterPostRenderer, ManifestJson } from '../lib/synth/cluster-context';
import { FLUX_NAMESPACE } from './operators';

/** Folder of the Flux entry point under `dist/<environment>/<cluster>/`: what the one-time bootstrap points at. */
export const FLUX_FOLDER = 'flux';
/** Name of the GitRepository every layer Kustomization reads from. */
export const FLUX_SOURCE_NAME = 'platform-manifests';
/** Folder of the generated manifests in the repository when the config names none. */
export const DEFAULT_DIST_PATH = 'dist';

/**
 * The Flux entry point of a cluster, `dist/<environment>/<cluster>/flux/`: the GitRepository of the config's
 * `gitops.repository` (limited to the cluster's folder) and one Flux Kustomization per rendered layer folder, in
 * delivery order, each depending on the one before. Built from the folders that were actually rendered, so a
 * split layer (`workloads-2`) gets its own Kustomization and an empty layer gets none. Does nothing without a
 * `gitops` section.
 */
export const fluxPostRenderer: ClusterPostRenderer = ({ context, folders }) => {
  const gitops = context.platform.gitops;
  if (!gitops || folders.length === 0) return [];
  const { environment, clusterName } = context;
  const clusterPath = `${gitops.repository.path ?? DEFAULT_DIST_PATH}/${environment}/${clusterName}`;
  const chart = new Chart(new App(), FLUX_FOLDER, { labels: clusterLabels(environment, clusterName) });
  new FluxLayerChain(chart, 'layers', {
    url: gitops.repository.url,
    branch: gitops.repository.branch,
    secretName: gitops.repository.secretName,
    sourceName: FLUX_SOURCE_NAME,
    namespace: gitops.namespace ?? FLUX_NAMESPACE,
    includeOnly: clusterPath,
    sourceInterval: gitops.intervals?.source,
    interval: gitops.intervals?.layers,
    retryInterval: gitops.intervals?.retry,
    timeout: gitops.intervals?.timeout,
    layers: folders.map((folder) => ({
      name: folder.folder,
      path: `./${clusterPath}/${folder.folder}`,
      healthCheckExprs: healthChecksFor(folder.manifests),
    })),
  });
  return [renderedFolder(FLUX_FOLDER, FLUX_FOLDER, chart.toJson() as ManifestJson[])];
};
