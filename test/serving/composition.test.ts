/** Where the serving composition puts its objects, and what it leaves out. */
import { synthCluster, synthClusterLayers, exampleConfig } from '../util';

describe('serving composition', () => {
  test('clusters without a serving section get no serving objects', () => {
    for (const cluster of ['data-processing', 'training']) {
      const kinds = synthCluster(cluster).map((m) => m.kind);
      expect({ cluster, kinds: kinds.filter((k) => ['InferenceService', 'HTTPRoute', 'Gateway', 'GatewayClass', 'ReferenceGrant'].includes(k)) }).toEqual({ cluster, kinds: [] });
    }
  });

  test('the gateway goes to the platform layer; models, services and routes to the workloads layer', () => {
    const layers = synthClusterLayers('serving');
    const kindsOf = (layer: string) => new Set(layers[layer].map((m) => m.kind));
    expect([...kindsOf('platform')]).toEqual(expect.arrayContaining(['Gateway', 'GatewayClass']));
    expect([...kindsOf('workloads')]).toEqual(expect.arrayContaining(['InferenceService', 'Deployment', 'Service', 'HTTPRoute', 'ReferenceGrant', 'NetworkPolicy']));
    expect(kindsOf('workloads').has('Gateway')).toBe(false);
  });

  test('in ingress mode there is no Gateway API object at all', () => {
    const config = exampleConfig();
    const routing = config.clusters.serving.routing!;
    config.clusters.serving.routing = { ...routing, mode: 'ingress', tls: { secretName: routing.tls.secretName }, gateway: undefined, ingress: { className: 'webapprouting.kubernetes.azure.com', controllerNamespace: 'app-routing-system' } };
    const kinds = new Set(synthCluster('serving', config).map((m) => m.kind));
    expect(['Gateway', 'GatewayClass', 'HTTPRoute', 'ReferenceGrant'].filter((k) => kinds.has(k))).toEqual([]);
    expect(kinds.has('Ingress')).toBe(true);
  });

  test('a disabled route leaves the workload internal: no route and no access rule', () => {
    const config = exampleConfig();
    config.clusters.serving.serving!.microservices!.hardskill.route = { enabled: false };
    const manifests = synthCluster('serving', config);
    expect(manifests.filter((m) => m.metadata.name === 'hardskill' && m.kind === 'HTTPRoute')).toEqual([]);
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.name.startsWith('hardskill-from'))).toEqual([]);
    expect(manifests.some((m) => m.kind === 'Deployment' && m.metadata.name === 'hardskill')).toBe(true);
  });
});
