/**
 * The gateway's access rules stay exactly as narrow as they were with one egress policy per backend: over every
 * pod of the example serving cluster (each workload's pods, KServe's predictor pods, the gateway's proxies and a
 * stranger pod in every namespace), the (source pod, destination pod, port) triples the NetworkPolicies allow
 * are the same for the gateway's proxies with the one merged `routes-to-backends` policy as with one egress policy
 * per backend. Since issue 15 both sides name the proxies by their labels instead of the whole gateway namespace
 * (which also runs cert-manager's HTTP-01 solver pods), so the only triples that went away are those of other
 * pods of the gateway namespace.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { GATEWAY_CONTROLLERS } from '../../lib/serving/gateway-controllers';
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

/** Every (source, destination, port) the policies allow among `pods` on `ports` (with `egressOnly`, what the source's egress allows). */
function allowedTriples(policies: Manifest[], pods: Pod[], ports: number[], namespaceLabels: (ns: string) => Labels, egressOnly = false): Set<string> {
  const applying = (pod: Pod, type: 'Ingress' | 'Egress') => policies.filter((p) => p.metadata.namespace === pod.namespace && (p.spec.policyTypes ?? ['Ingress']).includes(type) && matches(p.spec.podSelector, pod.labels));
  const allowed = new Set<string>();
  for (const source of pods) {
    const egress = applying(source, 'Egress');
    for (const destination of pods) {
      const ingress = applying(destination, 'Ingress');
      for (const port of ports) {
        const out = egress.length === 0 || egress.some((p) => (p.spec.egress ?? []).some((r: any) => portAllowed(r.ports, port) && peerAllowed(r.to, p.metadata.namespace!, destination, namespaceLabels)));
        const into = egressOnly || ingress.length === 0 || ingress.some((p) => (p.spec.ingress ?? []).some((r: any) => portAllowed(r.ports, port) && peerAllowed(r.from, p.metadata.namespace!, source, namespaceLabels)));
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
      // The gateway's proxies, with the labels Envoy Gateway v1.5.0 gives them (the access rules select them by these).
      pods.push({ id: `${m.metadata.namespace}/proxy/${m.metadata.name}`, namespace: m.metadata.namespace!, labels: { ...GATEWAY_CONTROLLERS['envoy-gateway'].proxyPodLabels(m.metadata.name, m.metadata.namespace!) } });
    }
  }
  for (const ns of manifests.filter((m) => m.kind === 'Namespace')) pods.push({ id: `${ns.metadata.name}/stranger`, namespace: ns.metadata.name, labels: { app: 'stranger' } });
  // Near misses: each pod with one of its labels missing, so a selector that lost a label would show.
  const nearMisses = pods.flatMap((pod) => Object.keys(pod.labels).filter(() => Object.keys(pod.labels).length > 1)
    .map((key) => ({ id: `${pod.id}/without-${key}`, namespace: pod.namespace, labels: Object.fromEntries(Object.entries(pod.labels).filter(([k]) => k !== key)) })));
  return [...pods, ...nearMisses];
}

/**
 * The policies as they were with one egress policy per backend in the gateway namespace (`to-<namespace>-<service>`,
 * built by IngressRoutes up to commit 0e12008): one per backend ingress policy `<service>-from-<gateway namespace>`,
 * selecting every proxy and letting it reach that backend's pods on its ports.
 */
function perBackendEgress(policies: Manifest[], gatewayNamespace: string): Manifest[] {
  return policies
    .filter((p) => p.metadata.name.endsWith(`-from-${gatewayNamespace}`) && p.metadata.namespace !== gatewayNamespace)
    .map((p) => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: `to-${p.metadata.namespace}-${p.metadata.name.slice(0, -`-from-${gatewayNamespace}`.length)}`, namespace: gatewayNamespace },
      spec: {
        podSelector: { matchLabels: {} },
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.metadata.namespace } }, podSelector: p.spec.podSelector }], ports: p.spec.ingress[0].ports }],
      },
    }));
}

test('the example serving cluster allows exactly the same (source, destination, port) triples as with one egress policy per backend', () => {
  const manifests = synthCluster('serving');
  const now = manifests.filter((m) => m.kind === 'NetworkPolicy');
  expect(now.filter((p) => p.metadata.namespace === 'gateway' && p.metadata.name.startsWith('to-'))).toEqual([]);
  expect(now.filter((p) => p.metadata.name === 'routes-to-backends').map((p) => p.metadata.namespace)).toEqual(['gateway']);
  const perBackend = perBackendEgress(now, 'gateway');
  const before = [...now.filter((p) => p.metadata.name !== 'routes-to-backends'), ...perBackend];

  // The reconstruction is the old output: the policies of commit 0e12008 (fixture) for the backends both have.
  const fixture = (yaml.loadAll(fs.readFileSync(path.join(__dirname, 'fixtures', 'serving-network-policies-0e12008.yaml'), 'utf8')) as Manifest[]).filter(Boolean);
  const old = new Map(fixture.filter((p) => p.metadata.namespace === 'gateway' && p.metadata.name.startsWith('to-')).map((p) => [p.metadata.name, p.spec]));
  const common = perBackend.filter((p) => old.has(p.metadata.name));
  expect(common.length).toBeGreaterThanOrEqual(3);
  for (const policy of common) expect([policy.metadata.name, policy.spec]).toEqual([policy.metadata.name, old.get(policy.metadata.name)]);

  const namespaces = new Map(manifests.filter((m) => m.kind === 'Namespace').map((ns) => [ns.metadata.name, { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name }]));
  const namespaceLabels = (ns: string) => namespaces.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
  const pods = podsOf(manifests);
  const ports = [...new Set(before.flatMap((p) => [...(p.spec.egress ?? []), ...(p.spec.ingress ?? [])].flatMap((r: any) => (r.ports ?? []).map((x: any) => x.port))))].sort();
  const allowedBefore = allowedTriples(before, pods, ports, namespaceLabels);
  const allowedNow = allowedTriples(now, pods, ports, namespaceLabels);
  // The comparison means something: the gateway reaches the routed backends on their ports.
  expect([...allowedNow]).toEqual(expect.arrayContaining([
    'gateway/proxy/ml-gateway -> models/predictor/iris:8080',
    'gateway/proxy/ml-gateway -> microservices/Deployment/featurespace:5000',
  ]));
  expect([...allowedNow].filter((t) => !allowedBefore.has(t))).toEqual([]);
  expect([...allowedBefore].filter((t) => !allowedNow.has(t))).toEqual([]);
  // Other pods of the gateway namespace (such as cert-manager's HTTP-01 solver pods) reach no backend.
  const proxy = 'gateway/proxy/ml-gateway';
  expect([...allowedNow].filter((t) => t.startsWith('gateway/') && !t.startsWith(`${proxy} -> `))).toEqual([]);
  // And the proxies' egress alone, whatever the destinations' own policies say, is exactly as narrow as before.
  const egressOf = (policies: Manifest[], source: string) => [...allowedTriples(policies, pods, ports, namespaceLabels, true)].filter((t) => t.startsWith(`${source} -> `));
  expect(egressOf(now, proxy).length).toBeGreaterThan(0);
  expect(egressOf(now, proxy)).toEqual(egressOf(before, proxy));
  // The merged egress policy selects only the proxies: a stranger of the gateway namespace gets no egress to backends
  // (one policy per backend selected every pod of the namespace).
  expect(egressOf(before, 'gateway/stranger')).toContain('gateway/stranger -> models/predictor/iris:8080');
  // (SharedGateway's xDS egress to the control plane still selects the whole namespace; it is not a route's.)
  expect(egressOf(now, 'gateway/stranger').filter((t) => !t.includes(' -> envoy-gateway-system/'))).toEqual([]);
});
