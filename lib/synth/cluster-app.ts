import { App, Chart } from 'cdk8s';
import { CLUSTER_LABEL, ENVIRONMENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL } from '../core/labels';
import { PlatformConfig } from '../config/schema';
import { ClusterComposition, ClusterContext } from './cluster-context';
import { Layer, LAYER_ORDER } from './layers';

/** The cdk8s App of one (environment, cluster), with one chart per delivery layer. */
export interface ClusterApp {
  readonly app: App;
  readonly context: ClusterContext;
}

/** Labels on every object generated for a cluster. */
export function clusterLabels(environment: string, clusterName: string): { [key: string]: string } {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [ENVIRONMENT_LABEL]: environment, [CLUSTER_LABEL]: clusterName };
}

/**
 * Builds the constructs of one cluster of one environment. Pure: nothing is synthesized or written; the
 * caller renders the charts (see `lib/synth`).
 */
export function buildClusterApp(
  environment: string,
  platform: PlatformConfig,
  clusterName: string,
  compositions: readonly ClusterComposition[],
): ClusterApp {
  const cluster = platform.clusters[clusterName];
  if (!cluster) throw new Error(`cluster '${clusterName}' is not in the config of environment '${environment}'`);
  const app = new App({ outdir: `dist/${environment}/${clusterName}` });
  const labels = clusterLabels(environment, clusterName);
  const layers = Object.fromEntries(LAYER_ORDER.map((layer) => [layer, new Chart(app, layer, { labels })])) as { [L in Layer]: Chart };
  const context: ClusterContext = { environment, clusterName, cluster, platform, layers };
  for (const compose of compositions) compose(context);
  return { app, context };
}
