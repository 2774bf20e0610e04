/**
 * The default cdk8s output path, for `npx cdk8s synth` (the CLI sets CDK8S_OUTDIR): the same apps, written by
 * cdk8s's own `app.synth()` with its default file layout and YAML serializer. `make synth` does not use this;
 * it exists so the stock cdk8s workflow works and so the benchmark can compare the two paths.
 */
import * as path from 'path';
import { buildClusterApp } from './cluster-app';
import { PlatformCompositions } from './cluster-context';
import { listConfigFiles, loadEnvironments } from '../config/load';

/** Synthesizes every (environment, cluster) app with `app.synth()` below `outDir`. */
export function synthesizeWithCdk8s(configDir: string, outDir: string, compositions: PlatformCompositions): void {
  for (const env of loadEnvironments(listConfigFiles(configDir))) {
    for (const clusterName of Object.keys(env.config.clusters).sort()) {
      const { app } = buildClusterApp(env.name, env.config, clusterName, compositions.clusters);
      (app as { outdir: string }).outdir = path.join(outDir, env.name, clusterName);
      app.synth();
    }
  }
}
