import { ApiObject, Testing } from 'cdk8s';
import { SharedGateway, SharedGatewayProps } from '../../lib/serving/shared-gateway';
import { findManifest, Manifest } from '../util';

const required: SharedGatewayProps = {
  name: 'ml-gateway',
  namespace: 'gateway',
  hostnames: ['ml.example.com'],
  tls: { secretName: 'ml-gateway-tls' },
};

function synth(props: Partial<SharedGatewayProps> = {}): { gateway: SharedGateway; manifests: Manifest[] } {
  const chart = Testing.chart();
  const gateway = new SharedGateway(chart, 'gateway', { ...required, ...props });
  return { gateway, manifests: Testing.synth(chart) as Manifest[] };
}

describe('SharedGateway', () => {
  test('defaults', () => {
    expect(synth().manifests).toMatchSnapshot();
  });

  test('all props', () => {
    const props: Required<SharedGatewayProps> = {
      ...required, hostnames: ['ml.example.com', 'api.example.com'], tls: { secretName: 'tls', clusterIssuer: 'letsencrypt' },
      controller: 'envoy-gateway', className: 'platform', createGatewayClass: false, certManagerNamespace: 'certs',
    };
    const { gateway, manifests } = synth(props);
    const object = findManifest(manifests, 'Gateway', 'ml-gateway', 'gateway');
    expect(object.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt', 'platform.ml/acme-solver': 'http01' });
    expect(object.spec.gatewayClassName).toBe('platform');
    expect(object.spec.listeners.map((l: { name: string; hostname?: string }) => [l.name, l.hostname])).toEqual([
      ['http', undefined], ['https-ml-example-com', 'ml.example.com'], ['https-api-example-com', 'api.example.com'],
    ]);
    expect(manifests.filter((m) => m.kind === 'GatewayClass')).toEqual([]);
    expect(gateway.listenerFor('api.example.com')).toBe('https-api-example-com');
    expect(gateway.listenerFor('other.example.com')).toBeUndefined();
  });

  test('HTTPS listeners terminate TLS with the referenced Secret and accept routes from their own namespace only', () => {
    const listener = findManifest(synth().manifests, 'Gateway', 'ml-gateway').spec.listeners[1];
    expect(listener).toEqual({
      name: 'https-ml-example-com', hostname: 'ml.example.com', protocol: 'HTTPS', port: 443,
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'ml-gateway-tls' }] },
      allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ kind: 'HTTPRoute' }] },
    });
  });

  test('plain HTTP only redirects to HTTPS', () => {
    const redirect = findManifest(synth().manifests, 'HTTPRoute', 'ml-gateway-https-redirect', 'gateway');
    expect(redirect.spec.parentRefs).toEqual([{ name: 'ml-gateway', namespace: 'gateway', sectionName: 'http' }]);
    expect(redirect.spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
  });

  test('the GatewayClass names the Envoy Gateway controller', () => {
    expect(findManifest(synth().manifests, 'GatewayClass', 'envoy-gateway').spec.controllerName).toBe('gateway.envoyproxy.io/gatewayclass-controller');
  });

  test('proxies get their listener ports from anywhere and xDS from the control plane, nothing else', () => {
    const { manifests } = synth();
    const listeners = findManifest(manifests, 'NetworkPolicy', 'ml-gateway-listeners', 'gateway');
    expect(listeners.spec).toEqual({ podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 10080 }, { protocol: 'TCP', port: 10443 }] }] });
    const controlPlane = findManifest(manifests, 'NetworkPolicy', 'ml-gateway-control-plane', 'gateway');
    expect(controlPlane.spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } } }],
      ports: [{ protocol: 'TCP', port: 18000 }],
    }]);
  });

  describe('listeners within the Gateway API limit of 64', () => {
    const hosts = (n: number, parent: string) => Array.from({ length: n }, (_, i) => `m${String(i).padStart(4, '0')}.${parent}`);
    const listeners = (manifests: Manifest[]) => findManifest(manifests, 'Gateway', 'ml-gateway').spec.listeners as { name: string; hostname?: string }[];

    test('63 host names still get one listener each (64 with the HTTP one)', () => {
      const { manifests } = synth({ hostnames: hosts(63, 'models.example.com') });
      expect(listeners(manifests)).toHaveLength(64);
      expect(listeners(manifests).filter((l) => l.hostname?.startsWith('*'))).toEqual([]);
    });

    test('past 63, host names sharing a parent domain share one wildcard listener; others keep their own', () => {
      const { gateway, manifests } = synth({ hostnames: ['ml.example.com', ...hosts(1000, 'models.example.com')] });
      expect(listeners(manifests).map((l) => [l.name, l.hostname])).toEqual([
        ['http', undefined], ['https-ml-example-com', 'ml.example.com'], ['https-wildcard-models-example-com', '*.models.example.com'],
      ]);
      expect(gateway.listenerFor('m0999.models.example.com')).toBe('https-wildcard-models-example-com');
      expect(gateway.listenerFor('ml.example.com')).toBe('https-ml-example-com');
      expect(gateway.listenerFor('other.models.example.com')).toBeUndefined();
      expect(gateway.hostnames).toHaveLength(1001);
    });

    test('too many parent domains to fit even with wildcards: an error that says what to change', () => {
      const spread = Array.from({ length: 64 }, (_, i) => `a.d${i}.example.com`);
      expect(() => synth({ hostnames: spread })).toThrow(/SharedGateway 'gateway': 'hostnames' \(64 hosts\) need 64 HTTPS listeners even with one wildcard listener per parent domain, and a Gateway has at most 64 listeners .*put the hosts under at most 63 parent domains/);
    });
  });

  describe('validation', () => {
    test('names', () => {
      expect(() => synth({ namespace: 'Gateway' })).toThrow(/SharedGateway 'gateway': 'namespace' \("Gateway"\) must be a DNS label/);
      expect(() => synth({ tls: { secretName: 'tls_secret' } })).toThrow(/'tls.secretName' \("tls_secret"\)/);
    });
    test('host names', () => {
      expect(() => synth({ hostnames: [] })).toThrow(/'hostnames' is empty/);
      expect(() => synth({ hostnames: ['localhost'] })).toThrow(/'hostnames' \("localhost"\) is not a fully qualified/);
      expect(() => synth({ hostnames: ['ml.example.com', 'ml.example.com'] })).toThrow(/is listed twice/);
    });
    test('controller', () => {
      expect(() => synth({ controller: 'nginx' as never })).toThrow(/'controller' \("nginx"\) is not supported; use one of envoy-gateway/);
    });
  });

  test('escape hatch', () => {
    expect(ApiObject.of(synth().gateway).kind).toBe('Gateway');
  });

  describe('cert-manager ACME HTTP-01 solver (cert-manager v1.18.2 pkg/issuer/acme/http)', () => {
    const proxies = {
      'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway',
      'gateway.envoyproxy.io/owning-gateway-name': 'ml-gateway', 'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway',
    };
    const solverPolicies = (manifests: Manifest[]) => manifests.filter((m) => m.kind === 'NetworkPolicy' && /acme/.test(m.metadata.name));

    test('with a ClusterIssuer (HTTP-01 by default): solver pods admit only this gateway\'s proxies on 8089, and the proxies may reach them', () => {
      const { gateway, manifests } = synth({ tls: { secretName: 'tls', clusterIssuer: 'letsencrypt' } });
      expect(gateway.acmeSolver).toBe('http01');
      expect(findManifest(manifests, 'NetworkPolicy', 'ml-gateway-acme-http01-solver', 'gateway').spec).toEqual({
        podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: { matchLabels: proxies } }], ports: [{ protocol: 'TCP', port: 8089 }] }],
      });
      expect(findManifest(manifests, 'NetworkPolicy', 'ml-gateway-to-acme-http01-solver', 'gateway').spec).toEqual({
        podSelector: { matchLabels: proxies },
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } } }], ports: [{ protocol: 'TCP', port: 8089 }] }],
      });
    });

    test('the cert-manager controller\'s self-check reaches the proxies on the container port of listener 80 (Envoy Gateway v1.5.0: 10080)', () => {
      const { manifests } = synth({ tls: { secretName: 'tls', clusterIssuer: 'letsencrypt' } });
      expect(findManifest(manifests, 'NetworkPolicy', 'acme-self-check-to-ml-gateway', 'cert-manager').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: { matchLabels: proxies } }], ports: [{ protocol: 'TCP', port: 10080 }] }],
      });
      // The proxies admit the listener container ports from any source already.
      expect(findManifest(manifests, 'NetworkPolicy', 'ml-gateway-listeners', 'gateway').spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 10080 }, { protocol: 'TCP', port: 10443 }] }]);
      const other = synth({ tls: { secretName: 'tls', clusterIssuer: 'letsencrypt' }, certManagerNamespace: 'certs' }).manifests;
      expect(findManifest(other, 'NetworkPolicy', 'acme-self-check-to-ml-gateway', 'certs').metadata.namespace).toBe('certs');
      expect(() => synth({ tls: { secretName: 'tls', clusterIssuer: 'letsencrypt' }, certManagerNamespace: 'Certs' })).toThrow(/SharedGateway 'gateway': 'certManagerNamespace' \("Certs"\) must be a DNS label/);
    });

    test.each([
      ['dns01', { secretName: 'tls', clusterIssuer: 'letsencrypt', acmeSolver: 'dns01' as const }],
      ['a non-ACME issuer', { secretName: 'tls', clusterIssuer: 'internal-ca', acmeSolver: 'none' as const }],
      ['no ClusterIssuer', { secretName: 'tls' }],
    ])('no solver rules with %s', (_name, tls) => {
      expect(solverPolicies(synth({ tls }).manifests)).toEqual([]);
    });

    test('acmeSolver without a ClusterIssuer, and HTTP-01 for wildcard listeners, are errors that say what to change', () => {
      expect(() => synth({ tls: { secretName: 'tls', acmeSolver: 'http01' } })).toThrow(/SharedGateway 'gateway': 'tls.acmeSolver' \("http01"\) needs 'tls.clusterIssuer'.*set clusterIssuer or remove acmeSolver/);
      const many = Array.from({ length: 70 }, (_, i) => `m${i}.models.example.com`);
      expect(() => synth({ hostnames: many, tls: { secretName: 'tls', clusterIssuer: 'letsencrypt' } })).toThrow(/'tls.acmeSolver' is http01, but the 70 host names need wildcard listeners \(such as \*\.models\.example\.com\).*set tls.acmeSolver: dns01/);
      expect(() => synth({ hostnames: many, tls: { secretName: 'tls', clusterIssuer: 'letsencrypt', acmeSolver: 'dns01' } })).not.toThrow();
    });
  });
});
