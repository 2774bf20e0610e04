/** The synth pipeline: config files in, the whole `dist/` tree out. */
import { Environment, listConfigFiles, loadEnvironments } from '../config/load';
import { FileTree, readTree, writeTreeAtomically } from './atomic-write';
import { buildClusterApp } from './cluster-app';
import { PlatformCompositions, RenderedCluster } from './cluster-context';
import { renderClusterLayers } from './render-cluster';
import { ConfigPath, parseYamlWithPositions } from '../config/yaml-positions';
import * as fs from 'fs';
import { applyOrder, CLUSTER_FACTS_FILE, clusterFacts, formatReport, VerifiedCluster, verifyCluster, VerifyError, VerifyResult, ClusterFacts } from '../verify';

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
  /** The verifier's report when it has something to say (accepted faults); empty otherwise. */
  readonly verifyReport: string;
  /** Milliseconds the verifier took (all clusters). */
  readonly verifyMs: number;
}

/** The header of `dist/README.md`, so nobody edits generated files by hand. */
const DIST_README = `# Generated: do not edit

Everything in this folder is written by \`make synth\` from \`config/*.yaml\` and replaced as a whole on every run.
Layout: \`<environment>/<cluster>/<layer>/<namespace>_<kind>_<name>.yaml\`, with a \`kustomization.yaml\` per folder.
`;

/** Renders every cluster of every environment into one file tree (nothing is written). */
export function renderEnvironments(environments: readonly Environment[], compositions: PlatformCompositions): { tree: Map<string, string>; objects: number; clusters: number; verified: VerifiedCluster[] } {
  const tree = new Map<string, string>([['README.md', DIST_README]]);
  const verified: VerifiedCluster[] = [];
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
      const facts = clusterFacts(context);
      tree.set(`${env.name}/${clusterName}/${CLUSTER_FACTS_FILE}`, JSON.stringify(facts, null, 2) + '\n');
      const flux = folders.find((f) => f.folder === 'flux');
      const order = applyOrder(flux, folders.map((f) => f.folder));
      verified.push({ facts, folders: [...(flux ? [flux] : []), ...order.map((name) => folders.find((f) => f.folder === name)!)].map((f) => ({ folder: f.folder, manifests: f.manifests })) });
      for (const folder of folders) {
        objects += folder.objectCount;
        for (const [file, content] of folder.files) tree.set(`${env.name}/${clusterName}/${folder.folder}/${file}`, content);
      }
    }
    for (const produce of compositions.environmentArtifacts) {
      for (const [file, content] of produce(env.name, rendered)) tree.set(`${env.name}/${file}`, content);
    }
  }
  return { tree, objects, clusters, verified };
}

/**
 * Runs the verifier on every rendered cluster. Throws a VerifyError listing every fault of every cluster (and
 * every accepted-fault entry that matches nothing, with its file and line); returns the report of accepted
 * faults otherwise.
 */
export function verifyRendered(environments: readonly Environment[], verified: readonly VerifiedCluster[]): string {
  const results: { facts: ClusterFacts; result: VerifyResult }[] = verified.map((cluster) => ({ facts: cluster.facts, result: verifyCluster(cluster) }));
  const report = formatReport(results);
  const stale = results.flatMap(({ facts, result }) => result.unusedAcceptances.map((a) => ({ facts, a })));
  const faults = results.flatMap((r) => r.result.faults);
  if (faults.length === 0 && stale.length === 0) return report;
  const staleLines = stale.map(({ facts, a }) => {
    const env = environments.find((e) => e.name === facts.environment);
    const index = (env?.config.clusters[facts.cluster]?.acceptedFaults ?? []).findIndex((x) => x.rule === a.rule && x.object === a.object);
    const at: ConfigPath = ['clusters', facts.cluster, 'acceptedFaults', index];
    const line = env ? parseYamlWithPositions(fs.readFileSync(env.file, 'utf8'), env.file).positions.lineOf(at) : undefined;
    return `  ${env?.file ?? facts.environment}${line ? `:${line}` : ''}: clusters.${facts.cluster}.acceptedFaults[${index}]: rule ${a.rule}, object ${a.object} matches no fault; remove the entry`;
  });
  throw new VerifyError([report, ...(staleLines.length ? ['Stale accepted faults:', ...staleLines] : [])].join('\n'), faults);
}

/** Loads all configs, renders everything, then swaps the output in (or compares, with `check`). */
export function synthesize(options: SynthOptions): SynthResult {
  const environments = loadEnvironments(listConfigFiles(options.configDir));
  const { tree, objects, clusters, verified } = renderEnvironments(environments, options.compositions);
  const verifyStarted = process.hrtime.bigint();
  const verifyReport = verifyRendered(environments, verified);
  const verifyMs = Number(process.hrtime.bigint() - verifyStarted) / 1e6;
  const differences = options.check ? diffTrees(readTree(options.outDir), tree) : [];
  if (!options.check) writeTreeAtomically(options.outDir, tree);
  return { environments: environments.length, clusters, objects, files: tree.size, differences, verifyReport, verifyMs };
}

/** Paths that are added, removed or changed between two trees, sorted. */
export function diffTrees(before: FileTree, after: FileTree): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}
