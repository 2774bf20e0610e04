/**
 * Pod Security relaxed: the `pod-security.kubernetes.io/enforce` label of a Namespace goes to a less strict level
 * (restricted > baseline > privileged; a namespace without the label gets the admission plugin's default, which
 * is privileged unless the cluster's AdmissionConfiguration says otherwise, as on AKS). Relaxing audit/warn only
 * hides reports.
 */
import { isJsonObject } from '../../validation/json';
import { ManifestObject, ObjectChange, Risk, RiskRule } from '../types';

const RULE = 'pod-security-relaxed';
const LEVELS = ['privileged', 'baseline', 'restricted'];

function level(ns: ManifestObject | undefined, mode: string): { name: string; rank: number } {
  const labels = ns !== undefined && isJsonObject(ns.obj.metadata) && isJsonObject(ns.obj.metadata.labels) ? ns.obj.metadata.labels : {};
  const value = labels[`pod-security.kubernetes.io/${mode}`];
  const name = typeof value === 'string' ? value : 'privileged (no label)';
  const rank = LEVELS.indexOf(typeof value === 'string' ? value : 'privileged');
  return { name, rank: rank < 0 ? 0 : rank };
}

export const podSecurityRule: RiskRule = {
  id: RULE,
  summary: 'a Namespace\'s Pod Security enforce level is relaxed (danger), or a new namespace does not enforce restricted (warning); audit/warn relaxed (info)',
  check(change: ObjectChange): Risk[] {
    if (change.ref.group !== '' || change.ref.kind !== 'Namespace' || change.head === undefined) return [];
    const risks: Risk[] = [];
    const after = level(change.head, 'enforce');
    if (change.type === 'added') {
      if (after.rank < 2) risks.push({ level: 'warning', rule: RULE, reason: `new namespace enforces Pod Security ${after.name}, not restricted` });
      return risks;
    }
    const before = level(change.base, 'enforce');
    if (after.rank < before.rank) {
      risks.push({ level: 'danger', rule: RULE, reason: `Pod Security enforce relaxed ${before.name} → ${after.name}: pods with more privileges are admitted` });
    }
    for (const mode of ['audit', 'warn']) {
      const b = level(change.base, mode);
      const a = level(change.head, mode);
      if (a.rank < b.rank) risks.push({ level: 'info', rule: RULE, reason: `Pod Security ${mode} relaxed ${b.name} → ${a.name}` });
    }
    return risks;
  },
};
