import { Operator, OPERATORS } from '../lib/gitops/operators';
import { RoutingConfig } from '../lib/serving/config';
import { DeclaredRoute } from '../lib/serving/config-routes';
import { GATEWAY_CONTROLLERS } from '../lib/serving/gateway-controllers';
import { IngressRoutes, RouteBackend, RouteSpec } from '../lib/serving/ingress-routes';
import { SharedGateway } from '../lib/serving/shared-gateway';
import { ClusterComposition, ClusterContext } from '../lib/synth/cluster-context';

/** The routes one cluster's compositions ask for, and the Services they point at. */
interface RouteRequests {
  readonly routes: RouteSpec[];
  readonly backends: Map<string, RouteBackend>;
}

// Per cluster context (a context lives for one cluster's synthesis): the feature compositions (serving, streaming,
// notebooks) add their routes, and the routing composition, which runs after them, renders them all at once on
// the cluster's one gateway (or Ingress class), so the access rules and the gateway's egress cover every route.
const requested = new WeakMap<ClusterContext, RouteRequests>();

/**
 * Asks for routes to `backends` on the cluster's routing (`clusters.<name>.routing`). A backend may be given by
 * several compositions (the same Service); routes must have distinct names (checked by IngressRoutes).
 */
export function requestRoutes(context: ClusterContext, routes: readonly RouteSpec[], backends: readonly RouteBackend[]): void {
  const entry = requested.get(context) ?? { routes: [], backends: new Map<string, RouteBackend>() };
  requested.set(context, entry);
  entry.routes.push(...routes);
  for (const backend of backends) entry.backends.set(`${backend.namespace}/${backend.serviceName}`, backend);
}

/** A declared route (config-routes) to a port of a backend, as IngressRoutes takes it. */
export function routeSpec(route: DeclaredRoute, backend: RouteBackend, port: number, extra: Pick<RouteSpec, 'setRequestHeaders'> = {}): RouteSpec {
  return {
    name: route.name,
    host: route.host,
    path: route.path,
    pathType: route.pathType,
    rewrite: route.rewrite,
    timeoutSeconds: route.timeoutSeconds,
    maxBodySize: route.maxBodySize,
    backend: { namespace: backend.namespace, service: backend.serviceName, port },
    ...extra,
  };
}

/**
 * The pods in-cluster callers of the routing's routes connect to, and their port: the gateway's proxies on the
 * container port of the HTTPS listener (443 + 10000 for Envoy Gateway's unprivileged proxies), or the ingress
 * controller's pods on 443. A call to the routing's own public address from inside the cluster reaches these pods
 * (kube-proxy answers a LoadBalancer address of its own cluster locally), so egress names them, not public addresses.
 */
export function routingEntryPods(routing: RoutingConfig): { readonly namespace: string; readonly podLabels: { readonly [key: string]: string }; readonly port: number } | undefined {
  if (routing.mode === 'gateway-api' && routing.gateway) {
    const controller = GATEWAY_CONTROLLERS[routing.gateway.controller];
    return { namespace: routing.gateway.namespace, podLabels: controller.proxyPodLabels(routing.gateway.name, routing.gateway.namespace), port: controller.proxyContainerPort(443) };
  }
  if (routing.mode === 'ingress' && routing.ingress) return { namespace: routing.ingress.controllerNamespace, podLabels: {}, port: 443 };
  return undefined;
}

/** Host names the gateway of a cluster serves: routing.hostname, routing.hosts, then the other route hosts. */
export function gatewayHostnames(context: ClusterContext, routes: readonly RouteSpec[]): string[] {
  const routing = context.cluster.routing!;
  return [...new Set([routing.hostname, ...(routing.hosts ?? []), ...routes.map((route) => route.host)])];
}

/**
 * The cluster's routing (`clusters.<name>.routing`), on any cluster that has it: with mode gateway-api the shared
 * gateway (platform layer: GatewayClass, Gateway with an HTTPS listener per host, HTTP redirect, the proxies'
 * policies), and the routes every composition asked for (workloads layer: HTTPRoutes and ReferenceGrants, or
 * Ingresses, with one access rule per backend and the gateway's one egress policy). Runs after the feature
 * compositions. Nothing without a routing section (routes without one are config errors).
 */
export const routingComposition: ClusterComposition = (context) => {
  const routing = context.cluster.routing;
  if (!routing) return;
  const { routes, backends } = requested.get(context) ?? { routes: [], backends: new Map<string, RouteBackend>() };
  const gateway = routing.mode === 'gateway-api' && routing.gateway ? new SharedGateway(context.layers.platform, 'gateway', {
    name: routing.gateway.name,
    namespace: routing.gateway.namespace,
    controller: routing.gateway.controller,
    className: routing.gateway.className,
    hostnames: gatewayHostnames(context, routes),
    tls: routing.tls,
    certManagerNamespace: OPERATORS[Operator.CERT_MANAGER].namespace,
  }) : undefined;
  if (routes.length === 0) return;
  new IngressRoutes(context.layers.workloads, 'routes', {
    routes,
    backends: [...backends.values()],
    gateway,
    ingress: gateway ? undefined : routing.ingress,
    tls: routing.tls,
    defaultTimeoutSeconds: routing.defaultTimeoutSeconds,
  });
};
