/**
 * Deletion under Flux prune. Facts from fluxcd/kustomize-controller v1.6.0 (Flux 2.6, the minimum docs/gitops.md
 * names), internal/controller/kustomization_controller.go:
 * - `prune()`: with `spec.prune: true`, objects of the previous inventory missing from the new build are deleted,
 *   only when they still carry this Kustomization's owner labels (`Inclusions: GetOwnerLabels`) and are not
 *   annotated `kustomize.toolkit.fluxcd.io/prune: disabled` or `kustomize.toolkit.fluxcd.io/reconcile: disabled`.
 * - `finalizerShouldDeleteResources()`: deleting a Kustomization deletes its inventory unless it is suspended; with
 *   `spec.deletionPolicy` MirrorPrune (the default) only when `prune` is true, always with Delete or
 *   WaitForTermination, never with Orphan.
 */
import { describeObject } from '../object-set';
import { isFluxKustomization, prunedByFlux, spec } from '../flux-coverage';
import { JsonObject } from '../../validation/json';
import { ObjectChange, ReviewContext, Risk, RiskRule } from '../types';

/** Kinds whose deletion loses data or everything below them, with what the deletion does. */
export const DATA_HOLDING: Readonly<Record<string, string>> = {
  '/Namespace': 'deletes every object in the namespace, its PVCs and their volumes included',
  '/PersistentVolumeClaim': 'deletes the claim, and its disk with the data when the volume\'s reclaimPolicy is Delete (the default of dynamic provisioning)',
  '/PersistentVolume': 'deletes the volume object; with reclaimPolicy Delete the disk goes too',
  'apps/StatefulSet': 'deletes its pods; its PVCs stay (persistentVolumeClaimRetentionPolicy whenDeleted defaults to Retain) but nothing mounts them',
  'apiextensions.k8s.io/CustomResourceDefinition': 'deletes every custom resource of that type in the cluster',
  'helm.toolkit.fluxcd.io/HelmRelease': 'uninstalls the Helm release: every object of the chart is deleted (CRDs shipped as templates and their custom resources too)',
  // Strimzi: the Cluster Operator removes the cluster's or pool's pods, and their PVCs where storage deleteClaim is
  // true; the Topic Operator (unidirectional mode, the default) deletes a topic in Kafka when its KafkaTopic is
  // deleted, unless annotated strimzi.io/managed: "false" (Streams for Apache Kafka 2.7 docs, "Using the Topic
  // Operator", 10.1.1).
  'kafka.strimzi.io/Kafka': 'removes the Kafka cluster (its brokers\' PVCs too where storage deleteClaim is true)',
  'kafka.strimzi.io/KafkaNodePool': 'removes the pool\'s brokers or controllers (their PVCs too where deleteClaim is true)',
  'kafka.strimzi.io/KafkaTopic': 'the Topic Operator deletes the topic and its messages in Kafka (unless annotated strimzi.io/managed: "false")',
};

const RULE = 'prune-deletes-data';

/** True when deleting this Flux Kustomization deletes what it applied (see finalizerShouldDeleteResources). */
function deletesInventory(kustomization: JsonObject): boolean {
  if (kustomization.suspend === true) return false;
  const policy = kustomization.deletionPolicy ?? 'MirrorPrune';
  return policy === 'Delete' || policy === 'WaitForTermination' || (policy === 'MirrorPrune' && kustomization.prune === true);
}

export const pruneDeletionRule: RiskRule = {
  id: RULE,
  summary: 'a removed object that Flux prunes: danger for Namespaces, PVCs, PVs, StatefulSets, CRDs, HelmReleases and pruning Flux Kustomizations; info otherwise',
  check(change: ObjectChange, context: ReviewContext): Risk[] {
    if (change.type !== 'removed' || change.base === undefined) return [];
    const removed = change.base;
    if (isFluxKustomization(removed) && deletesInventory(spec(removed))) {
      return [{
        level: 'danger', rule: RULE,
        reason: `deleting a Flux Kustomization with ${spec(removed).deletionPolicy === undefined || spec(removed).deletionPolicy === 'MirrorPrune' ? 'prune: true' : `deletionPolicy ${String(spec(removed).deletionPolicy)}`} garbage-collects everything it applied from ${String(spec(removed).path)}`,
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
