/** The synth pipeline: config files in, the whole `dist/` tree out. */
import { Environment, listConfigFiles, loadEnvironments } from '../config/load';
import { FileTree, readTree, writeTreeAtomically } from './atomic-write';
import { buildClusterApp } from './cluster-app';
import { PlatformCompositions, RenderedCluster } from './cluster-context';
import { renderClusterLayers } from './render-cluster';

/** Options of a synth run. */
export interface SynthOptions {
  /** Folder of environment config files. */
  readonly configDir: string;
  /** Output folder, replaced as a whole. */
  readonly outDir: string;
  /** Only compare with `outDir` and report differences; write nothing. */
  readonly check?: boolean;
  /** What the platform is made of (`charts/` `PLATFORM_COMPOSITIONS`). */
  readonly compositions: PlatformCompositions;
}

/** What a synth run produced. */
export interface SynthResult {
  readonly environments: number;
  readonly clusters: number;
  readonly objects: number;
  readonly files: number;
  /** With `check`: paths that differ from `outDir` (added, removed or changed). */
  readonly differences: readonly string[];
}

/** The header of `dist/README.md`, so nobody edits generated files by hand. */
const DIST_README = `# Generated: do not edit

Everything in this folder is written by \`make synth\` from \`config/*.yaml\` and replaced as a whole on every run.
Layout: \`<environment>/<cluster>/<layer>/<namespace>_<kind>_<name>.yaml\`, with a \`kustomization.yaml\` per folder.
`;

/** Renders every cluster of every environment into one file tree (nothing is written). */
export function renderEnvironments(environments: readonly Environment[], compositions: PlatformCompositions): { tree: Map<string, string>; objects: number; clusters: number } {
  const tree = new Map<string, string>([['README.md', DIST_README]]);
  let objects = 0;
  let clusters = 0;
  for (const env of environments) {
    const rendered: RenderedCluster[] = [];
    for (const clusterName of Object.keys(env.config.clusters).sort()) {
      clusters++;
      const { context } = buildClusterApp(env.name, env.config, clusterName, compositions.clusters);
      const layers = renderClusterLayers(context);
      const cluster: RenderedCluster = { context, folders: layers };
      const folders = [...layers, ...compositions.postRenderers.flatMap((render) => render(cluster))];
      rendered.push({ context, folders });
      for (const folder of folders) {
        objects += folder.objectCount;
        for (const [file, content] of folder.files) tree.set(`${env.name}/${clusterName}/${folder.folder}/${file}`, content);
      }
    }
    for (const produce of compositions.environmentArtifacts) {
      for (const [file, content] of produce(env.name, rendered)) tree.set(`${env.name}/${file}`, content);
    }
  }
  return { tree, objects, clusters };
}

/** Loads all configs, renders everything, then swaps the output in (or compares, with `check`). */
export function synthesize(options: SynthOptions): SynthResult {
  const environments = loadEnvironments(listConfigFiles(options.configDir));
  const { tree, objects, clusters } = renderEnvironments(environments, options.compositions);
  const differences = options.check ? diffTrees(readTree(options.outDir), tree) : [];
  if (!options.check) writeTreeAtomically(options.outDir, tree);
  return { environments: environments.length, clusters, objects, files: tree.size, differences };
}

/** Paths that are added, removed or changed between two trees, sorted. */
export function diffTrees(before: FileTree, after: FileTree): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}
