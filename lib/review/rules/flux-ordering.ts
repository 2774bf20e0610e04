/**
 * Delivery order and ownership. A changed `dependsOn` (Flux Kustomization or HelmRelease) changes what waits for
 * what, e.g. a custom resource may be applied before its CRD; a changed Kustomization path or prune flag changes
 * what Flux applies and garbage-collects. An object moving between layer folders moves between Flux
 * Kustomizations: the old one's garbage collection deletes it when it runs before the new one has applied it,
 * because kustomize-controller prunes the objects that still carry its own owner labels (v1.6.0
 * internal/controller/kustomization_controller.go `prune()`, `Inclusions: GetOwnerLabels`); layers apply in
 * dependsOn order, so a move to a later layer is deleted first and recreated after, while the owner of an earlier
 * layer (a dependency on the same source) applies first and takes the object over. Checked again at Flux v2.9.4:
 * kustomize-controller v1.9.4 `deleteObjects` and fluxcd/pkg ssa/v0.76.1 ssa/manager_delete.go `Delete` (skips a live
 * object whose owner labels name another Kustomization), docs/output.md "Split layers and Flux prune".
 */
import { canonicalJson } from '../../validation/json';
import { fluxKustomizationsOf, isFluxKustomization, prunedByFlux } from '../flux-coverage';
import { shortValue } from '../field-diff';
import { fluxKustomizationsIn } from '../set-index';
import { getPath, ManifestObject, ObjectChange, ReviewContext, Risk, RiskRule } from '../types';
import { DATA_HOLDING } from './prune-deletion';

const RULE = 'flux-order';

function names(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) return '(none)';
  return value.map((d) => (typeof d === 'object' && d !== null ? `${(d as { namespace?: string }).namespace ? `${String((d as { namespace?: string }).namespace)}/` : ''}${String((d as { name?: string }).name)}` : String(d))).join(', ');
}

/** True when Flux Kustomization `k` depends on `name` (directly or through others), by the head version of dist/. */
function dependsOnTransitively(k: ManifestObject, name: string, context: ReviewContext): boolean {
  const byName = new Map(fluxKustomizationsIn(context.head, k.ref).map((o) => [o.ref.name, o]));
  const seen = new Set<string>();
  const queue = [k.ref.name];
  while (queue.length > 0) {
    const current = byName.get(queue.shift()!);
    const deps = current === undefined ? undefined : getPath(current.obj, ['spec', 'dependsOn']);
    for (const dep of Array.isArray(deps) ? deps : []) {
      const depName = typeof dep === 'object' && dep !== null && !Array.isArray(dep) ? dep.name : undefined;
      if (typeof depName !== 'string' || seen.has(depName)) continue;
      if (depName === name) return true;
      seen.add(depName);
      queue.push(depName);
    }
  }
  return false;
}

function jsonEqualSource(a: ManifestObject, b: ManifestObject): boolean {
  return canonicalJson(getPath(a.obj, ['spec', 'sourceRef']) ?? null) === canonicalJson(getPath(b.obj, ['spec', 'sourceRef']) ?? null);
}

export const fluxOrderingRule: RiskRule = {
  id: RULE,
  summary: 'Flux dependsOn, Kustomization path or prune changes (warning), and objects moving between layer folders (warning; danger for data-holding kinds)',
  check(change: ObjectChange, context: ReviewContext): Risk[] {
    if (change.type !== 'changed' || change.base === undefined || change.head === undefined) return [];
    const risks: Risk[] = [];
    const isFlux = isFluxKustomization(change.base) || (change.ref.group === 'helm.toolkit.fluxcd.io' && change.ref.kind === 'HelmRelease');
    if (isFlux) {
      const before = getPath(change.base.obj, ['spec', 'dependsOn']);
      const after = getPath(change.head.obj, ['spec', 'dependsOn']);
      if (canonicalJson(before ?? null) !== canonicalJson(after ?? null)) {
        risks.push({ level: 'warning', rule: RULE, reason: `dependsOn ${names(before)} → ${names(after)}: what waits for what changes (a custom resource may arrive before its CRD)` });
      }
    }
    if (isFluxKustomization(change.base)) {
      for (const field of ['path', 'prune', 'sourceRef']) {
        const before = getPath(change.base.obj, ['spec', field]);
        const after = getPath(change.head.obj, ['spec', field]);
        if (canonicalJson(before ?? null) !== canonicalJson(after ?? null)) {
          risks.push({
            level: 'warning', rule: RULE,
            reason: `spec.${field} ${shortValue(before, 50)} → ${shortValue(after, 50)}: ${field === 'prune' ? 'what Flux garbage-collects changes' : 'objects of the old source no longer in the new one are pruned'}`,
          });
        }
      }
    }
    if (change.base.folder !== change.head.folder) {
      const fromKs = fluxKustomizationsOf(change.base, context.base);
      const toKs = fluxKustomizationsOf(change.head, context.head);
      const from = fromKs.map((k) => k.ref.name).join(', ') || '(none)';
      const to = toKs.map((k) => k.ref.name).join(', ') || '(none)';
      const { pruned } = prunedByFlux(change.base, context.base);
      const data = DATA_HOLDING[`${change.ref.group}/${change.ref.kind}`];
      // The new owner applies first when it is a dependency of the old one on the same source: kustomize-controller
      // v1.6.0 checkDependencies() waits until a dependency has applied the same source revision.
      const newFirst = fromKs.length > 0 && toKs.length > 0 && toKs.every((to) => fromKs.every((fromK) =>
        dependsOnTransitively(fromK, to.ref.name, context) && jsonEqualSource(fromK, to)));
      // Two folders of one split layer (`workloads-3` → `workloads-services`): the split keeps every object in place
      // except in the cases docs/output.md lists (lib/synth/manifest-files.ts `splitIntoFolders`), so say which.
      const layerName = (folder: string) => folder.split('-')[0];
      const split = change.base.layer !== '' && layerName(change.base.layer) === layerName(change.head.layer);
      const movesReason = `moves from layer ${change.base.layer} to ${change.head.layer} (Flux Kustomization ${from} → ${to})`
        + (split ? '; a move between folders of a split layer happens only on a changed folder count, a renamed workload or a changed folder placement of its construct (docs/output.md, "What still moves an object")' : '');
      risks.push(!pruned
        ? { level: 'warning', rule: RULE, reason: movesReason }
        : newFirst
          ? { level: 'warning', rule: RULE, reason: `${movesReason}: ${to} applies first (a dependency of ${from}) and takes over its owner labels, so the prune of ${from} skips it` }
          : {
            level: data !== undefined ? 'danger' : 'warning', rule: RULE,
            reason: `${movesReason}: ${from} may prune it before ${to} takes it over${data === undefined ? '' : ` (${data})`}`,
          });
    }
    return risks;
  },
};
