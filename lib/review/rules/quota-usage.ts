/**
 * Quotas lowered below what runs. A ResourceQuota does not evict running pods, but the API server rejects every new
 * pod (rollout, restart, reschedule) while usage would exceed `hard` (kubernetes ResourceQuota admission,
 * plugin/pkg/admission/resourcequota). Usage is estimated from the head version of dist/: standing replicas of
 * Deployments, StatefulSets and ReplicaSets in the namespace (replicas default 1), their containers' requests and
 * limits (requests default to limits, then to the namespace's LimitRange defaults, as the LimitRanger admission
 * does), init containers counted as max(init, sum of containers), and PVCs (objects and volumeClaimTemplates per
 * replica). DaemonSets (one pod per node) and Jobs are not counted: the node count is not known from dist/.
 */
import { parseQuantity } from '../../core/quantity';
import { isJsonObject, JsonObject, JsonValue } from '../../validation/json';
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

/** Estimated usage of the namespace and what it is made of (for the reason line). */
export function namespaceUsage(objects: readonly ManifestObject[]): { usage: Usage; parts: Map<string, string[]> } {
  const defaults = limitRangeDefaults(objects);
  const usage: Usage = new Map();
  const parts = new Map<string, string[]>();
  for (const o of objects) {
    if (o.ref.group === 'apps' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(o.ref.kind)) {
      const replicas = typeof getPath(o.obj, ['spec', 'replicas']) === 'number' ? getPath(o.obj, ['spec', 'replicas']) as number : 1;
      if (replicas === 0) continue;
      const part = `${o.ref.kind} ${o.ref.name} ×${replicas}`;
      const pod = podUsage(getPath(o.obj, ['spec', 'template', 'spec']), defaults);
      for (const [key, value] of pod) add(usage, key, value * replicas);
      note(parts, [...pod.keys(), 'cpu', 'memory'], part);
      const templates = getPath(o.obj, ['spec', 'volumeClaimTemplates']);
      for (const t of Array.isArray(templates) ? templates.filter(isJsonObject) : []) {
        add(usage, 'persistentvolumeclaims', replicas);
        add(usage, 'requests.storage', (quantity(getPath(t, ['spec', 'resources', 'requests', 'storage'])) ?? 0) * replicas);
        note(parts, ['persistentvolumeclaims', 'requests.storage'], part);
      }
    } else if (o.ref.group === '' && o.ref.kind === 'PersistentVolumeClaim') {
      add(usage, 'persistentvolumeclaims', 1);
      add(usage, 'requests.storage', quantity(getPath(o.obj, ['spec', 'resources', 'requests', 'storage'])) ?? 0);
      note(parts, ['persistentvolumeclaims', 'requests.storage'], `PVC ${o.ref.name}`);
    }
  }
  // `cpu`/`memory` in a quota mean the requests.
  for (const resource of ['cpu', 'memory']) {
    const requested = usage.get(`requests.${resource}`);
    if (requested !== undefined) usage.set(resource, requested);
  }
  return { usage, parts };
}

function format(key: string, value: number): string {
  if (/cpu$/.test(key)) return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  if (/memory$|storage$/.test(key)) return `${Number((value / 2 ** 30).toFixed(2))}Gi`;
  return String(value);
}

export const quotaUsageRule: RiskRule = {
  id: RULE,
  summary: 'a ResourceQuota hard limit lowered (or a new quota) below what the standing replicas and PVCs of the namespace request (danger), or lowered above it (info)',
  check(change: ObjectChange, context: ReviewContext): Risk[] {
    if (change.ref.group !== '' || change.ref.kind !== 'ResourceQuota' || change.head === undefined || change.type === 'removed') return [];
    const hard = getPath(change.head.obj, ['spec', 'hard']);
    if (!isJsonObject(hard)) return [];
    const ref = change.ref;
    const inNamespace = [...context.head.values()].filter((o) => o.ref.environment === ref.environment && o.ref.cluster === ref.cluster && o.ref.namespace === ref.namespace);
    const { usage, parts } = namespaceUsage(inNamespace);
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
  },
};
