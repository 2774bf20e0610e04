/**
 * The gateway's access rules stay exactly as narrow as they were with one egress policy per backend: over every
 * pod of the example serving cluster (each workload's pods, KServe's predictor pods, the gateway's proxies and a
 * stranger pod in every namespace), the (source pod, destination pod, port) triples the NetworkPolicies allow
 * are the same before (the policies of commit 0e12008, in the fixture) and now.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { predictorPodLabels } from '../../lib/serving/kserve-versions';
import { Manifest, synthCluster } from '../util';

type Labels = Record<string, string>;
interface Pod { readonly id: string; readonly namespace: string; readonly labels: Labels }
interface Selector { matchLabels?: Labels; matchExpressions?: { key: string; operator: string; values?: string[] }[] }

function matches(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In': return e.key in labels && e.values!.includes(labels[e.key]);
      case 'NotIn': return !(e.key in labels) || !e.values!.includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: throw new Error(`unknown operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}

/** Does a rule's peer list admit `peer` (seen from a policy in `policyNamespace`)? IP blocks never match pods here. */
function peerAllowed(peers: any[] | undefined, policyNamespace: string, peer: Pod, namespaceLabels: (ns: string) => Labels): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((p) => {
    if (p.ipBlock) return false;
    const namespaceOk = p.namespaceSelector ? matches(p.namespaceSelector, namespaceLabels(peer.namespace)) : peer.namespace === policyNamespace;
    return namespaceOk && matches(p.podSelector, peer.labels);
  });
}

const portAllowed = (ports: any[] | undefined, port: number) => !ports || ports.length === 0 || ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');

/** Every (source, destination, port) the policies allow among `pods` on `ports`. */
function allowedTriples(policies: Manifest[], pods: Pod[], ports: number[], namespaceLabels: (ns: string) => Labels): Set<string> {
  const applying = (pod: Pod, type: 'Ingress' | 'Egress') => policies.filter((p) => p.metadata.namespace === pod.namespace && (p.spec.policyTypes ?? ['Ingress']).includes(type) && matches(p.spec.podSelector, pod.labels));
  const allowed = new Set<string>();
  for (const source of pods) {
    const egress = applying(source, 'Egress');
    for (const destination of pods) {
      const ingress = applying(destination, 'Ingress');
      for (const port of ports) {
        const out = egress.length === 0 || egress.some((p) => (p.spec.egress ?? []).some((r: any) => portAllowed(r.ports, port) && peerAllowed(r.to, p.metadata.namespace!, destination, namespaceLabels)));
        const into = ingress.length === 0 || ingress.some((p) => (p.spec.ingress ?? []).some((r: any) => portAllowed(r.ports, port) && peerAllowed(r.from, p.metadata.namespace!, source, namespaceLabels)));
        if (out && into) allowed.add(`${source.id} -> ${destination.id}:${port}`);
      }
    }
  }
  return allowed;
}

/** Every pod of the serving cluster's output, the pods operators and controllers create, and a stranger per namespace. */
function podsOf(manifests: Manifest[]): Pod[] {
  const pods: Pod[] = [];
  for (const m of manifests) {
    const template = m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template : ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(m.kind) ? m.spec.template : undefined;
    if (template) pods.push({ id: `${m.metadata.namespace}/${m.kind}/${m.metadata.name}`, namespace: m.metadata.namespace!, labels: template.metadata?.labels ?? {} });
    if (m.kind === 'InferenceService') pods.push({ id: `${m.metadata.namespace}/predictor/${m.metadata.name}`, namespace: m.metadata.namespace!, labels: { ...predictorPodLabels(m.metadata.name) } });
    if (m.kind === 'Gateway') {
      // The gateway's proxies. Their exact labels do not matter here: the gateway namespace's policies select every pod.
      pods.push({ id: `${m.metadata.namespace}/proxy/${m.metadata.name}`, namespace: m.metadata.namespace!, labels: { 'app.kubernetes.io/name': 'envoy', 'gateway.envoyproxy.io/owning-gateway-name': m.metadata.name, 'gateway.envoyproxy.io/owning-gateway-namespace': m.metadata.namespace! } });
    }
  }
  for (const ns of manifests.filter((m) => m.kind === 'Namespace')) pods.push({ id: `${ns.metadata.name}/stranger`, namespace: ns.metadata.name, labels: { app: 'stranger' } });
  return pods;
}

test('the example serving cluster allows exactly the same (source, destination, port) triples as with one egress policy per backend', () => {
  const manifests = synthCluster('serving');
  const now = manifests.filter((m) => m.kind === 'NetworkPolicy');
  const fixture = path.join(__dirname, 'fixtures', 'serving-network-policies-0e12008.yaml');
  const before = (yaml.loadAll(fs.readFileSync(fixture, 'utf8')) as Manifest[]).filter(Boolean);
  // The per-backend egress policies are gone from the gateway namespace; one policy took their place.
  expect(before.filter((p) => p.metadata.namespace === 'gateway' && p.metadata.name.startsWith('to-')).length).toBe(8);
  expect(now.filter((p) => p.metadata.namespace === 'gateway').map((p) => p.metadata.name).sort())
    .toEqual(['allow-dns-egress', 'default-deny-all', 'ml-gateway-control-plane', 'ml-gateway-listeners', 'routes-to-backends']);

  const namespaces = new Map(manifests.filter((m) => m.kind === 'Namespace').map((ns) => [ns.metadata.name, { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name }]));
  const namespaceLabels = (ns: string) => namespaces.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
  const pods = podsOf(manifests);
  const ports = [...new Set([...before, ...now].flatMap((p) => [...(p.spec.egress ?? []), ...(p.spec.ingress ?? [])].flatMap((r: any) => (r.ports ?? []).map((x: any) => x.port))))].sort();
  const allowedBefore = allowedTriples(before, pods, ports, namespaceLabels);
  const allowedNow = allowedTriples(now, pods, ports, namespaceLabels);
  // The comparison means something: the gateway reaches every routed backend, and nothing else, on its port.
  const fromProxy = [...allowedNow].filter((t) => t.startsWith('gateway/proxy/'));
  expect(fromProxy.filter((t) => !t.includes('-> gateway/'))).toEqual(expect.arrayContaining([
    'gateway/proxy/ml-gateway -> models/predictor/iris:8080',
    'gateway/proxy/ml-gateway -> microservices/Deployment/featurespace:5000',
    'gateway/proxy/ml-gateway -> mlflow/Deployment/mlflow:5000',
  ]));
  expect([...allowedNow].filter((t) => !allowedBefore.has(t))).toEqual([]);
  expect([...allowedBefore].filter((t) => !allowedNow.has(t))).toEqual([]);
});
