/**
 * Quotas lowered below what runs, and workloads growing past a quota. A ResourceQuota does not evict running pods, but the API server rejects every new
 * pod (rollout, restart, reschedule) while usage would exceed `hard` (kubernetes ResourceQuota admission,
 * plugin/pkg/admission/resourcequota). Usage is estimated from the head version of dist/: standing replicas of
 * Deployments, StatefulSets and ReplicaSets in the namespace (replicas default 1), their containers' requests and
 * limits (requests default to limits, then to the namespace's LimitRange defaults, as the LimitRanger admission
 * does), init containers counted as max(init, sum of containers), and PVCs (objects and volumeClaimTemplates per
 * replica). DaemonSets (one pod per node) and Jobs are not counted: the node count is not known from dist/.
 * The same estimate flags a Deployment, StatefulSet, ReplicaSet or PVC whose own growth takes the namespace past a
 * quota it was within before.
 */
import { parseQuantity } from '../../core/quantity';
import { isJsonObject, JsonObject, JsonValue } from '../../validation/json';
import { objectsInNamespace } from '../set-index';
import { getPath, ManifestObject, ObjectChange, ReviewContext, Risk, RiskRule } from '../types';

const RULE = 'quota-below-usage';

type Usage = Map<string, number>;

function quantity(value: JsonValue | undefined): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseQuantity(value);
  } catch {
    return undefined;
  }
}

function add(usage: Usage, key: string, amount: number): void {
  usage.set(key, (usage.get(key) ?? 0) + amount);
}

function note(parts: Map<string, string[]>, keys: Iterable<string>, part: string): void {
  for (const key of keys) {
    const list = parts.get(key) ?? [];
    if (!list.includes(part)) list.push(part);
    parts.set(key, list);
  }
}

interface Defaults { readonly request: JsonObject; readonly limit: JsonObject }

function limitRangeDefaults(objects: readonly ManifestObject[]): Defaults {
  const request: JsonObject = {};
  const limit: JsonObject = {};
  for (const lr of objects.filter((o) => o.ref.group === '' && o.ref.kind === 'LimitRange')) {
    const items = getPath(lr.obj, ['spec', 'limits']);
    for (const item of Array.isArray(items) ? items.filter(isJsonObject) : []) {
      if (item.type !== 'Container') continue;
      if (isJsonObject(item.default)) Object.assign(limit, item.default);
      if (isJsonObject(item.defaultRequest)) Object.assign(request, item.defaultRequest);
    }
  }
  return { request, limit };
}

/** requests.cpu, requests.memory, limits.cpu, limits.memory of one container, with API and LimitRange defaults. */
function containerUsage(container: JsonObject, defaults: Defaults): Usage {
  const usage: Usage = new Map();
  for (const resource of ['cpu', 'memory']) {
    const limit = quantity(getPath(container, ['resources', 'limits', resource])) ?? quantity(defaults.limit[resource]);
    const request = quantity(getPath(container, ['resources', 'requests', resource]))
      ?? quantity(getPath(container, ['resources', 'limits', resource])) ?? quantity(defaults.request[resource]) ?? limit;
    if (request !== undefined) usage.set(`requests.${resource}`, request);
    if (limit !== undefined) usage.set(`limits.${resource}`, limit);
  }
  return usage;
}

function podUsage(podSpec: JsonValue | undefined, defaults: Defaults): Usage {
  const usage: Usage = new Map([['pods', 1]]);
  const containers = getPath(podSpec, ['containers']);
  for (const c of Array.isArray(containers) ? containers.filter(isJsonObject) : []) {
    for (const [key, value] of containerUsage(c, defaults)) add(usage, key, value);
  }
  const inits = getPath(podSpec, ['initContainers']);
  for (const c of Array.isArray(inits) ? inits.filter(isJsonObject) : []) {
    for (const [key, value] of containerUsage(c, defaults)) {
      if (c.restartPolicy === 'Always') add(usage, key, value); // a sidecar runs alongside the containers
      else usage.set(key, Math.max(usage.get(key) ?? 0, value));
    }
  }
  return usage;
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'];

function isWorkload(o: ManifestObject): boolean {
  return o.ref.group === 'apps' && WORKLOAD_KINDS.includes(o.ref.kind);
}

function isClaim(o: ManifestObject): boolean {
  return o.ref.group === '' && o.ref.kind === 'PersistentVolumeClaim';
}

/** What one object adds to its namespace's quota usage, and how it is named in reasons. */
function objectUsage(o: ManifestObject, defaults: Defaults): { usage: Usage; part: string } | undefined {
  const usage: Usage = new Map();
  if (isWorkload(o)) {
    const replicas = typeof getPath(o.obj, ['spec', 'replicas']) === 'number' ? getPath(o.obj, ['spec', 'replicas']) as number : 1;
    for (const [key, value] of podUsage(getPath(o.obj, ['spec', 'template', 'spec']), defaults)) add(usage, key, value * replicas);
    const templates = getPath(o.obj, ['spec', 'volumeClaimTemplates']);
    for (const t of Array.isArray(templates) ? templates.filter(isJsonObject) : []) {
      add(usage, 'persistentvolumeclaims', replicas);
      add(usage, 'requests.storage', (quantity(getPath(t, ['spec', 'resources', 'requests', 'storage'])) ?? 0) * replicas);
    }
    if (replicas === 0) usage.clear();
    return { usage: withQuotaAliases(usage), part: `${o.ref.kind} ${o.ref.name} ×${replicas}` };
  }
  if (isClaim(o)) {
    add(usage, 'persistentvolumeclaims', 1);
    add(usage, 'requests.storage', quantity(getPath(o.obj, ['spec', 'resources', 'requests', 'storage'])) ?? 0);
    return { usage, part: `PVC ${o.ref.name}` };
  }
  return undefined;
}

/** `cpu`/`memory` in a quota mean the requests. */
function withQuotaAliases(usage: Usage): Usage {
  for (const resource of ['cpu', 'memory']) {
    const requested = usage.get(`requests.${resource}`);
    if (requested !== undefined) usage.set(resource, requested);
  }
  return usage;
}

/** Estimated usage of the namespace and, per quota key, what it is made of (for the reason line). */
export function namespaceUsage(objects: readonly ManifestObject[]): { usage: Usage; parts: Map<string, string[]> } {
  const defaults = limitRangeDefaults(objects);
  const usage: Usage = new Map();
  const parts = new Map<string, string[]>();
  for (const o of objects) {
    const found = objectUsage(o, defaults);
    if (found === undefined) continue;
    for (const [key, value] of found.usage) {
      if (value === 0) continue;
      add(usage, key, value);
      note(parts, [key], found.part);
    }
  }
  return { usage, parts };
}

function format(key: string, value: number): string {
  if (/cpu$/.test(key)) return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  if (/memory$|storage$/.test(key)) return `${Number((value / 2 ** 30).toFixed(2))}Gi`;
  return String(value);
}

function quotaRisks(change: ObjectChange, context: ReviewContext): Risk[] {
  const hard = getPath(change.head?.obj, ['spec', 'hard']);
  if (!isJsonObject(hard)) return [];
  const { usage, parts } = namespaceUsage(objectsInNamespace(context.head, change.ref));
  const risks: Risk[] = [];
  for (const key of Object.keys(hard).sort()) {
    const after = quantity(hard[key]);
    const before = quantity(getPath(change.base?.obj, ['spec', 'hard', key]));
    if (after === undefined || (before !== undefined && after >= before)) continue;
    const used = usage.get(key);
    const was = before === undefined ? 'set' : `lowered ${String(getPath(change.base?.obj, ['spec', 'hard', key]))} →`;
    if (used !== undefined && used > after) {
      const what = parts.get(key) ?? [];
      risks.push({
        level: 'danger', rule: RULE,
        reason: `hard ${key} ${was} ${String(hard[key])}, below the ${format(key, used)} of what runs (${what.slice(0, 3).join(', ')}${what.length > 3 ? ', ...' : ''}): new pods are rejected`,
      });
    } else if (before !== undefined) {
      risks.push({ level: 'info', rule: RULE, reason: `hard ${key} ${was} ${String(hard[key])} (standing workloads use ${used === undefined ? 'none' : format(key, used)})` });
    }
  }
  return risks;
}

/** A workload or claim that grows its namespace's usage past a quota that did not change with it. */
function growthRisks(change: ObjectChange, context: ReviewContext): Risk[] {
  const head = change.head!;
  const quotas = objectsInNamespace(context.head, change.ref).filter((o) => o.ref.group === '' && o.ref.kind === 'ResourceQuota');
  if (quotas.length === 0) return [];
  const headObjects = objectsInNamespace(context.head, change.ref);
  const baseObjects = objectsInNamespace(context.base, change.ref);
  const mine = objectUsage(head, limitRangeDefaults(headObjects))?.usage ?? new Map<string, number>();
  const mineBefore = change.base === undefined ? new Map<string, number>() : objectUsage(change.base, limitRangeDefaults(baseObjects))?.usage ?? new Map<string, number>();
  const now = namespaceUsage(headObjects).usage;
  const before = namespaceUsage(baseObjects).usage;
  const risks: Risk[] = [];
  for (const quota of quotas) {
    const hard = getPath(quota.obj, ['spec', 'hard']);
    if (!isJsonObject(hard)) continue;
    for (const key of Object.keys(hard).sort()) {
      const limit = quantity(hard[key]);
      const used = now.get(key);
      if (limit === undefined || used === undefined || used <= limit) continue;
      if ((mine.get(key) ?? 0) <= (mineBefore.get(key) ?? 0)) continue; // this object did not grow it
      if ((before.get(key) ?? 0) > limit) continue; // already above before this change
      risks.push({
        level: 'danger', rule: RULE,
        reason: `${key} of namespace ${change.ref.namespace} grows to ${format(key, used)}, above ResourceQuota ${quota.ref.name} hard ${String(hard[key])}: new pods are rejected`,
      });
    }
  }
  return risks;
}

export const quotaUsageRule: RiskRule = {
  id: RULE,
  summary: 'a ResourceQuota hard limit lowered (or a new quota) below what the standing replicas and PVCs of the namespace request, or a workload growing the namespace past its quota (danger); a quota lowered but still above (info)',
  check(change: ObjectChange, context: ReviewContext): Risk[] {
    if (change.type === 'removed' || change.head === undefined) return [];
    if (change.ref.group === '' && change.ref.kind === 'ResourceQuota') return quotaRisks(change, context);
    if (isWorkload(change.head) || isClaim(change.head)) return growthRisks(change, context);
    return [];
  },
};
