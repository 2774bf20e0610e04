/** The synth pipeline: config files in, the whole `dist/` tree out. */
import * as v8 from 'v8';
import { Environment, listConfigFiles, loadEnvironments } from '../config/load';
import { FileTree, openOutput, OutputUpdate, readTree, writeTreeAtomically } from './atomic-write';
import { buildClusterApp } from './cluster-app';
import { ClusterContext, PlatformCompositions, RenderedCluster } from './cluster-context';
import { LayerFoldersConfigError, renderClusterLayers } from './render-cluster';
import { ConfigError } from '../config/issues';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigPath, parseYamlWithPositions } from '../config/yaml-positions';
import { applyOrder, CLUSTER_FACTS_FILE, clusterFacts, ClusterFacts, formatReport, VerifiedCluster, VerifyError, VerifyResult } from '../verify';
import { ClusterVerifier, IN_THREAD_VERIFIER, VerifierThread } from './verify-thread';
import { RenderedFolder } from './cluster-context';

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
  /** Told about each leftover of an interrupted run that was removed or restored. */
  readonly onSweep?: (what: string) => void;
  /** Heap bytes the rendering may use. @default 70% of the V8 heap limit */
  readonly heapBudgetBytes?: number;
  /**
   * The synth bundle (build/main.js), to run the verifier on a thread of its own (lib/synth/verify-thread.ts).
   * @default the verifier runs in the caller's thread
   */
  readonly verifierScript?: string;
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

/** The verifier's result on one cluster. */
export interface ClusterVerification {
  readonly facts: ClusterFacts;
  readonly result: VerifyResult;
}

/** A rendered cluster as the verifier reads it: the Flux folder, then the layer folders in Flux apply order. */
export function toVerifiedCluster(facts: ClusterFacts, folders: readonly RenderedFolder[]): VerifiedCluster {
  const flux = folders.find((f) => f.folder === 'flux');
  const order = applyOrder(flux, folders.map((f) => f.folder));
  return { facts, folders: [...(flux ? [flux] : []), ...order.map((name) => folders.find((f) => f.folder === name)!)].map((f) => ({ folder: f.folder, manifests: f.manifests })) };
}

/** The header of `dist/README.md`, so nobody edits generated files by hand. */
const DIST_README = `# Generated: do not edit

Everything in this folder is written by \`make synth\` from \`config/*.yaml\` and replaced as a whole on every run.
Layout: \`<environment>/<cluster>/<layer>/<namespace>_<kind>_<name>.yaml\`, with a \`kustomization.yaml\` per folder.
`;

/** Thrown when rendering would exhaust memory; nothing was written. */
export class RenderTooLargeError extends Error {}

/**
 * The share of the V8 heap limit the rendered tree may use before rendering stops with a clear error instead of
 * a V8 out-of-memory abort (which cannot be caught). Checked after each cluster; one cluster stays well below it
 * (at most 10,000 namespaces, about 0.5 GB).
 */
export const HEAP_BUDGET_SHARE = 0.7;

function heapCheck(budget: number, done: string): void {
  const used = v8.getHeapStatistics().used_heap_size;
  if (used <= budget) return;
  const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
  throw new RenderTooLargeError(`the platform is too large to render in memory: ${mb(used)} of heap used after ${done}, above the ceiling of ${mb(budget)} (${Math.round(HEAP_BUDGET_SHARE * 100)}% of the ${mb(v8.getHeapStatistics().heap_size_limit)} heap limit). Split the config into smaller environments, or give node more memory (NODE_OPTIONS=--max-old-space-size=<MB>)`);
}

/** Renders every cluster of every environment into one file tree (nothing is written). */
/**
 * Renders every cluster of every environment into one file tree (nothing is written), with each cluster's facts
 * file, and runs the verifier on each cluster as soon as it is rendered (so no cluster's objects are kept for
 * it): in this thread, or with `verifier` a VerifierThread, on a thread of its own while the next cluster is
 * rendered. `keepVerified` also returns the clusters as the verifier saw them (tests break them on purpose).
 */
export function renderEnvironments(environments: readonly Environment[], compositions: PlatformCompositions, heapBudgetBytes = v8.getHeapStatistics().heap_size_limit * HEAP_BUDGET_SHARE, keepVerified = false,
  onFiles?: (files: [string, string][]) => void, verifier: ClusterVerifier = IN_THREAD_VERIFIER):
  { tree: Map<string, string>; objects: number; clusters: number; verifications: ClusterVerification[]; verifyMs: number; verified: VerifiedCluster[] } {
  const tree = new Map<string, string>([['README.md', DIST_README]]);
  onFiles?.([['README.md', DIST_README]]);
  const verifications: ClusterVerification[] = [];
  const verified: VerifiedCluster[] = [];
  let verifyMs = 0;
  // Verdicts not collected yet (a verifier thread works on them), in cluster order.
  const pending: { facts: ClusterFacts; get: () => { result: VerifyResult; ms: number } }[] = [];
  const collect = (count: number) => {
    while (verifications.length < count) {
      const { facts, get } = pending.shift()!;
      const { result, ms } = get();
      verifyMs += ms;
      verifications.push({ facts, result });
    }
  };
  let objects = 0;
  let clusters = 0;
  for (const env of environments) {
    const rendered: RenderedCluster[] = [];
    for (const clusterName of Object.keys(env.config.clusters).sort()) {
      clusters++;
      const { context } = buildClusterApp(env.name, env.config, clusterName, compositions.clusters);
      const layers = renderLayersOrConfigError(env, context);
      const cluster: RenderedCluster = { context, folders: layers };
      const folders = [...layers, ...compositions.postRenderers.flatMap((render) => render(cluster))];
      rendered.push({ context, folders });
      const facts = clusterFacts(context);
      const files: [string, string][] = [[`${env.name}/${clusterName}/${CLUSTER_FACTS_FILE}`, JSON.stringify(facts, null, 2) + '\n']];
      for (const folder of folders) {
        objects += folder.objectCount;
        for (const [file, content] of folder.files) files.push([`${env.name}/${clusterName}/${folder.folder}/${file}`, content]);
      }
      for (const [file, content] of files) tree.set(file, content);
      // Written (by the caller's writer threads) while this cluster is verified and the next one rendered.
      onFiles?.(files);
      const verifiedCluster = toVerifiedCluster(facts, folders);
      pending.push({ facts, get: verifier.submit(verifiedCluster) });
      // At most two clusters wait for their verdict (one being verified, the next queued): memory stays bounded.
      collect(verifications.length + pending.length - 2);
      if (keepVerified) verified.push(verifiedCluster);
      heapCheck(heapBudgetBytes, `${clusters} cluster(s) (${objects} objects; last ${env.name}/${clusterName})`);
    }
    for (const produce of compositions.environmentArtifacts) {
      const files = [...produce(env.name, rendered)].map(([file, content]): [string, string] => [`${env.name}/${file}`, content]);
      for (const [file, content] of files) tree.set(file, content);
      onFiles?.(files);
    }
  }
  collect(verifications.length + pending.length);
  return { tree, objects, clusters, verifications, verifyMs, verified };
}

/** The cluster's layers; a layer past its folders is a config error at `clusters.<name>.layerFolders.<layer>`. */
function renderLayersOrConfigError(env: Environment, context: ClusterContext): RenderedFolder[] {
  try {
    return renderClusterLayers(context);
  } catch (error) {
    if (!(error instanceof LayerFoldersConfigError)) throw error;
    const { positions } = parseYamlWithPositions(fs.readFileSync(env.file, 'utf8'), env.file);
    const line = positions.lineOf(error.path) ?? positions.lineOf(error.path.slice(0, 2));
    throw new ConfigError([{ file: env.file, path: error.path, line, message: error.message }]);
  }
}

/**
 * The verifier's verdict over all clusters: throws a VerifyError listing every fault of every cluster (and every
 * accepted-fault entry that matches nothing, with its file and line); returns the report of accepted faults
 * otherwise (empty when there are none).
 */
export function verifyRendered(environments: readonly Environment[], verifications: readonly ClusterVerification[]): string {
  const report = formatReport(verifications);
  const stale = verifications.flatMap(({ facts, result }) => result.unusedAcceptances.map((a) => ({ facts, a })));
  const faults = verifications.flatMap((r) => r.result.faults);
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

/**
 * Loads all configs, renders everything, then swaps the output in (or compares, with `check`).
 *
 * When the folder that holds the output exists, the output is opened (lock, sweep, replaceability check) before
 * rendering, and each cluster's files are written aside on a second thread as soon as the cluster is rendered,
 * while it is verified and the next one rendered; the swap waits for the verifier's verdict, so a fault still
 * leaves the output unchanged (the staging folder is dropped). Without that folder, nothing is created before
 * the verdict: the whole tree is written afterwards. With `verifierScript`, the verifier runs on a thread of its
 * own too, each cluster while the next one is rendered.
 */
export function synthesize(options: SynthOptions): SynthResult {
  // Started first, so the thread loads the bundle while the config loads.
  const verifier = options.verifierScript && fs.existsSync(options.verifierScript) ? new VerifierThread(options.verifierScript) : IN_THREAD_VERIFIER;
  let output: OutputUpdate | undefined;
  try {
    const environments = loadEnvironments(listConfigFiles(options.configDir));
    const early = !options.check && fs.existsSync(path.dirname(path.resolve(options.outDir)));
    output = early ? openOutput(options.outDir, { onSweep: options.onSweep }) : undefined;
    const { tree, objects, clusters, verifications, verifyMs } = renderEnvironments(environments, options.compositions, options.heapBudgetBytes, false, output && ((files) => output!.add(files)), verifier);
    const verifyReport = verifyRendered(environments, verifications);
    const differences = options.check ? diffTrees(readTree(options.outDir), tree) : [];
    if (output) output.commit();
    else if (!options.check) writeTreeAtomically(options.outDir, tree, { onSweep: options.onSweep });
    return { environments: environments.length, clusters, objects, files: tree.size, differences, verifyReport, verifyMs };
  } finally {
    verifier.close();
    output?.abort();
  }
}

/** Paths that are added, removed or changed between two trees, sorted. */
export function diffTrees(before: FileTree, after: FileTree): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}
