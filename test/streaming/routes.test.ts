/**
 * Routing on a cluster without serving (issue 15): the example's data-processing cluster routes NiFi's UI (HTTPS
 * to NiFi, verified), NiFi's model-serving endpoint (its own API path) and JupyterHub through its own gateway,
 * with the same access rules as the serving routes, and NiFi signs in with Entra ID.
 */
import { buildClusterApp } from '../../charts';
import { PlatformConfig } from '../../lib/config/schema';
import { clusterFacts } from '../../lib/verify/cluster-facts';
import { networkFlowRule } from '../../lib/verify/network-flows';
import { ManifestJson } from '../../lib/synth/cluster-context';
import { editCluster, exampleFlowCluster } from '../verify/flow-cluster';
import { exampleConfig, findManifest, Manifest, synthClusterLayers } from '../util';

const layers = synthClusterLayers('data-processing');
const workloads = layers.workloads;
const all = Object.values(layers).flat();

describe('the data-processing cluster routes NiFi and JupyterHub', () => {
  test('one Gateway with an HTTPS listener per served host: routing.hostname and routing.hosts', () => {
    const gateway = findManifest(layers.platform, 'Gateway', 'data-gateway', 'gateway');
    expect(gateway.spec.listeners.map((l: { name: string; hostname?: string }) => [l.name, l.hostname])).toEqual([
      ['http', undefined],
      ['https-data-example-com', 'data.example.com'],
      ['https-nifi-example-com', 'nifi.example.com'],
      ['https-notebooks-example-com', 'notebooks.example.com'],
    ]);
  });

  test('the three routes: hosts, paths, backends; the NiFi UI sets the proxy headers NiFi builds its URLs from', () => {
    const route = (name: string) => findManifest(workloads, 'HTTPRoute', name, 'gateway').spec;
    expect(route('nifi')).toMatchObject({
      hostnames: ['nifi.example.com'],
      parentRefs: [{ name: 'data-gateway', namespace: 'gateway', sectionName: 'https-nifi-example-com' }],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'nifi', namespace: 'nifi', port: 8443 }],
        filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [
          { name: 'X-ProxyHost', value: 'nifi.example.com' }, { name: 'X-ProxyPort', value: '443' }, { name: 'X-ProxyScheme', value: 'https' },
        ] } }],
      }],
    });
    expect(route('nifi-http-endpoint')).toMatchObject({
      hostnames: ['data.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/model_serving' } }], backendRefs: [{ name: 'nifi', namespace: 'nifi', port: 9192 }] }],
    });
    expect(route('nifi-http-endpoint').rules[0].filters).toBeUndefined();
    // the hub's host is the callback URL's (https://notebooks.example.com/hub/oauth_callback)
    expect(route('jupyterhub')).toMatchObject({
      hostnames: ['notebooks.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'proxy-public', namespace: 'jupyter', port: 80 }] }],
    });
  });

  test('backend TLS to NiFi: verified against the CA of its certificate Secret, for the in-cluster name', () => {
    expect(findManifest(workloads, 'BackendTLSPolicy', 'nifi-https-backend-tls', 'nifi').spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'nifi', sectionName: 'https' }],
      validation: { caCertificateRefs: [{ group: '', kind: 'Secret', name: 'nifi-tls' }], hostname: 'nifi.nifi.svc.cluster.local' },
    });
    expect(all.filter((m) => m.kind === 'BackendTLSPolicy')).toHaveLength(1);
    // the Service port the policy names is NiFi's HTTPS port
    expect(findManifest(workloads, 'Service', 'nifi', 'nifi').spec.ports).toContainEqual({ name: 'https', port: 8443, targetPort: 8443 });
  });

  test('access rules: each backend admits only the gateway\'s proxies on its ports; the proxies reach exactly them', () => {
    const ingress = (name: string, namespace: string) => findManifest(workloads, 'NetworkPolicy', name, namespace).spec;
    const proxies = {
      'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway',
      'gateway.envoyproxy.io/owning-gateway-name': 'data-gateway', 'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway',
    };
    const fromProxies = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: { matchLabels: proxies } }];
    expect(ingress('nifi-from-gateway', 'nifi')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nifi', 'app.kubernetes.io/instance': 'nifi' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: fromProxies, ports: [{ protocol: 'TCP', port: 8443 }, { protocol: 'TCP', port: 9192 }] }],
    });
    expect(ingress('proxy-public-from-gateway', 'jupyter')).toEqual({
      podSelector: { matchLabels: { component: 'proxy', app: 'jupyterhub', release: 'jupyterhub' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: fromProxies, ports: [{ protocol: 'TCP', port: 8000 }] }],
    });
    expect(findManifest(workloads, 'NetworkPolicy', 'routes-to-backends', 'gateway').spec.podSelector).toEqual({ matchLabels: proxies });
    const egress = findManifest(workloads, 'NetworkPolicy', 'routes-to-backends', 'gateway').spec.egress;
    expect(egress.map((rule: any) => [rule.to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'], rule.to[0].podSelector.matchLabels, rule.ports.map((p: any) => p.port)])).toEqual([
      ['jupyter', { app: 'jupyterhub', component: 'proxy', release: 'jupyterhub' }, [8000]],
      ['nifi', { 'app.kubernetes.io/instance': 'nifi', 'app.kubernetes.io/name': 'nifi' }, [8443, 9192]],
    ]);
    // ReferenceGrants name exactly the routed Services
    expect(findManifest(workloads, 'ReferenceGrant', 'routes-from-gateway', 'nifi').spec.to).toEqual([{ group: '', kind: 'Service', name: 'nifi' }]);
    expect(findManifest(workloads, 'ReferenceGrant', 'routes-from-gateway', 'jupyter').spec.to).toEqual([{ group: '', kind: 'Service', name: 'proxy-public' }]);
  });

  test('NiFi accepts the public host, signs in with Entra ID and reaches only public addresses on 443 beyond its other rules', () => {
    const sts = findManifest(workloads, 'StatefulSet', 'nifi', 'nifi');
    const env = sts.spec.template.spec.containers[0].env;
    expect(env.find((e: { name: string }) => e.name === 'NIFI_WEB_PROXY_HOST').value.split(',')).toContain('nifi.example.com:443');
    expect(env.map((e: { name: string }) => e.name)).not.toContain('SINGLE_USER_CREDENTIALS_PASSWORD');
    const script: string = sts.spec.template.spec.initContainers[0].command[2];
    expect(script).toContain("prop nifi.security.user.oidc.discovery.url 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0/.well-known/openid-configuration' || exit 1");
    expect(script).toContain("prop nifi.security.user.oidc.client.id '00000000-0000-0000-0000-000000000302' || exit 1");
    expect(sts.spec.template.spec.initContainers[0].env).toContainEqual({ name: 'NIFI_OIDC_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'nifi-entra', key: 'client-secret' } } });
    // Entra ID puts preferred_username (the identity claim) into the ID token only with the profile scope; upn as fallback
    expect(script).toContain("prop nifi.security.user.oidc.additional.scopes 'offline_access,profile' || exit 1");
    expect(script).toContain("prop nifi.security.user.oidc.claim.identifying.user 'preferred_username' || exit 1");
    expect(script).toContain("prop nifi.security.user.oidc.fallback.claims.identifying.user 'upn' || exit 1");
    // listens on every interface (kubectl port-forward reaches 127.0.0.1 in the pod)
    expect(env).toContainEqual({ name: 'NIFI_WEB_HTTPS_HOST', value: '0.0.0.0' });
    expect(findManifest(workloads, 'NetworkPolicy', 'nifi-public-https-egress', 'nifi').spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.169.254/32'] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
  });

  test('the cluster facts name what NiFi\'s certificate must cover beside its Secret (Jetty SNI host check; not checkable from dist/)', () => {
    const { context } = buildClusterApp('example', exampleConfig(), 'data-processing');
    expect(clusterFacts(context).externalSecrets?.['nifi/nifi-tls']).toBe(
      'clusters.data-processing.streaming.nifi.tls.secretName (created outside dist/; tls.crt must name DNS nifi.nifi.svc.cluster.local, nifi.nifi.svc, nifi.example.com, '
      + 'and localhost for kubectl port-forward: Jetty\'s SNI host check, docs/streaming.md)');
  });

  test('the chart opens no proxy port to everybody', () => {
    expect(findManifest(workloads, 'HelmRelease', 'jupyterhub', 'jupyter').spec.values.proxy.chp.networkPolicy).toEqual({ allowedIngressPorts: [] });
  });
});

describe('the verifier\'s network-flows rule covers the new flows', () => {
  const cluster = exampleFlowCluster('data-processing');
  const flows = cluster.facts.flows;
  const isPolicy = (obj: ManifestJson, namespace: string, name: string) => obj.kind === 'NetworkPolicy' && obj.metadata.namespace === namespace && obj.metadata.name === name;

  test('declared: gateway proxies to NiFi (8443, 9192) and the hub proxy (8000); NiFi to public addresses on 443', () => {
    const key = (f: typeof flows[number]) => `${'cidr' in f.from ? f.from.cidr : f.from.namespace} -> ${'cidr' in f.to ? f.to.cidr : f.to.namespace}:${f.port}`;
    expect(flows.map(key)).toEqual(expect.arrayContaining(['gateway -> nifi:8443', 'gateway -> nifi:9192', 'gateway -> jupyter:8000', 'nifi -> 0.0.0.0/0:443']));
    // from the proxies, not from every pod of the gateway namespace
    expect(flows.filter((f) => f.purpose.startsWith('gateway proxies to route backend')).every((f) => !('cidr' in f.from) && f.from.podLabels['app.kubernetes.io/name'] === 'envoy')).toBe(true);
    expect(networkFlowRule(cluster)).toEqual([]);
  });

  test('the gateway admission of NiFi removed: the gateway cannot reach NiFi', () => {
    const faults = networkFlowRule(editCluster(cluster, (manifests) => manifests.filter((obj) => !isPolicy(obj, 'nifi', 'nifi-from-gateway'))));
    expect(new Set(faults.map((f) => f.object))).toEqual(new Set(['StatefulSet/nifi/nifi']));
    expect(faults.map((f) => f.message).join('\n')).toMatch(/route backend nifi\/nifi.*8443\/TCP|8443\/TCP.*route backend nifi\/nifi/);
  });

  // Without Spark submission: its API server rule opens 443 to any address (apiServerEgressRule), which would
  // also carry the flow to public addresses.
  const noSubmission = (() => {
    const config = exampleConfig();
    delete config.clusters['data-processing'].streaming!.nifi!.sparkSubmission;
    return exampleFlowCluster('data-processing', config);
  })();

  test('NiFi\'s public egress on another port: the flow to public addresses on 443 is denied', () => {
    expect(networkFlowRule(noSubmission)).toEqual([]);
    const faults = networkFlowRule(editCluster(noSubmission, (manifests) => manifests.map((obj) => isPolicy(obj, 'nifi', 'nifi-public-https-egress')
      ? { ...obj, spec: { ...(obj as any).spec, egress: [{ ...(obj as any).spec.egress[0], ports: [{ protocol: 'TCP', port: 8443 }] }] } } as ManifestJson : obj)));
    expect(faults.map((f) => f.object)).toEqual(['StatefulSet/nifi/nifi']);
    expect(faults[0].message).toContain('0.0.0.0/0 except 10.0.0.0/8');
  });

  test('an egress that excludes more than the private ranges (here 100.64.0.0/10, public) does not cover the flow to public addresses', () => {
    const faults = networkFlowRule(editCluster(noSubmission, (manifests) => manifests.map((obj) => isPolicy(obj, 'nifi', 'nifi-public-https-egress')
      ? { ...obj, spec: { ...(obj as any).spec, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10'] } }], ports: [{ protocol: 'TCP', port: 443 }] }] } } as ManifestJson : obj)));
    expect(faults.map((f) => f.object)).toEqual(['StatefulSet/nifi/nifi']);
  });
});

describe('NiFi calling a route of its own cluster', () => {
  function withCall(): PlatformConfig {
    const config = exampleConfig();
    config.clusters['data-processing'].streaming!.nifi!.calls = { routes: ['jupyterhub'] };
    return config;
  }

  test('egress to the gateway\'s proxies on their HTTPS container port, and the verifier passes', () => {
    const workloadsOf = synthClusterLayers('data-processing', withCall()).workloads as Manifest[];
    expect(findManifest(workloadsOf, 'NetworkPolicy', 'nifi-calls-routes', 'nifi').spec.egress).toEqual([{
      to: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } },
        podSelector: { matchLabels: {
          'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway',
          'gateway.envoyproxy.io/owning-gateway-name': 'data-gateway', 'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway',
        } },
      }],
      ports: [{ protocol: 'TCP', port: 10443 }],
    }]);
    // only Entra ID is left for the public egress
    expect(workloadsOf.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'nifi-public-https-egress')).toHaveLength(1);
    const cluster = exampleFlowCluster('data-processing', withCall());
    expect(cluster.facts.flows.some((f) => f.purpose === 'NiFi calls the routes jupyterhub of this cluster' && f.port === 10443)).toBe(true);
    expect(networkFlowRule(cluster)).toEqual([]);
  });
});

describe('the same routes in routing mode ingress', () => {
  test('JupyterHub and the NiFi endpoint become Ingresses in their namespaces, admitted from the controller namespace only', () => {
    const config = exampleConfig();
    const cluster = config.clusters['data-processing'];
    cluster.routing = { ...cluster.routing!, mode: 'ingress', gateway: undefined, tls: { secretName: 'data-tls' }, ingress: { className: 'webapprouting.kubernetes.azure.com', controllerNamespace: 'app-routing-system' } };
    delete cluster.streaming!.nifi!.route; // the UI needs backend TLS: a config error in ingress mode
    const layersOf = synthClusterLayers('data-processing', config);
    const objects = Object.values(layersOf).flat();
    expect(objects.filter((m) => ['Gateway', 'HTTPRoute', 'BackendTLSPolicy', 'ReferenceGrant'].includes(m.kind))).toEqual([]);
    const hub = findManifest(layersOf.workloads, 'Ingress', 'jupyterhub', 'jupyter');
    expect(hub.spec.rules).toEqual([{ host: 'notebooks.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'proxy-public', port: { number: 80 } } } }] } }]);
    const endpoint = findManifest(layersOf.workloads, 'Ingress', 'nifi-http-endpoint', 'nifi');
    expect(endpoint.spec.rules[0].host).toBe('data.example.com');
    expect(findManifest(layersOf.workloads, 'NetworkPolicy', 'proxy-public-from-app-routing-system', 'jupyter').spec.ingress)
      .toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-routing-system' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }]);
    // only the endpoint port of NiFi is routed, so only it is admitted
    expect(findManifest(layersOf.workloads, 'NetworkPolicy', 'nifi-from-app-routing-system', 'nifi').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9192 }]);
  });
});
