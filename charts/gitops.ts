import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { healthChecksFor, TypeIdentity } from '../lib/_flux-health-checks';
import { CLUSTER_LABEL, ENVIRONMENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL } from '../lib/_labels';
import { FluxLayerChain } from '../lib/flux-layer-chain';
import { kustomizationYaml, manifestFileName, ManifestIdentity, toYaml } from '../lib/synth/manifest-files';
import { ClusterPostRenderer, RenderedFolder } from './cluster-context';
import { FLUX_NAMESPACE } from './operators';

/** Folder of the Flux entry point under `dist/<environment>/<cluster>/`: what the one-time bootstrap points at. */
export const FLUX_FOLDER = 'flux';
/** Name of the GitRepository every layer Kustomization reads from. */
export const FLUX_SOURCE_NAME = 'platform-manifests';
/** Folder of the generated manifests in the repository when the config names none. */
export const DEFAULT_DIST_PATH = 'dist';

/** The apiVersion/kind of every object in a rendered folder. */
function typesIn(folder: RenderedFolder): TypeIdentity[] {
  return [...folder.files.entries()]
    .filter(([file]) => file !== 'kustomization.yaml')
    .map(([, text]) => yaml.load(text) as TypeIdentity);
}

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
  const chart = new Chart(new App(), FLUX_FOLDER, {
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [ENVIRONMENT_LABEL]: environment, [CLUSTER_LABEL]: clusterName },
  });
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
      healthCheckExprs: healthChecksFor(typesIn(folder)),
    })),
  });
  const files = new Map<string, string>();
  for (const obj of chart.toJson() as ManifestIdentity[]) files.set(manifestFileName(obj), toYaml(obj));
  const names = [...files.keys()];
  files.set('kustomization.yaml', kustomizationYaml(names));
  return [{ layer: FLUX_FOLDER, folder: FLUX_FOLDER, files, objectCount: names.length }];
};
