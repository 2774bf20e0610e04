import { ApiObject, Testing } from 'cdk8s';
import { IngressRoutes, IngressRoutesProps, RouteBackend, RouteSpec } from '../../lib/serving/ingress-routes';
import { SharedGateway } from '../../lib/serving/shared-gateway';
import { findManifest, Manifest } from '../util';

const backends: RouteBackend[] = [
  { namespace: 'microservices', serviceName: 'featurespace', ports: [{ port: 6000, targetPort: 5000 }], podLabels: { 'app.kubernetes.io/name': 'featurespace' } },
  { namespace: 'microservices', serviceName: 'rankingrec', ports: [{ port: 6000, targetPort: 5000 }], podLabels: { 'app.kubernetes.io/name': 'rankingrec' } },
  { namespace: 'models', serviceName: 'iris-predictor', ports: [{ port: 80, targetPort: 8080 }], podLabels: { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor' } },
  { namespace: 'gateway', serviceName: 'status', ports: [{ port: 8080, targetPort: 8080 }], podLabels: { app: 'status' } },
  {
    namespace: 'nifi', serviceName: 'nifi', podLabels: { 'app.kubernetes.io/name': 'nifi' }, ports: [
      { port: 8443, targetPort: 8443, name: 'https', tls: { caSecretName: 'nifi-tls', hostname: 'nifi.nifi.svc.cluster.local' } },
      { port: 9192, targetPort: 9192, name: 'http-endpoint' },
    ],
  },
];
/** Envoy Gateway v1.5.0's labels of the ml-gateway proxies (gateway-controllers.ts): the only pods let through. */
const PROXIES = {
  'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway',
  'gateway.envoyproxy.io/owning-gateway-name': 'ml-gateway', 'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway',
};
const fromProxies = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: { matchLabels: PROXIES } }];
const nifiUi: RouteSpec = { name: 'nifi', host: 'ml.example.com', path: '/', backend: { namespace: 'nifi', service: 'nifi', port: 8443 }, setRequestHeaders: { 'X-ProxyPort': '443', 'X-ProxyHost': 'ml.example.com' } };
const nifiEndpoint: RouteSpec = { name: 'nifi-http-endpoint', host: 'ml.example.com', path: '/model_serving', backend: { namespace: 'nifi', service: 'nifi', port: 9192 } };
const featurespace: RouteSpec = { name: 'featurespace', host: 'ml.example.com', path: '/featurespace', backend: { namespace: 'microservices', service: 'featurespace', port: 6000 } };
const iris: RouteSpec = { name: 'model-iris', host: 'ml.example.com', path: '/models/iris', rewrite: '/', timeoutSeconds: 120, backend: { namespace: 'models', service: 'iris-predictor', port: 80 } };
const tls = { secretName: 'ml-tls', clusterIssuer: 'letsencrypt' };
const ingressTls = { secretName: 'ml-tls' };
const ingress = { className: 'webapprouting.kubernetes.azure.com', controllerNamespace: 'app-routing-system' };

type Mode = 'gateway' | 'ingress';

function synth(routes: RouteSpec[], mode: Mode = 'gateway', extra: Partial<IngressRoutesProps> = {}): { routes: IngressRoutes; manifests: Manifest[] } {
  const chart = Testing.chart();
  const gateway = mode === 'gateway' ? new SharedGateway(chart, 'gateway', { name: 'ml-gateway', namespace: 'gateway', hostnames: ['ml.example.com'], tls }) : undefined;
  const construct = new IngressRoutes(chart, 'routes', mode === 'gateway' ? { routes, backends, gateway, ...extra } : { routes, backends, ingress, tls: ingressTls, ...extra });
  const manifests = (Testing.synth(chart) as Manifest[]).filter((m) => !['Gateway', 'GatewayClass'].includes(m.kind) && !m.metadata.name.startsWith('ml-gateway'));
  return { routes: construct, manifests };
}

describe('IngressRoutes', () => {
  test('defaults', () => {
    expect(synth([featurespace]).manifests).toMatchSnapshot();
  });

  test('all props', () => {
    // gateway and ingress are mutually exclusive: this covers the Ingress rendering; the gateway one is below
    const chart = Testing.chart();
    const props: Required<IngressRoutesProps> = {
      routes: [{ ...featurespace, pathType: 'Exact', rewrite: '/featurespace', timeoutSeconds: 30, maxBodySize: '64Mi' }],
      backends, gateway: undefined as never, ingress, tls: ingressTls, defaultTimeoutSeconds: 90,
    };
    new IngressRoutes(chart, 'routes', { ...props, gateway: undefined });
    const manifests = Testing.synth(chart) as Manifest[];
    const object = findManifest(manifests, 'Ingress', 'featurespace', 'microservices');
    expect(object.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '30',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '30',
      'nginx.ingress.kubernetes.io/rewrite-target': '/featurespace',
      'nginx.ingress.kubernetes.io/proxy-body-size': '64m',
    });
    expect(object.spec.rules[0].http.paths[0]).toEqual({ path: '/featurespace', pathType: 'Exact', backend: { service: { name: 'featurespace', port: { number: 6000 } } } });
  });

  describe('Gateway API rendering', () => {
    test('one HTTPRoute per route in the gateway namespace, attached to the host listener', () => {
      const { manifests } = synth([featurespace, iris]);
      const route = findManifest(manifests, 'HTTPRoute', 'model-iris', 'gateway');
      expect(route.spec).toEqual({
        parentRefs: [{ name: 'ml-gateway', namespace: 'gateway', sectionName: 'https-ml-example-com' }],
        hostnames: ['ml.example.com'],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: '/models/iris' } }],
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
          backendRefs: [{ name: 'iris-predictor', namespace: 'models', port: 80 }],
          timeouts: { request: '120s' },
        }],
      });
      expect(findManifest(manifests, 'HTTPRoute', 'featurespace').spec.rules[0].timeouts).toEqual({ request: '60s' });
    });

    test('exact paths rewrite the full path', () => {
      const { manifests } = synth([{ ...featurespace, pathType: 'Exact', rewrite: '/score' }]);
      expect(findManifest(manifests, 'HTTPRoute', 'featurespace').spec.rules[0].filters[0].urlRewrite.path).toEqual({ type: 'ReplaceFullPath', replaceFullPath: '/score' });
    });

    test('a ReferenceGrant per backend namespace, naming exactly the Services routed to', () => {
      const sameNamespace: RouteSpec = { name: 'status', host: 'ml.example.com', path: '/status', backend: { namespace: 'gateway', service: 'status', port: 8080 } };
      const { routes, manifests } = synth([featurespace, iris, sameNamespace]);
      expect([...routes.referenceGrants.keys()]).toEqual(['microservices', 'models']);
      const grant = findManifest(manifests, 'ReferenceGrant', 'routes-from-gateway', 'microservices');
      expect(grant.apiVersion).toBe('gateway.networking.k8s.io/v1beta1');
      expect(grant.spec).toEqual({
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gateway' }],
        to: [{ group: '', kind: 'Service', name: 'featurespace' }],
      });
    });

    test('access rules: backends admit only the gateway\'s proxies on the target port; the proxies (not the namespace\'s other pods) may reach exactly them', () => {
      const { manifests } = synth([featurespace, iris]);
      const access = findManifest(manifests, 'NetworkPolicy', 'iris-predictor-from-gateway', 'models');
      expect(access.spec).toEqual({
        podSelector: { matchLabels: { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: fromProxies, ports: [{ protocol: 'TCP', port: 8080 }] }],
      });
      const egress = findManifest(manifests, 'NetworkPolicy', 'routes-to-backends', 'gateway');
      expect(egress.spec.podSelector).toEqual({ matchLabels: PROXIES });
      expect(egress.spec.egress).toEqual([
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'microservices' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'featurespace' } } }],
          ports: [{ protocol: 'TCP', port: 5000 }],
        },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'models' } }, podSelector: { matchLabels: { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor' } } }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ]);
      expect(manifests.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === 'gateway')).toHaveLength(1);
    });

    test('the proxies\' egress: one policy for all backends, their pod labels merged into one selector per namespace and port', () => {
      const many: RouteBackend[] = Array.from({ length: 40 }, (_, i) => ({
        namespace: 'models', serviceName: `m${i}-predictor`, ports: [{ port: 80, targetPort: 8080 }], podLabels: { 'serving.kserve.io/inferenceservice': `m${i}`, 'component': 'predictor' },
      }));
      const routes: RouteSpec[] = many.map((b, i) => ({ name: `model-m${i}`, host: 'ml.example.com', path: `/models/m${i}`, backend: { namespace: 'models', service: b.serviceName, port: 80 } }));
      const { manifests } = synth([featurespace, ...routes], 'gateway', { backends: [...backends, ...many] });
      const policies = manifests.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === 'gateway');
      expect(policies.map((p) => p.metadata.name)).toEqual(['routes-to-backends']);
      const models = policies[0].spec.egress.find((rule: any) => rule.to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'] === 'models');
      expect(models.to).toEqual([{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'models' } },
        podSelector: { matchLabels: { component: 'predictor' }, matchExpressions: [{ key: 'serving.kserve.io/inferenceservice', operator: 'In', values: many.map((_, i) => `m${i}`).sort() }] },
      }]);
      expect(models.ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    });

    test('a backend port that serves HTTPS gets a BackendTLSPolicy (v1alpha3, Envoy Gateway 1.5) on its port name, verified against the CA Secret', () => {
      const { manifests, routes } = synth([nifiUi, nifiEndpoint, featurespace]);
      const policies = manifests.filter((m) => m.kind === 'BackendTLSPolicy');
      expect(policies).toEqual([{
        apiVersion: 'gateway.networking.k8s.io/v1alpha3', kind: 'BackendTLSPolicy',
        metadata: { name: 'nifi-https-backend-tls', namespace: 'nifi' },
        spec: {
          targetRefs: [{ group: '', kind: 'Service', name: 'nifi', sectionName: 'https' }],
          validation: { caCertificateRefs: [{ group: '', kind: 'Secret', name: 'nifi-tls' }], hostname: 'nifi.nifi.svc.cluster.local' },
        },
      }]);
      expect([...routes.backendTlsPolicies.keys()]).toEqual(['nifi/nifi:8443']);
      // the plain HTTP endpoint of the same Service and the other backends get none
      expect(synth([nifiEndpoint]).manifests.filter((m) => m.kind === 'BackendTLSPolicy')).toEqual([]);
      // both NiFi ports are admitted from the gateway's proxies only, and the proxies may reach exactly them
      expect(findManifest(manifests, 'NetworkPolicy', 'nifi-from-gateway', 'nifi').spec.ingress).toEqual([{
        from: fromProxies,
        ports: [{ protocol: 'TCP', port: 8443 }, { protocol: 'TCP', port: 9192 }],
      }]);
      expect(findManifest(manifests, 'NetworkPolicy', 'routes-to-backends', 'gateway').spec.egress).toContainEqual({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nifi' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nifi' } } }],
        ports: [{ protocol: 'TCP', port: 8443 }, { protocol: 'TCP', port: 9192 }],
      });
    });

    test('an HTTPS backend with proxy headers (snapshot)', () => {
      expect(synth([nifiUi, nifiEndpoint]).manifests).toMatchSnapshot();
    });

    test('request headers the gateway sets: one RequestHeaderModifier filter, names sorted', () => {
      const route = findManifest(synth([nifiUi]).manifests, 'HTTPRoute', 'nifi', 'gateway');
      expect(route.spec.rules[0].filters).toEqual([{
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'X-ProxyHost', value: 'ml.example.com' }, { name: 'X-ProxyPort', value: '443' }] },
      }]);
      expect(findManifest(synth([featurespace]).manifests, 'HTTPRoute', 'featurespace', 'gateway').spec.rules[0].filters).toBeUndefined();
    });

    test('ReferenceGrants hold at most 16 Services each (Gateway API limit): 40 routed Services make three grants', () => {
      const many: RouteBackend[] = Array.from({ length: 40 }, (_, i) => ({
        namespace: 'models', serviceName: `m${String(i).padStart(2, '0')}-predictor`, ports: [{ port: 80, targetPort: 8080 }], podLabels: { 'serving.kserve.io/inferenceservice': `m${i}` },
      }));
      const routes: RouteSpec[] = many.map((b, i) => ({ name: `model-m${i}`, host: 'ml.example.com', path: `/models/m${i}`, backend: { namespace: 'models', service: b.serviceName, port: 80 } }));
      const { routes: construct, manifests } = synth(routes, 'gateway', { backends: [...backends, ...many] });
      const grants = manifests.filter((m) => m.kind === 'ReferenceGrant');
      expect(grants.map((g) => g.metadata.name)).toEqual(['routes-from-gateway', 'routes-from-gateway-2', 'routes-from-gateway-3']);
      expect(grants.map((g) => g.spec.to.length)).toEqual([16, 16, 8]);
      expect(grants.flatMap((g) => g.spec.to.map((t: any) => t.name))).toEqual(many.map((b) => b.serviceName));
      expect(construct.referenceGrants.get('models')).toHaveLength(3);
    });
  });

  describe('Ingress rendering', () => {
    test('one Ingress per route in the backend namespace, with the class, TLS and timeouts', () => {
      const { routes, manifests } = synth([featurespace], 'ingress');
      const object = findManifest(manifests, 'Ingress', 'featurespace', 'microservices');
      expect(object.spec).toEqual({
        ingressClassName: 'webapprouting.kubernetes.azure.com',
        tls: [{ hosts: ['ml.example.com'] }], // the controller's default certificate: one Secret for every namespace
        rules: [{ host: 'ml.example.com', http: { paths: [{ path: '/featurespace', pathType: 'Prefix', backend: { service: { name: 'featurespace', port: { number: 6000 } } } }] } }],
      });
      expect(object.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('60');
      expect(routes.trafficSourceNamespace).toBe('app-routing-system');
      expect(manifests.filter((m) => m.kind === 'HTTPRoute' || m.kind === 'ReferenceGrant')).toEqual([]);
    });

    test('a prefix rewrite becomes a capture-group regex path', () => {
      const object = findManifest(synth([iris], 'ingress').manifests, 'Ingress', 'model-iris', 'models');
      expect(object.spec.rules[0].http.paths[0]).toMatchObject({ path: '/models/iris(/|$)(.*)', pathType: 'ImplementationSpecific' });
      expect(object.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' });
    });

    test('regular-expression paths use ImplementationSpecific with use-regex', () => {
      const object = findManifest(synth([{ ...featurespace, path: '/api/(.*)', pathType: 'RegularExpression' }], 'ingress').manifests, 'Ingress', 'featurespace');
      expect(object.spec.rules[0].http.paths[0]).toMatchObject({ path: '/api/(.*)', pathType: 'ImplementationSpecific' });
      expect(object.metadata.annotations!['nginx.ingress.kubernetes.io/use-regex']).toBe('true');
    });

    test('access rules admit only the ingress controller namespace', () => {
      const access = findManifest(synth([featurespace], 'ingress').manifests, 'NetworkPolicy', 'featurespace-from-app-routing-system', 'microservices');
      expect(access.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-routing-system' } } }], ports: [{ protocol: 'TCP', port: 5000 }] }]);
    });
  });

  describe('validation', () => {
    test('a backend Service that does not exist', () => {
      expect(() => synth([{ ...featurespace, backend: { namespace: 'microservices', service: 'feature-space', port: 6000 } }]))
        .toThrow(/IngressRoutes 'routes': 'routes\[0\].backend.service' \('feature-space'\) does not exist in namespace 'microservices' in this composition; did you mean 'featurespace'\?/);
      expect(() => synth([{ ...featurespace, backend: { namespace: 'default', service: 'featurespace', port: 6000 } }]))
        .toThrow(/does not exist in namespace 'default'.*Services there: none/);
    });
    test('a port the Service does not have', () => {
      expect(() => synth([{ ...featurespace, backend: { namespace: 'microservices', service: 'featurespace', port: 80 } }]))
        .toThrow(/'routes\[0\].backend.port' \(80\) is not a port of Service 'microservices\/featurespace' \(ports: 6000\)/);
    });
    test('a regular expression with a prefix path type', () => {
      expect(() => synth([{ ...featurespace, path: '/api/(.*)' }])).toThrow(/'routes\[0\].path' \("\/api\/\(\.\*\)"\) looks like a regular expression but pathType is PathPrefix/);
    });
    test('a rewrite of a regular-expression path', () => {
      expect(() => synth([{ ...featurespace, path: '/api/(.*)', pathType: 'RegularExpression', rewrite: '/' }])).toThrow(/'routes\[0\].rewrite' \("\/"\) cannot be combined with pathType RegularExpression/);
    });
    test('two routes that collide', () => {
      expect(() => synth([featurespace, { ...featurespace, name: 'other', path: '/featurespace/' }]))
        .toThrow(/'routes\[1\]' \("other"\) collides with route "featurespace": both match PathPrefix \/featurespace\/ on ml.example.com/);
    });
    test('route names', () => {
      expect(() => synth([featurespace, { ...featurespace, path: '/x' }])).toThrow(/'routes\[1\].name' \("featurespace"\) is used by two routes/);
      expect(() => synth([{ ...featurespace, name: 'Feature' }])).toThrow(/'routes\[0\].name' \("Feature"\) must be a DNS label/);
    });
    test('paths, rewrites and timeouts', () => {
      expect(() => synth([{ ...featurespace, path: 'featurespace' }])).toThrow(/'routes\[0\].path' \("featurespace"\) must start with '\/'/);
      expect(() => synth([{ ...featurespace, rewrite: 'x' }])).toThrow(/'routes\[0\].rewrite' \("x"\) must start with '\/'/);
      expect(() => synth([{ ...featurespace, timeoutSeconds: 0 }])).toThrow(/'routes\[0\].timeoutSeconds' \(0\) must be a whole number of seconds/);
    });
    test('gateway and ingress', () => {
      const chart = Testing.chart();
      expect(() => new IngressRoutes(chart, 'none', { routes: [], backends })).toThrow(/Either gateway or ingress must be specified/);
      const gateway = new SharedGateway(chart, 'gateway', { name: 'g', namespace: 'gateway', hostnames: ['ml.example.com'], tls });
      expect(() => new IngressRoutes(chart, 'both', { routes: [], backends, gateway, ingress, tls })).toThrow(/gateway and ingress are mutually exclusive/);
      expect(() => new IngressRoutes(chart, 'no-tls', { routes: [], backends, ingress })).toThrow(/'tls' is required with 'ingress'/);
      expect(() => new IngressRoutes(chart, 'issuer', { routes: [], backends, ingress, tls })).toThrow(/'tls.clusterIssuer' \(letsencrypt\) cannot be used with 'ingress': one certificate serves every namespace/);
    });
    test('HTTPS backends and request headers need the Gateway API rendering; header names and values', () => {
      expect(() => synth([{ ...nifiUi, setRequestHeaders: undefined }], 'ingress')).toThrow(/'routes\[0\]' \("nifi"\) leads to port 8443 of 'nifi\/nifi', which serves HTTPS; the Ingress rendering cannot verify the backend's certificate/);
      expect(() => synth([{ ...featurespace, setRequestHeaders: { 'X-A': 'b' } }], 'ingress')).toThrow(/'routes\[0\].setRequestHeaders' cannot be expressed in an Ingress/);
      expect(() => synth([{ ...featurespace, setRequestHeaders: { 'X A': 'b' } }])).toThrow(/'routes\[0\].setRequestHeaders' name \("X A"\) is not an HTTP header name/);
      expect(() => synth([{ ...featurespace, setRequestHeaders: { 'X-A': 'b\r\nX-B: c' } }])).toThrow(/'routes\[0\].setRequestHeaders.X-A' must be one line/);
      const unnamed = backends.map((b) => (b.serviceName === 'nifi' ? { ...b, ports: [{ ...b.ports[0], name: undefined }] } : b));
      expect(() => synth([nifiUi], 'gateway', { backends: unnamed })).toThrow(/port 8443 of 'nifi\/nifi' serves HTTPS but has no name/);
    });

    test('a host the gateway has no listener for', () => {
      expect(() => synth([{ ...featurespace, host: 'api.example.com' }])).toThrow(/'routes\[0\].host' \("api.example.com"\) has no HTTPS listener on gateway 'ml-gateway'/);
    });
    test('body size', () => {
      expect(() => synth([{ ...featurespace, maxBodySize: '64Mi' }])).toThrow(/'routes\[0\].maxBodySize' \(64Mi\) cannot be expressed in a Gateway API HTTPRoute/);
      expect(() => synth([{ ...featurespace, maxBodySize: '1.5Gi' }], 'ingress')).toThrow(/'routes\[0\].maxBodySize' \("1.5Gi"\) must be a size as NGINX writes it: a whole number/);
      const nginxForm = (size: string) => (synth([{ ...featurespace, maxBodySize: size }], 'ingress').manifests)
        .find((m) => m.kind === 'Ingress')!.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-body-size'];
      expect(['20m', '20M', '20Mi', '512k', '1g', '1048576'].map(nginxForm)).toEqual(['20m', '20m', '20m', '512k', '1g', '1048576']);
    });
  });

  test('escape hatch', () => {
    const { routes } = synth([featurespace]);
    expect(ApiObject.of(routes.routeObjects.get('featurespace')!).kind).toBe('HTTPRoute');
    expect(ApiObject.of(synth([featurespace], 'ingress').routes.routeObjects.get('featurespace')!).kind).toBe('Ingress');
  });
});
