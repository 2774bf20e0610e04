/**
 * Deletion under Flux prune. kustomize-controller garbage-collects what it applied before and no longer finds in
 * its path when `spec.prune: true` (objects annotated `kustomize.toolkit.fluxcd.io/prune: disabled` are kept), and
 * deleting a Kustomization with prune enabled deletes everything it applied (Flux docs, Kustomization API
 * "Garbage collection", kustomize-controller v1).
 */
import { describeObject } from '../object-set';
import { isFluxKustomization, prunedByFlux, spec } from '../flux-coverage';
import { ObjectChange, ReviewContext, Risk, RiskRule } from '../types';

/** Kinds whose deletion loses data or everything below them, with what the deletion does. */
export const DATA_HOLDING: Readonly<Record<string, string>> = {
  '/Namespace': 'deletes every object in the namespace, its PVCs and their volumes included',
  '/PersistentVolumeClaim': 'deletes the claim, and its disk with the data when the volume\'s reclaimPolicy is Delete (the default of dynamic provisioning)',
  '/PersistentVolume': 'deletes the volume object; with reclaimPolicy Delete the disk goes too',
  'apps/StatefulSet': 'deletes its pods; its PVCs stay (persistentVolumeClaimRetentionPolicy whenDeleted defaults to Retain) but nothing mounts them',
  'apiextensions.k8s.io/CustomResourceDefinition': 'deletes every custom resource of that type in the cluster',
  'helm.toolkit.fluxcd.io/HelmRelease': 'uninstalls the Helm release: every object of the chart is deleted (CRDs shipped as templates and their custom resources too)',
};

const RULE = 'prune-deletes-data';

export const pruneDeletionRule: RiskRule = {
  id: RULE,
  summary: 'a removed object that Flux prunes: danger for Namespaces, PVCs, PVs, StatefulSets, CRDs, HelmReleases and pruning Flux Kustomizations; info otherwise',
  check(change: ObjectChange, context: ReviewContext): Risk[] {
    if (change.type !== 'removed' || change.base === undefined) return [];
    const removed = change.base;
    if (isFluxKustomization(removed) && spec(removed).prune === true) {
      return [{
        level: 'danger', rule: RULE,
        reason: `deleting a Flux Kustomization with prune: true garbage-collects everything it applied from ${String(spec(removed).path)}`,
      }];
    }
    const { pruned, by } = prunedByFlux(removed, context.base);
    const kustomizations = by.map((k) => `${k.ref.namespace}/${k.ref.name}`).join(', ');
    if (!pruned) {
      return [{
        level: 'info', rule: RULE,
        reason: by.length === 0
          ? `no Flux Kustomization applies ${removed.folder}: ${describeObject(removed.ref)} stays on the cluster, unmanaged`
          : `Flux Kustomization ${kustomizations} does not prune it: it stays on the cluster, unmanaged`,
      }];
    }
    const what = DATA_HOLDING[`${removed.ref.group}/${removed.ref.kind}`];
    return [{
      level: what === undefined ? 'info' : 'danger', rule: RULE,
      reason: `Flux Kustomization ${kustomizations} prunes it: ${what ?? 'it is deleted from the cluster'}`,
    }];
  },
};
