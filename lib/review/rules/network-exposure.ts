/**
 * Network paths opened. NetworkPolicies are additive allow-lists (networking.k8s.io/v1): a pod selected by at least
 * one policy of a direction accepts only what some policy allows, and a rule without peers (`from`/`to`) or without
 * ports allows all of them. A policy admits more when it gains (peer, port) pairs, stops restricting a direction
 * (policyTypes), or selects other pods; a removed policy admits more unless another policy of the namespace still
 * isolates every pod (empty podSelector) in its directions. Gateway API routes admit more with a new route,
 * hostname, parent (listener) or match, and a Gateway with a new or changed listener.
 */
import { compareText } from '../../core/sort';
import { canonicalJson, isJsonObject, JsonObject, JsonValue } from '../../validation/json';
import { shortValue } from '../field-diff';
import { objectsInNamespace } from '../set-index';
import { getPath, ManifestObject, ObjectChange, ReviewContext, Risk, RiskRule } from '../types';

const RULE = 'network-admits-more';
const ANY = '(any)';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

function directions(policy: ManifestObject): string[] {
  const types = getPath(policy.obj, ['spec', 'policyTypes']);
  if (Array.isArray(types)) return types.filter((t): t is string => typeof t === 'string');
  // The API server defaults policyTypes to Ingress, plus Egress when egress rules are present.
  return getPath(policy.obj, ['spec', 'egress']) === undefined ? ['Ingress'] : ['Ingress', 'Egress'];
}

function pairs(policy: ManifestObject | undefined): Set<string> {
  const result = new Set<string>();
  if (policy === undefined) return result;
  for (const direction of directions(policy)) {
    const field = direction === 'Ingress' ? 'ingress' : 'egress';
    const peerField = direction === 'Ingress' ? 'from' : 'to';
    const rules = getPath(policy.obj, ['spec', field]);
    if (!Array.isArray(rules)) continue;
    for (const rule of rules.filter(isJsonObject)) {
      const peers = nonEmpty(rule[peerField]).map((p) => canonicalJson(p));
      const ports = nonEmpty(rule.ports).map((p) => canonicalJson(p));
      for (const peer of peers.length === 0 ? [ANY] : peers) {
        for (const port of ports.length === 0 ? [ANY] : ports) result.add(`${direction}\t${peer}\t${port}`);
      }
    }
  }
  return result;
}

function nonEmpty(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}

/** True for a peer admitting everyone: no peer, 0.0.0.0/0 or ::/0, or all namespaces without a pod selector. */
function openPeer(peer: string): boolean {
  if (peer === ANY) return true;
  const parsed = JSON.parse(peer) as JsonObject;
  const cidr = getPath(parsed, ['ipBlock', 'cidr']);
  if (cidr === '0.0.0.0/0' || cidr === '::/0') return true;
  return isJsonObject(parsed.namespaceSelector) && Object.keys(parsed.namespaceSelector).length === 0 && parsed.podSelector === undefined;
}

function describePair(pair: string): string {
  const [direction, peer, port] = pair.split('\t');
  const who = peer === ANY ? 'anyone' : shortValue(JSON.parse(peer) as JsonValue, 100);
  const what = port === ANY ? 'all ports' : shortValue(JSON.parse(port) as JsonValue, 40);
  return `${direction === 'Ingress' ? 'from' : 'to'} ${who} on ${what}`;
}

function emptySelector(value: JsonValue | undefined): boolean {
  if (!isJsonObject(value)) return value === undefined;
  const labels = value.matchLabels;
  const expressions = value.matchExpressions;
  return (!isJsonObject(labels) || Object.keys(labels).length === 0) && (!Array.isArray(expressions) || expressions.length === 0);
}

function policyRisks(change: ObjectChange, context: ReviewContext): Risk[] {
  if (change.type === 'removed' && change.base !== undefined) {
    const removed = change.base;
    const stillIsolated = directions(removed).every((direction) => objectsInNamespace(context.head, removed.ref).some((other) =>
      other.ref.group === 'networking.k8s.io' && other.ref.kind === 'NetworkPolicy'
      && emptySelector(getPath(other.obj, ['spec', 'podSelector'])) && directions(other).includes(direction)));
    return [stillIsolated
      ? { level: 'info', rule: RULE, reason: 'NetworkPolicy removed; another policy still isolates every pod of the namespace, so only its allowances go' }
      : { level: 'warning', rule: RULE, reason: 'NetworkPolicy removed: the pods it selected may accept traffic it used to restrict (no remaining policy isolates the namespace)' }];
  }
  if (change.type !== 'changed' || change.base === undefined || change.head === undefined) return [];
  const risks: Risk[] = [];
  const before = pairs(change.base);
  const added = [...pairs(change.head)].filter((p) => !before.has(p)).sort(compareText);
  if (added.length > 0) {
    const open = added.some((p) => openPeer(p.split('\t')[1]));
    const shown = added.slice(0, 3).map(describePair).join('; ');
    risks.push({
      level: open ? 'danger' : 'warning', rule: RULE,
      reason: `admits more: ${shown}${added.length > 3 ? ` and ${added.length - 3} more` : ''}`,
    });
  }
  const lost = directions(change.base).filter((d) => !directions(change.head!).includes(d));
  if (lost.length > 0) risks.push({ level: 'warning', rule: RULE, reason: `no longer restricts ${lost.join(' and ')} (policyTypes)` });
  const selectorBefore = getPath(change.base.obj, ['spec', 'podSelector']);
  const selectorAfter = getPath(change.head.obj, ['spec', 'podSelector']);
  if (canonicalJson(selectorBefore ?? null) !== canonicalJson(selectorAfter ?? null)) {
    risks.push({ level: 'warning', rule: RULE, reason: `podSelector ${shortValue(selectorBefore, 50)} → ${shortValue(selectorAfter, 50)}: its rules apply to other pods` });
  }
  return risks;
}

function listOf(object: ManifestObject | undefined, path: readonly string[]): string[] {
  const value = object === undefined ? undefined : getPath(object.obj, path);
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : canonicalJson(v))) : [];
}

function matchesOf(route: ManifestObject | undefined): string[] {
  const rules = route === undefined ? undefined : getPath(route.obj, ['spec', 'rules']);
  if (!Array.isArray(rules)) return [];
  return rules.filter(isJsonObject).flatMap((rule) => {
    const matches = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } }];
    return matches.map((m) => canonicalJson(m));
  });
}

function routeRisks(change: ObjectChange): Risk[] {
  if (change.head === undefined || change.type === 'removed') return [];
  const hosts = listOf(change.head, ['spec', 'hostnames']);
  if (change.type === 'added') {
    return [{
      level: 'warning', rule: RULE,
      reason: `new route: ${hosts.length === 0 ? 'every hostname of its listeners' : hosts.join(', ')}, ${matchesOf(change.head).length} match(es) via ${listOf(change.head, ['spec', 'parentRefs']).map((p) => shortValue(JSON.parse(p) as JsonValue, 100)).join(', ')}`,
    }];
  }
  const fresh = (path: readonly string[]): string[] => {
    const before = listOf(change.base, path);
    return listOf(change.head, path).filter((v) => !before.includes(v));
  };
  const news = [
    ...fresh(['spec', 'hostnames']).map((h) => `hostname ${h}`),
    ...fresh(['spec', 'parentRefs']).map((p) => `parent ${shortValue(JSON.parse(p) as JsonValue, 100)}`),
    ...matchesOf(change.head).filter((m) => !matchesOf(change.base).includes(m)).map((m) => `match ${shortValue(JSON.parse(m) as JsonValue, 60)}`),
  ];
  const risks: Risk[] = [];
  if (listOf(change.base, ['spec', 'hostnames']).length > 0 && hosts.length === 0) {
    risks.push({ level: 'warning', rule: RULE, reason: 'hostnames removed: the route now answers every hostname of its listeners' });
  }
  if (news.length > 0) risks.push({ level: 'warning', rule: RULE, reason: `route admits more: ${news.slice(0, 3).join('; ')}${news.length > 3 ? ` and ${news.length - 3} more` : ''}` });
  return risks;
}

function gatewayRisks(change: ObjectChange): Risk[] {
  if (change.type !== 'changed') return [];
  const byName = (object: ManifestObject | undefined): Map<string, string> => {
    const listeners = object === undefined ? undefined : getPath(object.obj, ['spec', 'listeners']);
    return new Map((Array.isArray(listeners) ? listeners.filter(isJsonObject) : []).map((l) => [String(l.name), canonicalJson(l)]));
  };
  const before = byName(change.base);
  const changed = [...byName(change.head).entries()].filter(([name, body]) => before.get(name) !== body).map(([name]) => name);
  return changed.length === 0 ? [] : [{ level: 'warning', rule: RULE, reason: `new or changed listener(s) ${changed.join(', ')}: what the gateway accepts changes` }];
}

export const networkExposureRule: RiskRule = {
  id: RULE,
  summary: 'a NetworkPolicy admits more (new peers or ports, fewer policyTypes, other pods; danger when open to anyone) or is removed without remaining isolation; a route or Gateway listener admits more',
  check(change: ObjectChange, context: ReviewContext): Risk[] {
    if (change.ref.group === 'networking.k8s.io' && change.ref.kind === 'NetworkPolicy') return policyRisks(change, context);
    if (change.ref.group === GATEWAY_GROUP && /Route$/.test(change.ref.kind)) return routeRisks(change);
    if (change.ref.group === GATEWAY_GROUP && change.ref.kind === 'Gateway') return gatewayRisks(change);
    return [];
  },
};
