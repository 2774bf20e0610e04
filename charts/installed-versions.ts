import { installedVersionsFile } from '../lib/gitops/installed-versions';
import { EnvironmentArtifacts } from '../lib/synth/cluster-context';
import { INSTALLED_VERSIONS_FILE } from '../lib/validation/installed-versions';

/**
 * `<cluster>/installed-versions.json` for every cluster of the environment: the operator versions the cluster
 * installs and the CRD schema set of each, outside every folder Flux applies. `npm run validate` reads it to
 * validate each custom resource against the CRDs of its cluster's operator version.
 */
export const installedVersionsArtifact: EnvironmentArtifacts = (environment, clusters) => new Map(clusters.map((rendered) => [
  `${rendered.context.clusterName}/${INSTALLED_VERSIONS_FILE}`,
  `${JSON.stringify(installedVersionsFile(environment, rendered.context.clusterName, rendered.context.cluster), null, 2)}\n`,
]));
