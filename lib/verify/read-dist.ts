/**
 * Reads a dist tree back into clusters to verify: every `<env>/<cluster>/cluster-facts.json` with the cluster's
 * folders, ordered as Flux applies them (the `flux` folder's Kustomizations and their `dependsOn`).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { ManifestJson } from '../synth/cluster-context';
import { CLUSTER_FACTS_FILE } from './cluster-facts';
import { FLUX_FOLDER } from './cluster-model';
import { ClusterFacts, VerifiedCluster, VerifiedFolder } from './types';

function readFolder(dir: string, folder: string): VerifiedFolder {
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
  const manifests = files.flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')).filter((d): d is ManifestJson => !!d && typeof d === 'object'));
  return { folder, manifests };
}

/** Folder names in Flux apply order: a topological order of the flux folder's Kustomizations. */
export function applyOrder(flux: VerifiedFolder | undefined, present: readonly string[]): string[] {
  const kustomizations = (flux?.manifests ?? []).filter((m) => m.kind === 'Kustomization');
  const folderOf = new Map(kustomizations.map((k) => [k.metadata.name, String((k.spec as { path?: string })?.path ?? '').split('/').pop() ?? '']));
  const deps = new Map(kustomizations.map((k) => [k.metadata.name, ((k.spec as { dependsOn?: { name: string }[] })?.dependsOn ?? []).map((d) => d.name)]));
  const order: string[] = [];
  const visit = (name: string, stack: Set<string>) => {
    if (order.includes(name) || stack.has(name)) return;
    stack.add(name);
    for (const dep of deps.get(name) ?? []) visit(dep, stack);
    order.push(name);
  };
  for (const name of [...deps.keys()].sort()) visit(name, new Set());
  const folders = order.map((name) => folderOf.get(name)!).filter((f) => present.includes(f));
  // Folders no Kustomization applies come last (the verifier reports what it can about them).
  return [...folders, ...present.filter((f) => f !== FLUX_FOLDER && !folders.includes(f)).sort()];
}

/** Every cluster under `distDir` that has a facts file. */
export function readDistClusters(distDir: string): VerifiedCluster[] {
  const clusters: VerifiedCluster[] = [];
  for (const env of fs.readdirSync(distDir).sort()) {
    const envDir = path.join(distDir, env);
    if (!fs.statSync(envDir).isDirectory()) continue;
    for (const name of fs.readdirSync(envDir).sort()) {
      const dir = path.join(envDir, name);
      const factsFile = path.join(dir, CLUSTER_FACTS_FILE);
      if (!fs.existsSync(factsFile)) continue;
      const facts = JSON.parse(fs.readFileSync(factsFile, 'utf8')) as ClusterFacts;
      const present = fs.readdirSync(dir).filter((f) => fs.existsSync(path.join(dir, f, 'kustomization.yaml')));
      const flux = present.includes(FLUX_FOLDER) ? readFolder(path.join(dir, FLUX_FOLDER), FLUX_FOLDER) : undefined;
      const folders = applyOrder(flux, present).map((f) => readFolder(path.join(dir, f), f));
      clusters.push({ facts, folders: flux ? [flux, ...folders] : folders });
    }
  }
  return clusters;
}
