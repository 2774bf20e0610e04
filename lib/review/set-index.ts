/**
 * Lookups over one version of dist/ that rules repeat for every change (the objects of a namespace, the Flux
 * Kustomizations of a cluster), built once per object set so a large review stays linear.
 */
import { ManifestObject, ObjectRef, ObjectSet } from './types';

const byNamespace = new WeakMap<ObjectSet, Map<string, ManifestObject[]>>();

function scopeKey(ref: Pick<ObjectRef, 'environment' | 'cluster' | 'namespace'>): string {
  return `${ref.environment}\0${ref.cluster}\0${ref.namespace}`;
}

/** The objects of `set` in the namespace of `ref` (same environment and cluster; '' = cluster-scoped ones). */
export function objectsInNamespace(set: ObjectSet, ref: Pick<ObjectRef, 'environment' | 'cluster' | 'namespace'>): readonly ManifestObject[] {
  let index = byNamespace.get(set);
  if (index === undefined) {
    index = new Map();
    for (const object of set.values()) {
      const key = scopeKey(object.ref);
      const list = index.get(key);
      if (list === undefined) index.set(key, [object]);
      else list.push(object);
    }
    byNamespace.set(set, index);
  }
  return index.get(scopeKey(ref)) ?? [];
}

const fluxByCluster = new WeakMap<ObjectSet, Map<string, ManifestObject[]>>();

/** The Flux Kustomizations (kustomize.toolkit.fluxcd.io) of `set` in the environment and cluster of `ref`. */
export function fluxKustomizationsIn(set: ObjectSet, ref: Pick<ObjectRef, 'environment' | 'cluster'>): readonly ManifestObject[] {
  let index = fluxByCluster.get(set);
  if (index === undefined) {
    index = new Map();
    for (const object of set.values()) {
      if (object.ref.group !== 'kustomize.toolkit.fluxcd.io' || object.ref.kind !== 'Kustomization') continue;
      const key = `${object.ref.environment}\0${object.ref.cluster}`;
      index.set(key, [...(index.get(key) ?? []), object]);
    }
    fluxByCluster.set(set, index);
  }
  return index.get(`${ref.environment}\0${ref.cluster}`) ?? [];
}
