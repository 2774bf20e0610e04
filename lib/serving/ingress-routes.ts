import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { declareFlows } from '../core/flows';
import * as gw from '../../imports/gateway.networking.k8s.io';
import * as k8s from '../core/k8s';
import { allowEgressToPods, allowIngressFromNamespace, allowIngressFromPods } from '../core/network-policies';
import { NGINX_SIZE_PATTERN } from './config';
import { RouteBackend } from './route-backend';
import { ResolvedRoute, RouteSpec, resolveRoutes, usedBackends } from './route-checks';
import { GatewayTls, SharedGateway } from './shared-gateway';
import { declareFolderPlacement } from '../core/folder-placement';

export { RouteBackendRef, RoutePathType, RouteSpec } from './route-checks';
export { BackendPort, BackendTls, RouteBackend } from './route-backend';

/**
 * BackendTLSPolicy of the Gateway API bundle Envoy Gateway v1.5.0 installs and watches: v1.3.0, where the kind is
 * `gateway.networking.k8s.io/v1alpha3` (experimental channel; charts/gateway-helm/crds/gatewayapi-crds.yaml, shared
 * as crds-extra/gateway-api-v1.3.0; envoyproxy/gateway v1.5.0 internal/provider/kubernetes/controller.go watches
 * gwapiv1a3.BackendTLSPolicy). Gateway API v1.4 promotes it to v1, which Envoy Gateway 1.5 does not read.
 */
export const BACKEND_TLS_POLICY_API_VERSION = 'gateway.networking.k8s.io/v1alpha3';

/** The Ingress fallback: an Ingress class and where its controller runs. */
export interface IngressControllerRef {
  /** IngressClass name, such as `webapprouting.kubernetes.azure.com` (AKS application routing). */
  readonly className: string;
  /** Namespace of the controller pods: the only namespace let through to backends. */
  readonly controllerNamespace: string;
}

/** Properties for `IngressRoutes`. */
export interface IngressRoutesProps {
  /** The routes, each declared once. */
  readonly routes: readonly RouteSpec[];
  /** Every Service of the composition that routes may point at (from the workload constructs' `backend`). */
  readonly backends: readonly RouteBackend[];
  /**
   * Render as HTTPRoutes attached to this gateway (the primary rendering). Set exactly one of gateway and ingress.
   * @default - no gateway (then `ingress` is required)
   */
  readonly gateway?: SharedGateway;
  /**
   * Render as Ingress objects of this class (the fallback). Set exactly one of gateway and ingress.
   * @default - no ingress (then `gateway` is required)
   */
  readonly ingress?: IngressControllerRef;
  /**
   * TLS of Ingress routes (each Ingress names the Secret in its own namespace). Gateway routes use the gateway's TLS.
   * @default - required with `ingress`
   */
  readonly tls?: GatewayTls;
  /**
   * Request timeout of routes that set none, in seconds.
   * @default 60
   */
  readonly defaultTimeoutSeconds?: number;
}

const NGINX = 'nginx.ingress.kubernetes.io';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const BODY_SIZE = new RegExp(NGINX_SIZE_PATTERN);
/** Most `to` entries of one ReferenceGrant (Gateway API v1.3.0 and v1.4.1 CRDs: spec.to maxItems 16). */
export const MAX_REFERENCE_GRANT_TO = 16;

/**
 * Routes into the cluster, declared once: as Gateway API HTTPRoutes in the shared gateway's namespace (with
 * ReferenceGrants in each backend namespace naming exactly the Services routed to, 16 per grant), or as Ingress
 * objects of a configurable class. Every backend gets a NetworkPolicy that admits traffic only from the gateway's
 * (or ingress controller's) namespace on the target port; with a gateway, one policy in its namespace lets the
 * proxies reach exactly those pods on those ports.
 *
 * Validated at construction: unknown backend Services or ports, regular expressions in non-regex paths, two
 * routes matching the same requests, hosts the gateway has no listener for, and options a rendering cannot
 * express.
 */
export class IngressRoutes extends Construct {
  /** Route objects (HTTPRoute or Ingress) by route name. */
  public readonly routeObjects: ReadonlyMap<string, gw.HttpRoute | k8s.KubeIngress>;
  /** ReferenceGrants by backend namespace, each of at most 16 Services (gateway rendering only). */
  public readonly referenceGrants: ReadonlyMap<string, readonly gw.ReferenceGrant[]>;
  /** The proxies' egress to every backend, in the gateway namespace (gateway rendering only). */
  public readonly gatewayEgressPolicy?: k8s.KubeNetworkPolicy;
  /** Access rules by `<namespace>/<service>`: the NetworkPolicy admitting the gateway or controller namespace. */
  public readonly accessPolicies: ReadonlyMap<string, k8s.KubeNetworkPolicy>;
  /** BackendTLSPolicies by `<namespace>/<service>:<port>`, for backend ports that serve HTTPS (gateway rendering). */
  public readonly backendTlsPolicies: ReadonlyMap<string, ApiObject>;
  /** Namespace that is let through to the backends. */
  public readonly trafficSourceNamespace: string;
  /**
   * Labels of the pods in that namespace that are let through: the gateway's proxies (the controller profile's
   * proxy labels), or every pod of the ingress controller's namespace (its labels are the add-on's).
   */
  public readonly trafficSourcePodLabels: { readonly [key: string]: string };

  constructor(scope: Construct, id: string, props: IngressRoutesProps) {
    super(scope, id);
    declareFolderPlacement(this, 'spread'); // all routes of the gateway: each object on its own in a split layer, so the collection's growth never moves a route
    const routes = this.validateProps(id, props);
    const defaultTimeout = props.defaultTimeoutSeconds ?? 60;
    this.trafficSourceNamespace = props.gateway ? props.gateway.namespace : props.ingress!.controllerNamespace;
    // Only the proxies: the gateway namespace also runs cert-manager's HTTP-01 solver pods, which must not reach
    // the backends (lib/serving/acme-http01-solver-access.ts).
    this.trafficSourcePodLabels = props.gateway ? props.gateway.controller.proxyPodLabels(props.gateway.name, props.gateway.namespace) : {};
    const sourcePods = this.trafficSourcePodLabels;

    const objects = new Map<string, gw.HttpRoute | k8s.KubeIngress>();
    for (const route of routes) {
      const timeout = route.spec.timeoutSeconds ?? defaultTimeout;
      objects.set(route.spec.name, props.gateway
        ? this.httpRoute(props.gateway, route, timeout)
        : this.ingressObject(props.ingress!, route, timeout));
    }
    this.routeObjects = objects;

    const grants = new Map<string, gw.ReferenceGrant[]>();
    const policies = new Map<string, k8s.KubeNetworkPolicy>();
    const backends = usedBackends(routes);
    for (const { backend, ports } of backends) {
      const key = `${backend.namespace}/${backend.serviceName}`;
      const targetPorts = ports.map((port) => port.targetPort);
      declareFlows(this, {
        purpose: `${props.gateway ? 'gateway proxies' : 'ingress controller'} to route backend ${key}`,
        from: { namespace: this.trafficSourceNamespace, podLabels: { ...sourcePods } },
        to: { namespace: backend.namespace, podLabels: { ...backend.podLabels } },
      }, [...new Set(targetPorts)]);
      const access = {
        name: `${backend.serviceName}-from-${this.trafficSourceNamespace}`,
        namespace: backend.namespace,
        podLabels: backend.podLabels,
        fromNamespace: this.trafficSourceNamespace,
        ports: targetPorts,
      };
      policies.set(key, Object.keys(sourcePods).length > 0
        ? allowIngressFromPods(this, `access-${backend.namespace}-${backend.serviceName}`, { ...access, fromPodLabels: sourcePods })
        : allowIngressFromNamespace(this, `access-${backend.namespace}-${backend.serviceName}`, access));
    }
    const tlsPolicies = new Map<string, ApiObject>();
    for (const { backend, ports } of props.gateway ? backends : []) {
      for (const port of ports) {
        if (!port.tls) continue;
        // Envoy Gateway v1.5.0 matches a policy to a route's backendRef by Service and port name
        // (internal/gatewayapi/route.go getTargetBackendReference: sectionName = the Service port's name) and reads
        // the CA from a Secret's `ca.crt` as well as from a ConfigMap (internal/gatewayapi/backendtlspolicy.go
        // getCaCertsFromCARefs, helpers.go getCaCertFromSecret). The Secret is in the backend's namespace, like
        // the policy (references to other namespaces are invalid in v1alpha3).
        const name = `${backend.serviceName}-${port.name}-backend-tls`;
        tlsPolicies.set(`${backend.namespace}/${backend.serviceName}:${port.port}`, new ApiObject(this, `backend-tls-${backend.namespace}-${backend.serviceName}-${port.port}`, {
          apiVersion: BACKEND_TLS_POLICY_API_VERSION,
          kind: 'BackendTLSPolicy',
          metadata: { name, namespace: backend.namespace },
          spec: {
            targetRefs: [{ group: '', kind: 'Service', name: backend.serviceName, sectionName: port.name }],
            validation: {
              caCertificateRefs: [{ group: '', kind: 'Secret', name: port.tls.caSecretName }],
              hostname: port.tls.hostname,
            },
          },
        }));
      }
    }
    this.backendTlsPolicies = tlsPolicies;
    if (props.gateway) {
      const gatewayNamespace = props.gateway.namespace;
      // The proxies' side of the access rules: one policy in the gateway namespace for all backends, one egress
      // rule per backend namespace and target ports, the backends' pod labels merged into label selectors
      // (`serving.kserve.io/inferenceservice In (iris, wine-quality)`). It admits exactly what one policy per
      // backend admitted, whatever the number of backends (test/serving/access-rules.test.ts compares both).
      this.gatewayEgressPolicy = allowEgressToPods(this, 'gateway-egress', {
        name: 'routes-to-backends',
        namespace: gatewayNamespace,
        podLabels: sourcePods,
        rules: backends.map(({ backend, ports }) => ({ namespace: backend.namespace, podLabelSets: [backend.podLabels], ports: ports.map((port) => port.targetPort) })),
      });
      // ReferenceGrants name each routed Service (least privilege: routes of the gateway namespace may point at
      // these Services and no other Service of the namespace). Gateway API v1.3.0 and v1.4.1 allow at most 16
      // `to` entries per grant (ReferenceGrant CRD, spec.to maxItems: 16), so a namespace with more routed
      // Services gets several grants of up to 16 names each: `routes-from-<gateway namespace>`, then `-2`, `-3`.
      // A grant without names would allow every Service of the namespace, including ones no route should reach.
      const servicesByNamespace = new Map<string, string[]>();
      for (const { backend } of backends) {
        if (backend.namespace === gatewayNamespace) continue;
        servicesByNamespace.set(backend.namespace, [...(servicesByNamespace.get(backend.namespace) ?? []), backend.serviceName]);
      }
      for (const namespace of [...servicesByNamespace.keys()].sort()) {
        const services = [...new Set(servicesByNamespace.get(namespace)!)].sort();
        const chunks = Array.from({ length: Math.ceil(services.length / MAX_REFERENCE_GRANT_TO) }, (_, i) => services.slice(i * MAX_REFERENCE_GRANT_TO, (i + 1) * MAX_REFERENCE_GRANT_TO));
        grants.set(namespace, chunks.map((names, i) => new gw.ReferenceGrant(this, `grant-${namespace}${i === 0 ? '' : `-${i + 1}`}`, {
          metadata: { name: `routes-from-${gatewayNamespace}${i === 0 ? '' : `-${i + 1}`}`, namespace },
          spec: {
            from: [{ group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: gatewayNamespace }],
            to: names.map((name) => ({ group: '', kind: 'Service', name })),
          },
        })));
      }
    }
    this.referenceGrants = grants;
    this.accessPolicies = policies;
  }

  private httpRoute(gateway: SharedGateway, route: ResolvedRoute, timeoutSeconds: number): gw.HttpRoute {
    const { spec } = route;
    const rewrite = spec.rewrite === undefined ? [] : [{
      type: gw.HttpRouteSpecRulesFiltersType.URL_REWRITE,
      urlRewrite: {
        path: route.pathType === 'PathPrefix'
          ? { type: gw.HttpRouteSpecRulesFiltersUrlRewritePathType.REPLACE_PREFIX_MATCH, replacePrefixMatch: spec.rewrite }
          : { type: gw.HttpRouteSpecRulesFiltersUrlRewritePathType.REPLACE_FULL_PATH, replaceFullPath: spec.rewrite },
      },
    }];
    const headers = Object.keys(spec.setRequestHeaders ?? {}).sort();
    const setHeaders = headers.length === 0 ? [] : [{
      type: gw.HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER,
      requestHeaderModifier: { set: headers.map((name) => ({ name, value: spec.setRequestHeaders![name] })) },
    }];
    const filters = [...rewrite, ...setHeaders];
    return new gw.HttpRoute(this, `route-${spec.name}`, {
      metadata: { name: spec.name, namespace: gateway.namespace },
      spec: {
        parentRefs: [{ name: gateway.name, namespace: gateway.namespace, sectionName: gateway.listenerFor(spec.host) }],
        hostnames: [spec.host],
        rules: [{
          matches: [{ path: { type: route.pathType as gw.HttpRouteSpecRulesMatchesPathType, value: spec.path } }],
          filters: filters.length > 0 ? filters : undefined,
          backendRefs: [{ name: route.backend.serviceName, namespace: route.backend.namespace, port: route.port.port }],
          timeouts: { request: `${timeoutSeconds}s` },
        }],
      },
    });
  }

  private ingressObject(ingress: IngressControllerRef, route: ResolvedRoute, timeoutSeconds: number): k8s.KubeIngress {
    const { spec } = route;
    const annotations: { [key: string]: string } = {
      [`${NGINX}/proxy-read-timeout`]: String(timeoutSeconds),
      [`${NGINX}/proxy-send-timeout`]: String(timeoutSeconds),
    };
    let path = spec.path;
    let pathType = route.pathType === 'Exact' ? 'Exact' : 'Prefix';
    if (route.pathType === 'RegularExpression' || (spec.rewrite !== undefined && route.pathType === 'PathPrefix')) {
      pathType = 'ImplementationSpecific';
      annotations[`${NGINX}/use-regex`] = 'true';
    }
    if (spec.rewrite !== undefined && route.pathType === 'PathPrefix') {
      // NGINX rewrites through capture groups: keep what follows the prefix and append it to the replacement.
      path = `${spec.path.replace(/\/+$/, '')}(/|$)(.*)`;
      annotations[`${NGINX}/rewrite-target`] = `${spec.rewrite.replace(/\/+$/, '')}/$2`;
    } else if (spec.rewrite !== undefined) {
      annotations[`${NGINX}/rewrite-target`] = spec.rewrite;
    }
    if (spec.maxBodySize !== undefined) annotations[`${NGINX}/proxy-body-size`] = toNginxSize(spec.maxBodySize);
    // One certificate for every namespace: the Ingresses name no Secret, so NGINX serves its default certificate
    // (ingress-nginx docs, user-guide/tls.md: "The default certificate will also be used for ingress tls: sections
    // that do not have a secretName option"), the Secret `tls.secretName` in the controller namespace.
    return new k8s.KubeIngress(this, `ingress-${spec.name}`, {
      metadata: { name: spec.name, namespace: route.backend.namespace, annotations },
      spec: {
        ingressClassName: ingress.className,
        tls: [{ hosts: [spec.host] }],
        rules: [{
          host: spec.host,
          http: { paths: [{ path, pathType, backend: { service: { name: route.backend.serviceName, port: { number: route.port.port } } } }] },
        }],
      },
    });
  }

  private validateProps(id: string, props: IngressRoutesProps): ResolvedRoute[] {
    const prefix = `IngressRoutes '${id}'`;
    if ((props.gateway === undefined) === (props.ingress === undefined)) {
      throw new Error(`${prefix}: ${props.gateway ? 'gateway and ingress are mutually exclusive' : 'Either gateway or ingress must be specified'}; choose the Gateway API (primary) or the Ingress fallback`);
    }
    if (props.ingress && !props.tls) throw new Error(`${prefix}: 'tls' is required with 'ingress': every route is served over TLS`);
    if (props.ingress && props.tls?.clusterIssuer) {
      throw new Error(`${prefix}: 'tls.clusterIssuer' (${props.tls.clusterIssuer}) cannot be used with 'ingress': one certificate serves every namespace as the controller's default certificate (Secret '${props.tls.secretName}' in '${props.ingress.controllerNamespace}'), which cert-manager annotations on per-namespace Ingresses would not produce; issue it there yourself and remove clusterIssuer`);
    }
    const routes = resolveRoutes(prefix, props.routes, props.backends);
    routes.forEach((route, index) => {
      if (props.gateway && route.spec.maxBodySize !== undefined) {
        throw new Error(`${prefix}: 'routes[${index}].maxBodySize' (${route.spec.maxBodySize}) cannot be expressed in a Gateway API HTTPRoute; remove it, or enforce the limit with the gateway controller's own policy`);
      }
      if (route.spec.maxBodySize !== undefined && !BODY_SIZE.test(route.spec.maxBodySize)) {
        throw new Error(`${prefix}: 'routes[${index}].maxBodySize' ("${route.spec.maxBodySize}") must be a size as NGINX writes it: a whole number with an optional k, m or g suffix (or Ki, Mi, Gi), such as 20m or 64Mi`);
      }
      if (props.ingress && route.port.tls) {
        throw new Error(`${prefix}: 'routes[${index}]' ("${route.spec.name}") leads to port ${route.port.port} of '${route.backend.namespace}/${route.backend.serviceName}', which serves HTTPS; the Ingress rendering cannot verify the backend's certificate without presenting a client certificate (ingress-nginx proxy-ssl-secret), so use the Gateway API rendering (BackendTLSPolicy)`);
      }
      if (props.ingress && route.spec.setRequestHeaders !== undefined) {
        throw new Error(`${prefix}: 'routes[${index}].setRequestHeaders' cannot be expressed in an Ingress without configuration snippets; use the Gateway API rendering`);
      }
      if (route.port.tls && !route.port.name) {
        throw new Error(`${prefix}: port ${route.port.port} of '${route.backend.namespace}/${route.backend.serviceName}' serves HTTPS but has no name; a BackendTLSPolicy targets a Service port by name (sectionName)`);
      }
      if (props.gateway && props.gateway.listenerFor(route.spec.host) === undefined) {
        throw new Error(`${prefix}: 'routes[${index}].host' ("${route.spec.host}") has no HTTPS listener on gateway '${props.gateway.name}' (hosts: ${props.gateway.hostnames.join(', ')}); add the host to the gateway`);
      }
    });
    return routes;
  }
}

/** A size in NGINX's own syntax (k, m or g suffix; binary units): `20m` stays `20m`, `64Mi` becomes `64m`. */
export function toNginxSize(size: string): string {
  const match = BODY_SIZE.exec(size)!;
  const units: { [suffix: string]: string } = { 'Ki': 'k', 'k': 'k', 'K': 'k', 'Mi': 'm', 'm': 'm', 'M': 'm', 'Gi': 'g', 'g': 'g', 'G': 'g' };
  return `${size.replace(/[A-Za-z]+$/, '')}${units[match[1] ?? ''] ?? ''}`;
}
