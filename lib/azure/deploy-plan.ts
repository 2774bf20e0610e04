/**
 * What deploy runs for one cluster: the layer folders of `dist/<env>/<cluster>/` in delivery order (each layer
 * may be split into `<layer>`, `<layer>-2`, ...), or the Flux entry point, each applied with server-side apply and
 * followed by `kubectl wait` on what the folder installs (CRDs, HelmReleases, Flux Kustomizations, Deployments).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { LAYER_ORDER } from '../synth/layers';
import { ToolFailure } from './errors';
import { compareText } from '../core/sort';

/** The field manager of every server-side apply, so later applies (and Flux) see who owns each field. */
export const FIELD_MANAGER = 'ml-platform-manifests';
/** The folder of the Flux entry point. */
export const FLUX_FOLDER = 'flux';

/** One step: kubectl arguments (without --kubeconfig, which deploy adds) and what the step does. */
export interface DeployStep {
  readonly description: string;
  readonly kubectlArgs: readonly string[];
}

export interface DeployPlan {
  /** Folders in the order they are applied, relative to the cluster folder. */
  readonly folders: readonly string[];
  readonly steps: readonly DeployStep[];
  /** Folders present but not applied (the Flux entry point without --via-flux), with the reason. */
  readonly skipped: readonly string[];
}

/** Objects kubectl can wait on, by `apiGroup/Kind`: the resource to name and the condition meaning "ready". */
const WAITABLE: Record<string, { resource: string; condition: string; namespaced: boolean }> = {
  'apiextensions.k8s.io/CustomResourceDefinition': { resource: 'customresourcedefinitions.apiextensions.k8s.io', condition: 'Established', namespaced: false },
  'helm.toolkit.fluxcd.io/HelmRelease': { resource: 'helmreleases.helm.toolkit.fluxcd.io', condition: 'Ready', namespaced: true },
  'kustomize.toolkit.fluxcd.io/Kustomization': { resource: 'kustomizations.kustomize.toolkit.fluxcd.io', condition: 'Ready', namespaced: true },
  'apps/Deployment': { resource: 'deployments.apps', condition: 'Available', namespaced: true },
};

/** Layer folders in delivery order: each layer of LAYER_ORDER, then its split parts `-2`, `-3`, ... numerically. */
export function orderedLayerFolders(existing: readonly string[]): string[] {
  return LAYER_ORDER.flatMap((layer) => existing
    .map((folder) => ({ folder, part: folder === layer ? 1 : Number(folder.match(new RegExp(`^${layer}-(\\d+)$`))?.[1] ?? NaN) }))
    .filter(({ part }) => Number.isInteger(part) && part >= 1)
    .sort((a, b) => a.part - b.part)
    .map(({ folder }) => folder));
}

/** Plans the deploy of `<distDir>/<env>/<cluster>`. Fails when that folder (or the Flux entry point) is missing. */
export function planDeploy(clusterDir: string, options: { readonly viaFlux: boolean; readonly timeout: string }): DeployPlan {
  if (!fs.existsSync(clusterDir)) {
    throw new ToolFailure('deploy-failed', `${clusterDir} does not exist; run make synth first`);
  }
  const existing = fs.readdirSync(clusterDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(clusterDir, entry.name, 'kustomization.yaml')))
    .map((entry) => entry.name);
  const layerFolders = orderedLayerFolders(existing);
  const hasFlux = existing.includes(FLUX_FOLDER);
  if (options.viaFlux && !hasFlux) {
    throw new ToolFailure('deploy-failed', `--via-flux: ${path.join(clusterDir, FLUX_FOLDER)} does not exist (no Flux entry point was generated for this cluster); deploy without --via-flux, or run make synth`);
  }
  const folders = options.viaFlux ? [FLUX_FOLDER] : layerFolders;
  if (folders.length === 0) throw new ToolFailure('deploy-failed', `${clusterDir} has no layer folders to apply; run make synth first`);
  const skipped = options.viaFlux ? layerFolders.map((f) => `${f} (Flux applies it)`) : hasFlux ? [`${FLUX_FOLDER} (the Flux entry point; use --via-flux to hand the cluster to Flux)`] : [];
  const steps = folders.flatMap((folder) => [
    {
      description: `apply ${folder}`,
      kubectlArgs: ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-k', path.join(clusterDir, folder)],
    },
    ...waitSteps(path.join(clusterDir, folder), folder, options.timeout),
  ]);
  return { folders, steps, skipped };
}

interface ObjectRef {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** One `kubectl wait` per condition and namespace, for the waitable objects of a folder, in a stable order. */
function waitSteps(folderPath: string, folder: string, timeout: string): DeployStep[] {
  const groups = new Map<string, { condition: string; namespace?: string; names: string[] }>();
  for (const file of fs.readdirSync(folderPath).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort()) {
    for (const doc of yaml.loadAll(fs.readFileSync(path.join(folderPath, file), 'utf8')) as ObjectRef[]) {
      const group = doc?.apiVersion?.includes('/') ? doc.apiVersion.split('/')[0] : '';
      const waitable = WAITABLE[`${group}/${doc?.kind}`];
      if (!waitable || !doc.metadata?.name) continue;
      const namespace = waitable.namespaced ? doc.metadata.namespace ?? 'default' : undefined;
      const key = `${waitable.condition}|${namespace ?? ''}`;
      if (!groups.has(key)) groups.set(key, { condition: waitable.condition, namespace, names: [] });
      groups.get(key)!.names.push(`${waitable.resource}/${doc.metadata.name}`);
    }
  }
  const order = ['Established', 'Ready', 'Available'];
  return [...groups.values()]
    .sort((a, b) => order.indexOf(a.condition) - order.indexOf(b.condition) || compareText(a.namespace ?? '', b.namespace ?? ''))
    .map((g) => ({
      description: `wait for ${folder}: ${g.names.length} object(s) ${g.condition}${g.namespace ? ` in ${g.namespace}` : ''}`,
      kubectlArgs: ['wait', `--for=condition=${g.condition}`, `--timeout=${timeout}`, ...(g.namespace ? ['-n', g.namespace] : []), ...g.names.sort()],
    }));
}
