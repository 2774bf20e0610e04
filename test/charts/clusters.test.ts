/**
 * Every cluster of the example platform: a snapshot per cluster, and invariants checked over the whole output.
 */
import { exampleEnvironment, synthCluster, synthClusterLayers } from '../util';

const clusterNames = Object.keys(exampleEnvironment().config.clusters).sort();
const outputs = Object.fromEntries(clusterNames.map((name) => [name, synthCluster(name)]));
const all = Object.entries(outputs).flatMap(([cluster, manifests]) => manifests.map((m) => ({ cluster, m })));

/** Namespaces created outside dist/ (by AKS itself or by `flux bootstrap`). */
const EXTERNAL_NAMESPACES = new Set(['kube-system', 'flux-system']);

/** Every container list found anywhere in a manifest, with its JSON path. */
function containerLists(node: unknown, at = ''): { path: string; containers: any[] }[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => containerLists(item, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${at}/${key}`;
    const own = (key === 'containers' || key === 'initContainers') && Array.isArray(value) ? [{ path: here, containers: value }] : [];
    return [...own, ...containerLists(value, here)];
  });
}

describe.each(clusterNames)('cluster %s', (clusterName) => {
  test('snapshot', () => {
    expect(synthClusterLayers(clusterName)).toMatchSnapshot();
  });
});

describe('whole example output', () => {
  test('no two objects of a cluster share kind, namespace and name', () => {
    for (const [cluster, manifests] of Object.entries(outputs)) {
      const keys = manifests.map((m) => `${m.apiVersion.split('/')[0]}|${m.kind}|${m.metadata.namespace ?? ''}|${m.metadata.name}`);
      const duplicates = keys.filter((key, i) => keys.indexOf(key) !== i);
      expect({ cluster, duplicates }).toEqual({ cluster, duplicates: [] });
    }
  });

  test('every namespace an object lives in is created by the same cluster output', () => {
    for (const [cluster, manifests] of Object.entries(outputs)) {
      const created = new Set(manifests.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name));
      const missing = manifests
        .filter((m) => m.metadata.namespace && !created.has(m.metadata.namespace) && !EXTERNAL_NAMESPACES.has(m.metadata.namespace))
        .map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`);
      expect({ cluster, missing }).toEqual({ cluster, missing: [] });
    }
  });

  test('every Namespace enforces a Pod Security level, and only namespaces with a recorded reason relax it', () => {
    for (const { m } of all.filter(({ m }) => m.kind === 'Namespace')) {
      const level = m.metadata.labels?.['pod-security.kubernetes.io/enforce'];
      expect([m.metadata.name, ['restricted', 'baseline', 'privileged'].includes(level!)]).toEqual([m.metadata.name, true]);
      if (level !== 'restricted') expect(m.metadata.annotations?.['platform.ml/pod-security-reason']).toBeTruthy();
    }
  });

  test('every Namespace pins its Pod Security version to its cluster\'s Kubernetes minor (never latest)', () => {
    const config = exampleEnvironment().config;
    for (const [cluster, manifests] of Object.entries(outputs)) {
      const expected = `v${config.clusters[cluster].kubernetesVersion}`;
      for (const ns of manifests.filter((m) => m.kind === 'Namespace')) {
        for (const mode of ['enforce', 'audit', 'warn']) {
          expect([cluster, ns.metadata.name, mode, ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}-version`]]).toEqual([cluster, ns.metadata.name, mode, expected]);
        }
      }
    }
  });

  test('envoy-gateway-system enforces restricted (gateway-helm v1.5.0 containers are restricted-compliant)', () => {
    const ns = outputs.serving.find((m) => m.kind === 'Namespace' && m.metadata.name === 'envoy-gateway-system');
    expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('every namespace the platform creates has a default-deny policy, a quota and container defaults', () => {
    for (const [cluster, manifests] of Object.entries(outputs)) {
      for (const ns of manifests.filter((m) => m.kind === 'Namespace')) {
        const inNs = (kind: string) => manifests.some((m) => m.kind === kind && m.metadata.namespace === ns.metadata.name);
        expect({ cluster, ns: ns.metadata.name, deny: inNs('NetworkPolicy'), quota: inNs('ResourceQuota'), limits: inNs('LimitRange') })
          .toEqual({ cluster, ns: ns.metadata.name, deny: true, quota: true, limits: true });
      }
    }
  });

  test('no Secret is generated: credentials never land in dist/', () => {
    expect(all.filter(({ m }) => m.kind === 'Secret').map(({ m }) => m.metadata.name)).toEqual([]);
  });

  test('every container sets CPU and memory requests and limits', () => {
    const offenders: string[] = [];
    for (const { cluster, m } of all) {
      for (const { path, containers } of containerLists(m)) {
        for (const c of containers) {
          const r = c.resources ?? {};
          const ok = r.requests?.cpu !== undefined && r.requests?.memory !== undefined && r.limits?.cpu !== undefined && r.limits?.memory !== undefined;
          if (!ok) offenders.push(`${cluster} ${m.kind}/${m.metadata.name} ${path}/${c.name}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  test('every object carries the managed-by, environment and cluster labels', () => {
    for (const { cluster, m } of all) {
      expect([m.kind, m.metadata.name, m.metadata.labels]).toEqual([m.kind, m.metadata.name, expect.objectContaining({
        'app.kubernetes.io/managed-by': 'ml-platform-manifests',
        'platform.ml/environment': 'example',
        'platform.ml/cluster': cluster,
      })]);
    }
  });
});

