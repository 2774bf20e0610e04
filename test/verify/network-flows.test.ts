/** The network-flows rule on small hand-written clusters: one test per NetworkPolicy semantic it models. */
import { networkFlowRule } from '../../lib/verify/network-flows';
import { cidrWithin, cidrsOverlap } from '../../lib/verify/network-policy-model';
import { ManifestJson } from '../../lib/synth/cluster-context';
import { DeclaredFlow, VerifiedCluster, VerifyFault } from '../../lib/verify/types';

type Json = Record<string, any>;

function deployment(namespace: string, name: string, labels: Record<string, string>, ports: Json[] = []): ManifestJson {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'x:1', ports }] } } },
  };
}

function policy(namespace: string, name: string, spec: Json): ManifestJson {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function namespace(name: string, labels: Record<string, string> = {}): ManifestJson {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

const denyAll = (ns: string) => policy(ns, 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const pods = (ns: string, labels: Record<string, string>) => ({ namespace: ns, podLabels: labels });

function cluster(manifests: ManifestJson[], flows: DeclaredFlow[]): VerifiedCluster {
  return {
    facts: { environment: 'test', cluster: 'c', kubernetesVersion: '1.31', pools: [], preexistingNamespaces: { 'kube-system': 'AKS' }, flows, acceptedFaults: [] },
    folders: [{ folder: 'workloads', manifests }],
  };
}

const run = (manifests: ManifestJson[], flows: DeclaredFlow[]): VerifyFault[] => networkFlowRule(cluster(manifests, flows));
const objects = (faults: VerifyFault[]) => faults.map((f) => f.object);
/** Faults about declared flows only (a denied flow also leaves its ingress rule unused, which the other check reports). */
const flowObjects = (faults: VerifyFault[]) => objects(faults.filter((f) => f.message.startsWith('Declared flow')));

const client = deployment('a', 'client', { app: 'client' });
const server = deployment('b', 'server', { app: 'server' }, [{ name: 'http', containerPort: 8080 }]);
const flow: DeclaredFlow = { purpose: 'client to server', from: pods('a', { app: 'client' }), to: pods('b', { app: 'server' }), port: 8080 };
const egressToServer = (ports: Json[] = [{ protocol: 'TCP', port: 8080 }]) => policy('a', 'client-egress', {
  podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'],
  egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } }, podSelector: { matchLabels: { app: 'server' } } }], ports }],
});
const ingressFromClient = (ports: Json[] = [{ protocol: 'TCP', port: 8080 }], from: Json[] = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } }, podSelector: { matchLabels: { app: 'client' } } }]) =>
  policy('b', 'server-ingress', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [{ from, ports }] });

describe('declared flows', () => {
  test('pods no policy selects are not isolated: the flow is allowed', () => {
    expect(run([client, server], [flow])).toEqual([]);
  });

  test('a default deny on the source isolates its egress: the fault names the source workload', () => {
    const faults = run([client, server, denyAll('a')], [flow]);
    expect(flowObjects(faults)).toEqual(['Deployment/a/client']);
    expect(faults[0].message).toContain('egress');
    expect(faults[0].message).toContain('NetworkPolicy/a/default-deny-all');
  });

  test('both ends must allow: egress allowed but the destination isolated for ingress is a fault on the destination', () => {
    const faults = run([client, server, denyAll('a'), denyAll('b'), egressToServer()], [flow]);
    expect(flowObjects(faults)).toEqual(['Deployment/b/server']);
    expect(faults[0].message).toContain('ingress');
  });

  test('egress and ingress rules that match the peers and the port allow the flow', () => {
    expect(run([client, server, denyAll('a'), denyAll('b'), egressToServer(), ingressFromClient()], [flow])).toEqual([]);
  });

  test('a podSelector without namespaceSelector selects pods of the policy namespace only', () => {
    const faults = run([client, server, denyAll('b'), ingressFromClient(undefined, [{ podSelector: { matchLabels: { app: 'client' } } }])], [flow]);
    expect(flowObjects(faults)).toEqual(['Deployment/b/server']);
  });

  test('a namespaceSelector matches the namespace labels of the Namespace object', () => {
    const from = [{ namespaceSelector: { matchLabels: { team: 'x' } } }];
    expect(run([namespace('a', { team: 'x' }), client, server, denyAll('b'), ingressFromClient(undefined, from)], [flow])).toEqual([]);
    expect(flowObjects(run([namespace('a', { team: 'y' }), client, server, denyAll('b'), ingressFromClient(undefined, from)], [flow]))).toEqual(['Deployment/b/server']);
  });

  test('matchExpressions: In, NotIn, Exists, DoesNotExist', () => {
    const expr = (e: Json) => [{ namespaceSelector: {}, podSelector: { matchExpressions: [e] } }];
    const ok = (e: Json) => flowObjects(run([client, server, denyAll('b'), ingressFromClient(undefined, expr(e))], [flow])).length === 0;
    expect(ok({ key: 'app', operator: 'In', values: ['client', 'x'] })).toBe(true);
    expect(ok({ key: 'app', operator: 'NotIn', values: ['client'] })).toBe(false);
    expect(ok({ key: 'app', operator: 'Exists' })).toBe(true);
    expect(ok({ key: 'app', operator: 'DoesNotExist' })).toBe(false);
  });

  test('a named port resolves through the destination pod template container ports', () => {
    expect(run([client, server, denyAll('b'), ingressFromClient([{ protocol: 'TCP', port: 'http' }])], [flow])).toEqual([]);
    expect(flowObjects(run([client, server, denyAll('b'), ingressFromClient([{ protocol: 'TCP', port: 'metrics' }])], [flow]))).toEqual(['Deployment/b/server']);
  });

  test('endPort opens a range, and a declared range needs one entry that covers it', () => {
    expect(run([client, server, denyAll('b'), ingressFromClient([{ protocol: 'TCP', port: 8000, endPort: 8100 }])], [flow])).toEqual([]);
    const range: DeclaredFlow = { ...flow, port: 8000, endPort: 9000 };
    expect(flowObjects(run([client, server, denyAll('b'), ingressFromClient([{ protocol: 'TCP', port: 8000, endPort: 8100 }])], [range]))).toEqual(['Deployment/b/server']);
  });

  test('the protocol must match (TCP by default)', () => {
    expect(flowObjects(run([client, server, denyAll('b'), ingressFromClient([{ protocol: 'UDP', port: 8080 }])], [flow]))).toEqual(['Deployment/b/server']);
    expect(run([client, server, denyAll('b'), ingressFromClient([{ port: 8080 }])], [flow])).toEqual([]);
  });

  test('without policyTypes, a policy with an egress section isolates egress as well', () => {
    const p = policy('a', 'no-types', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] });
    expect(flowObjects(run([client, server, p], [flow]))).toEqual(['Deployment/a/client']);
    const ingressOnly = policy('a', 'ingress-only', { podSelector: {} });
    expect(run([client, server, ingressOnly], [flow])).toEqual([]);
  });

  test('ipBlock admits an address range inside cidr and outside every except; never pods', () => {
    const out = (cidr: string): DeclaredFlow => ({ purpose: 'to storage', from: pods('a', { app: 'client' }), to: { cidr }, port: 443 });
    const p = policy('a', 'storage', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] }] });
    expect(run([client, p], [out('10.2.0.0/16')])).toEqual([]);
    expect(flowObjects(run([client, p], [out('10.1.2.0/24')]))).toEqual(['Deployment/a/client']);
    expect(flowObjects(run([client, p], [out('0.0.0.0/0')]))).toEqual(['Deployment/a/client']);
    const toPods = policy('a', 'pods-by-ip', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    expect(flowObjects(run([client, server, toPods], [flow]))).toEqual(['Deployment/a/client']);
  });

  test('a flow whose source or destination selects no pod is a fault', () => {
    const faults = run([client, server], [{ ...flow, to: pods('b', { app: 'missing' }) }]);
    expect(flowObjects(faults)).toEqual(['Namespace/b']);
    expect(faults[0].message).toContain('selects no pod');
  });

  test('hostNetwork pods are outside NetworkPolicy: a flow to them by labels is reported with the fix', () => {
    const host = deployment('b', 'host', { app: 'host' });
    (host as Json).spec.template.spec.hostNetwork = true;
    expect(flowObjects(run([client, host], [{ ...flow, to: pods('b', { app: 'host' }) }]))).toEqual(['Deployment/b/host']);
  });
});

describe('chart-rendered policies', () => {
  // zero-to-jupyterhub 4.4.0 templates/hub/netpol.yaml appends hub.networkPolicy.egress to the hub pods' policy.
  const hubRelease = (hub: Json): ManifestJson => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'jupyterhub', namespace: 'jupyter' },
    spec: { releaseName: 'jupyterhub', chart: { spec: { chart: 'jupyterhub', version: '4.4.0' } }, values: { hub } },
  });
  const hubToApi: DeclaredFlow = { purpose: 'hub calls the API server', from: pods('jupyter', { component: 'hub', app: 'jupyterhub', release: 'jupyterhub' }), to: { cidr: '0.0.0.0/0' }, port: 443 };

  test('the JupyterHub hub\'s hub.networkPolicy.egress rules count as a policy of the hub pods', () => {
    const portOnly = { networkPolicy: { egress: [{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }] } };
    expect(run([hubRelease(portOnly), denyAll('jupyter')], [hubToApi])).toEqual([]);
    expect(flowObjects(run([hubRelease({}), denyAll('jupyter')], [hubToApi]))).toEqual(['HelmRelease/jupyter/jupyterhub']);
    expect(flowObjects(run([hubRelease({ networkPolicy: { ...portOnly.networkPolicy, enabled: false } }), denyAll('jupyter')], [hubToApi]))).toEqual(['HelmRelease/jupyter/jupyterhub']);
  });
});

describe('undeclared ingress', () => {
  test('an allow-all ingress rule is reported on the policy when no declared flow needs its sources', () => {
    const allowAll = policy('b', 'allow-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });
    const faults = run([client, server, denyAll('b'), allowAll], []);
    expect(objects(faults)).toEqual(['NetworkPolicy/b/allow-all']);
    expect(faults[0].message).toContain('Deployment a/client -> Deployment b/server');
    expect(faults[0].message).toContain('0.0.0.0/0 -> Deployment b/server');
  });

  test('an ingress rule that admits exactly the declared sources is not reported', () => {
    expect(run([client, server, ingressFromClient()], [flow])).toEqual([]);
  });

  test('a listed port that no declared flow uses is reported', () => {
    const faults = run([client, server, ingressFromClient([{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 9090 }])], [flow]);
    expect(objects(faults)).toEqual(['NetworkPolicy/b/server-ingress']);
    expect(faults[0].message).toContain('9090/TCP');
  });

  test('a flow declared from any address covers every source of a rule open to all', () => {
    const open = policy('b', 'public', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }] });
    expect(run([client, server, open], [{ ...flow, from: { cidr: '0.0.0.0/0' } }])).toEqual([]);
    expect(objects(run([client, server, open], [{ ...flow, from: { cidr: '203.0.113.0/24' } }]))).toEqual(['NetworkPolicy/b/public']);
  });
});

test('CIDR arithmetic (IPv4 and IPv6)', () => {
  expect(cidrWithin('10.1.2.3/32', '10.0.0.0/8')).toBe(true);
  expect(cidrWithin('10.0.0.0/8', '10.1.0.0/16')).toBe(false);
  expect(cidrsOverlap('10.0.0.0/8', '10.1.0.0/16')).toBe(true);
  expect(cidrsOverlap('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
  expect(cidrWithin('2001:db8::/48', '2001:db8::/32')).toBe(true);
  expect(cidrWithin('2001:db8::/32', '0.0.0.0/0')).toBe(false);
});
