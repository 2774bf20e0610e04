/**
 * Changes to fields the API server refuses to update. Server-side apply of such a change fails with "field is
 * immutable" (or "Forbidden"), so Flux fails the whole layer until someone deletes the object; with the Flux
 * Kustomization's `spec.force: true`, kustomize-controller deletes and recreates it instead (fluxcd/pkg ssa
 * `isImmutableError` matches "field is immutable" and "cannot change roleRef").
 *
 * Sources, Kubernetes (kubernetes/kubernetes, API validation, same rules in 1.29-1.33):
 * - pkg/apis/apps/validation/validation.go `ValidateDeploymentUpdate`, `ValidateDaemonSetUpdate`: spec.selector is
 *   immutable in apps/v1 (ValidateImmutableField); `ValidateStatefulSetUpdate`: "updates to statefulset spec for
 *   fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit',
 *   'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden".
 * - pkg/apis/batch/validation/validation.go `ValidateJobSpecUpdate`: selector, template (outside suspended-job
 *   scheduling directives), completionMode and podFailurePolicy are immutable.
 * - pkg/apis/core/validation/validation.go `ValidateServiceUpdate`: spec.clusterIP / clusterIPs are immutable
 *   (except to and from type ExternalName); `ValidatePersistentVolumeClaimUpdate`: "spec is immutable after
 *   creation except resources.requests and volumeAttributesClassName for bound claims", and requests.storage
 *   "can not be less than previous value"; `ValidateConfigMapUpdate`/`ValidateSecretUpdate`: data is immutable
 *   once `immutable: true`.
 * - pkg/apis/storage/validation/validation.go `ValidateStorageClassUpdate`: "updates to parameters / provisioner /
 *   reclaimPolicy are forbidden", volumeBindingMode immutable.
 * - pkg/apis/rbac/validation/validation.go `ValidateRoleBindingUpdate` (and ClusterRoleBinding): "cannot change roleRef".
 */
import { parseQuantity } from '../../core/quantity';
import { jsonEqual } from '../field-diff';
import { fluxKustomizationsOf, spec } from '../flux-coverage';
import { getPath, ManifestObject, ObjectChange, ReviewContext, Risk, RiskRule } from '../types';
import { JsonValue } from '../../validation/json';

const RULE = 'immutable-field';

interface ImmutableFields {
  /** Field paths that must not change. */
  readonly fields?: readonly (readonly string[])[];
  /** Or: every key of spec except these. */
  readonly specExcept?: readonly string[];
}

const IMMUTABLE: Readonly<Record<string, ImmutableFields>> = {
  'apps/Deployment': { fields: [['spec', 'selector']] },
  'apps/DaemonSet': { fields: [['spec', 'selector']] },
  'apps/ReplicaSet': { fields: [['spec', 'selector']] },
  'apps/StatefulSet': { specExcept: ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] },
  'batch/Job': { fields: [['spec', 'selector'], ['spec', 'template'], ['spec', 'completionMode'], ['spec', 'podFailurePolicy']] },
  '/Service': { fields: [['spec', 'clusterIP'], ['spec', 'clusterIPs']] },
  '/PersistentVolumeClaim': { specExcept: ['resources', 'volumeAttributesClassName'] },
  'storage.k8s.io/StorageClass': { fields: [['parameters'], ['provisioner'], ['reclaimPolicy'], ['volumeBindingMode']] },
  'rbac.authorization.k8s.io/RoleBinding': { fields: [['roleRef']] },
  'rbac.authorization.k8s.io/ClusterRoleBinding': { fields: [['roleRef']] },
};

function changedImmutablePaths(base: ManifestObject, head: ManifestObject): string[] {
  const kind = `${base.ref.group}/${base.ref.kind}`;
  const table = IMMUTABLE[kind];
  const changed: string[] = [];
  if (table?.fields) {
    for (const path of table.fields) {
      if (!jsonEqual(getPath(base.obj, path), getPath(head.obj, path))) changed.push(path.join('.'));
    }
  }
  if (table?.specExcept) {
    const before = spec(base);
    const after = spec(head);
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      if (!table.specExcept.includes(key) && !jsonEqual(before[key], after[key])) changed.push(`spec.${key}`);
    }
  }
  if (kind === '/PersistentVolumeClaim') {
    const before = storageOf(getPath(base.obj, ['spec', 'resources', 'requests', 'storage']));
    const after = storageOf(getPath(head.obj, ['spec', 'resources', 'requests', 'storage']));
    if (before !== undefined && after !== undefined && after < before) changed.push('spec.resources.requests.storage (lowered)');
  }
  if ((kind === '/ConfigMap' || kind === '/Secret') && base.obj.immutable === true) {
    for (const key of ['data', 'binaryData', 'stringData']) {
      if (!jsonEqual(base.obj[key], head.obj[key])) changed.push(key);
    }
  }
  return changed;
}

function storageOf(value: JsonValue | undefined): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseQuantity(value);
  } catch {
    return undefined;
  }
}

export const immutableFieldsRule: RiskRule = {
  id: RULE,
  summary: 'a change to a field the API server refuses to update (selectors, StatefulSet spec, Job template, Service clusterIP, PVC spec, StorageClass, roleRef): the apply fails',
  check(change: ObjectChange, context: ReviewContext): Risk[] {
    if (change.type !== 'changed' || change.base === undefined || change.head === undefined) return [];
    const paths = changedImmutablePaths(change.base, change.head);
    const risks: Risk[] = [];
    if (paths.length > 0) {
      const forced = fluxKustomizationsOf(change.head, context.head).some((k) => spec(k).force === true);
      risks.push({
        level: 'danger', rule: RULE,
        reason: `immutable ${paths.join(', ')} changed: ${forced
          ? 'Flux (spec.force: true) deletes and recreates the object'
          : 'the API server rejects the update and Flux fails the layer until the object is deleted by hand'}`,
      });
    }
    if (change.base.ref.group === '' && change.base.ref.kind === 'Service') {
      const before = getPath(change.base.obj, ['spec', 'type']) ?? 'ClusterIP';
      const after = getPath(change.head.obj, ['spec', 'type']) ?? 'ClusterIP';
      if (before !== after) {
        const external = after === 'LoadBalancer' || after === 'NodePort';
        risks.push({
          level: external ? 'danger' : 'warning', rule: RULE,
          reason: `Service type ${String(before)} → ${String(after)}: ${external ? 'exposes the Service outside the cluster' : 'the Service is reconfigured (to/from ExternalName the cluster IP is released and reassigned)'}`,
        });
      }
    }
    return risks;
  },
};
