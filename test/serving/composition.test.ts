/** Where the serving composition puts its objects, and what it leaves out. */
import { synthCluster, synthClusterLayers, exampleConfig } from '../util';

describe('serving composition', () => {
  test('clusters without a serving section get no serving objects; without routing no Gateway API object', () => {
    expect(synthCluster('data-processing').filter((m) => m.kind === 'InferenceService')).toEqual([]);
    const kinds = synthCluster('training').map((m) => m.kind);
    expect(kinds.filter((k) => ['InferenceService', 'HTTPRoute', 'Gateway', 'GatewayClass', 'ReferenceGrant', 'BackendTLSPolicy'].includes(k))).toEqual([]);
  });

  test('routing is a cluster capability: a cluster without serving gets its own gateway', () => {
    const layers = synthClusterLayers('data-processing');
    const gateway = layers.platform.find((m) => m.kind === 'Gateway')!;
    expect(gateway.metadata).toMatchObject({ name: 'data-gateway', namespace: 'gateway', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-example' } });
    expect((gateway.spec as any).listeners.map((l: any) => l.hostname ?? l.name)).toEqual(expect.arrayContaining(['http', 'data.example.com']));
    // the operators that make it work: the gateway controller and cert-manager (routing.tls.clusterIssuer)
    const releases = layers.operators.filter((m) => m.kind === 'HelmRelease').map((m) => m.metadata.name);
    expect(releases).toEqual(expect.arrayContaining(['gateway-controller', 'cert-manager']));
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
