/** Which Flux Kustomization applies a folder of dist/, and with which options. */
import { isJsonObject, JsonObject } from '../validation/json';
import { fluxKustomizationsIn } from './set-index';
import { ManifestObject, ObjectSet } from './types';

const FLUX_KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';

/** The Flux Kustomizations (of the same environment and cluster) in `set` whose spec.path is `object`'s folder. */
export function fluxKustomizationsOf(object: ManifestObject, set: ObjectSet): ManifestObject[] {
  return fluxKustomizationsIn(set, object.ref).filter((k) => pathMatches(spec(k).path, object.folder));
}

/** True for a Flux Kustomization object. */
export function isFluxKustomization(object: ManifestObject): boolean {
  return object.ref.group === FLUX_KUSTOMIZE_GROUP && object.ref.kind === 'Kustomization';
}

/** The spec of an object, {} when it has none. */
export function spec(object: ManifestObject): JsonObject {
  return isJsonObject(object.obj.spec) ? object.obj.spec : {};
}

/**
 * Flux Kustomization spec.path is relative to the root of its source (the repository); the folder is relative to
 * the git root too, so they match when equal, or when the folder ends with the path (a project in a sub-folder).
 */
function pathMatches(fluxPath: unknown, folder: string): boolean {
  if (typeof fluxPath !== 'string') return false;
  const normalized = fluxPath.replace(/^\.\//, '').replace(/\/+$/, '');
  return normalized !== '' && (folder === normalized || folder.endsWith(`/${normalized}`));
}

/** True when a Flux Kustomization covering the object prunes it (prune: true, no prune/reconcile: disabled annotation). */
export function prunedByFlux(object: ManifestObject, set: ObjectSet): { pruned: boolean; by: ManifestObject[] } {
  const by = fluxKustomizationsOf(object, set);
  const annotations = isJsonObject(object.obj.metadata) && isJsonObject(object.obj.metadata.annotations) ? object.obj.metadata.annotations : {};
  // kustomize-controller v1.6.0 prune(): Exclusions prune: disabled and reconcile: disabled.
  const disabled = annotations['kustomize.toolkit.fluxcd.io/prune'] === 'disabled' || annotations['kustomize.toolkit.fluxcd.io/reconcile'] === 'disabled';
  return { pruned: !disabled && by.some((k) => spec(k).prune === true), by };
}
