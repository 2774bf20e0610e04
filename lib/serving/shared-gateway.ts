import { Construct } from 'constructs';
import * as gw from '../../imports/gateway.networking.k8s.io';
import { GATEWAY_CONTROLLERS, GatewayControllerName, GatewayControllerProfile } from './gateway-controllers';
import * as k8s from '../core/k8s';
import { allowEgressTo, allowIngressFromAnywhere, allowIngressFromNamespace } from '../core/network-policies';
import { ANY_ADDRESS, declareFlow, declareFlows } from '../core/flows';
import { ACME_SOLVER_ANNOTATION, ACME_SOLVERS, AcmeSolver } from '../gitops/cert-manager-solver';
import { AcmeHttp01SolverAccess } from './acme-http01-solver-access';

export { GatewayControllerName } from './gateway-controllers';

/** Annotation that makes cert-manager's gateway-shim issue the listeners' certificate. */
export const CERT_MANAGER_CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';

/** TLS of the gateway's HTTPS listeners. */
export interface GatewayTls {
  /** Secret (in the gateway namespace) holding the certificate; created by cert-manager or synced, never in dist/. */
  readonly secretName: string;
  /**
   * cert-manager ClusterIssuer that issues the certificate for every listener host.
   * @default - none (the Secret is provided another way)
   */
  readonly clusterIssuer?: string;
  /**
   * How the ClusterIssuer proves control of the host names, when it is an ACME issuer: `http01` (a
   * `gatewayHTTPRoute` solver: cert-manager runs solver pods in the gateway namespace and routes
   * `/.well-known/acme-challenge/` to them through this Gateway, so the gateway gets the access rules for them),
   * `dns01` (the cert-manager controller writes TXT records; no solver pod, so no access rules here) or `none` (not
   * an ACME issuer). Only with `clusterIssuer`.
   * @default - 'http01' when clusterIssuer is set
   */
  readonly acmeSolver?: AcmeSolver;
}

/** Properties for `SharedGateway`. */
export interface SharedGatewayProps {
  /** Name of the Gateway. */
  readonly name: string;
  /** Namespace of the Gateway, its proxies and the routes attached to it (declared with a default deny). */
  readonly namespace: string;
  /**
   * Host names served over HTTPS: one listener each while they fit in one Gateway (63 besides the HTTP one); past
   * that, host names that share a parent domain are served by one wildcard listener (`*.<parent>`).
   */
  readonly hostnames: readonly string[];
  /** Certificate of the HTTPS listeners. */
  readonly tls: GatewayTls;
  /**
   * Gateway API implementation.
   * @default 'envoy-gateway'
   */
  readonly controller?: GatewayControllerName;
  /**
   * GatewayClass name.
   * @default - the controller name
   */
  readonly className?: string;
  /**
   * Create the GatewayClass (cluster-scoped); false when the controller installation brings its own.
   * @default true
   */
  readonly createGatewayClass?: boolean;
  /**
   * Namespace of the cert-manager controller (its HTTP-01 self-check gets egress to the proxies).
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
}

/** Most listeners of one Gateway (Gateway API v1.3.0 and v1.4.1 CRDs: spec.listeners maxItems 64). */
export const MAX_GATEWAY_LISTENERS = 64;

const HTTP_PORT = 80;
const HTTPS_PORT = 443;
const HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The platform's shared Gateway API entry point: a Gateway with one HTTPS listener per host (TLS terminated
 * with a referenced Secret; cert-manager issues it when a ClusterIssuer is named), an HTTP listener whose only
 * route redirects to HTTPS, routes accepted only from the gateway's own namespace, and the NetworkPolicies its
 * proxies need in that default-deny namespace (listener ports from anywhere, xDS to the control plane).
 */
export class SharedGateway extends Construct {
  /** The Gateway (the default child). */
  public readonly resource: gw.Gateway;
  /** The GatewayClass, when created. */
  public readonly gatewayClass?: gw.GatewayClass;
  /** The HTTP to HTTPS redirect route. */
  public readonly httpsRedirect: gw.HttpRoute;
  /** Admits callers to the proxies' listener ports. */
  public readonly listenerPolicy: k8s.KubeNetworkPolicy;
  /** Lets the proxies fetch configuration from the control plane. */
  public readonly controlPlanePolicy: k8s.KubeNetworkPolicy;
  /** Admits the proxies on the control plane's xDS port, in the control plane's namespace. */
  public readonly controlPlaneIngressPolicy: k8s.KubeNetworkPolicy;
  /** Access between the proxies and cert-manager's HTTP-01 solver pods, when the ClusterIssuer uses HTTP-01. */
  public readonly acmeHttp01Access?: AcmeHttp01SolverAccess;
  /** How the ClusterIssuer solves ACME challenges (undefined without a ClusterIssuer). */
  public readonly acmeSolver?: AcmeSolver;
  /** Name of the Gateway. */
  public readonly name: string;
  /** Namespace of the Gateway. */
  public readonly namespace: string;
  /** Data-plane facts of the controller. */
  public readonly controller: GatewayControllerProfile;

  private readonly listeners: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: SharedGatewayProps) {
    super(scope, id);
    this.validateProps(id, props);
    this.name = props.name;
    this.namespace = props.namespace;
    const controllerName = props.controller ?? 'envoy-gateway';
    this.controller = GATEWAY_CONTROLLERS[controllerName];
    const className = props.className ?? controllerName;
    const plan = listenerPlan(id, props.hostnames);
    this.listeners = plan.byHost;
    this.acmeSolver = props.tls.clusterIssuer ? (props.tls.acmeSolver ?? 'http01') : undefined;
    const wildcard = plan.listeners.find((l) => l.hostname.startsWith('*.'));
    if (this.acmeSolver === 'http01' && wildcard) {
      // letsencrypt.org/docs/challenge-types: HTTP-01 cannot be used for wildcard certificates; DNS-01 can.
      throw new Error(`SharedGateway '${id}': 'tls.acmeSolver' is http01, but the ${props.hostnames.length} host names need wildcard listeners (such as ${wildcard.hostname}), whose certificate an ACME server issues only through DNS-01; use a ClusterIssuer with a dns01 solver and set tls.acmeSolver: dns01, or serve fewer host names`);
    }

    if (props.createGatewayClass ?? true) {
      this.gatewayClass = new gw.GatewayClass(this, 'gateway-class', {
        metadata: { name: className },
        spec: { controllerName: this.controller.controllerName, description: 'Shared ingress of the ML platform' },
      });
    }
    const sameNamespace = { namespaces: { from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME }, kinds: [{ kind: 'HTTPRoute' }] };
    this.resource = new gw.Gateway(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        annotations: props.tls.clusterIssuer ? { [CERT_MANAGER_CLUSTER_ISSUER_ANNOTATION]: props.tls.clusterIssuer, [ACME_SOLVER_ANNOTATION]: this.acmeSolver! } : undefined,
      },
      spec: {
        gatewayClassName: className,
        listeners: [
          { name: 'http', protocol: 'HTTP', port: HTTP_PORT, allowedRoutes: sameNamespace },
          ...plan.listeners.map(({ hostname, name }) => ({
            name,
            hostname,
            protocol: 'HTTPS',
            port: HTTPS_PORT,
            tls: { mode: gw.GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ kind: 'Secret', name: props.tls.secretName }] },
            allowedRoutes: sameNamespace,
          })),
        ],
      },
    });
    this.httpsRedirect = new gw.HttpRoute(this, 'https-redirect', {
      metadata: { name: `${props.name}-https-redirect`, namespace: props.namespace },
      spec: {
        parentRefs: [{ name: props.name, namespace: props.namespace, sectionName: 'http' }],
        rules: [{
          filters: [{
            type: gw.HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
            requestRedirect: { scheme: gw.HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: gw.HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301 },
          }],
        }],
      },
    });
    // The namespace holds only this gateway's proxies, so the policies select every pod in it.
    this.listenerPolicy = allowIngressFromAnywhere(this, 'listener-policy', {
      name: `${props.name}-listeners`,
      namespace: props.namespace,
      podLabels: {},
      ports: [HTTP_PORT, HTTPS_PORT].map(this.controller.proxyContainerPort),
    });
    this.controlPlanePolicy = allowEgressTo(this, 'control-plane-policy', {
      name: `${props.name}-control-plane`,
      namespace: props.namespace,
      podLabels: {},
      peers: [{ namespace: this.controller.controlPlaneNamespace }],
      ports: [this.controller.configPort],
    });
    // The control plane's namespace is default-deny: it admits this gateway's proxies on the xDS port.
    this.controlPlaneIngressPolicy = allowIngressFromNamespace(this, 'control-plane-ingress', {
      name: `xds-from-${props.namespace}`,
      namespace: this.controller.controlPlaneNamespace,
      podLabels: this.controller.controlPlanePodLabels,
      fromNamespace: props.namespace,
      ports: [this.controller.configPort],
    });
    // cert-manager creates the HTTP-01 solver pods, Service and HTTPRoute in the Certificate's namespace, which the
    // gateway-shim puts next to the Gateway (cert-manager v1.18.2 pkg/controller/certificate-shim/sync.go): this one.
    if (this.acmeSolver === 'http01') {
      this.acmeHttp01Access = new AcmeHttp01SolverAccess(this, 'acme-http01-solver', {
        gatewayName: props.name,
        namespace: props.namespace,
        proxyPodLabels: this.controller.proxyPodLabels(props.name, props.namespace),
        proxyHttpPort: this.controller.proxyContainerPort(HTTP_PORT),
        certManagerNamespace: props.certManagerNamespace,
      });
    }
    const proxies = { namespace: props.namespace, podLabels: {} };
    declareFlows(this, { purpose: `clients to the ${props.name} gateway listeners`, from: { cidr: ANY_ADDRESS }, to: proxies },
      [HTTP_PORT, HTTPS_PORT].map(this.controller.proxyContainerPort));
    declareFlow(this, { purpose: `${props.name} gateway proxies fetch their configuration (xDS)`, from: proxies,
      to: { namespace: this.controller.controlPlaneNamespace, podLabels: { ...this.controller.controlPlanePodLabels } }, port: this.controller.configPort });
  }

  /** Name of the HTTPS listener of `hostname`, or undefined when the gateway does not serve that host. */
  public listenerFor(hostname: string): string | undefined {
    return this.listeners.get(hostname);
  }

  /** Host names the gateway serves. */
  public get hostnames(): readonly string[] {
    return [...this.listeners.keys()];
  }

  private validateProps(id: string, props: SharedGatewayProps): void {
    const prefix = `SharedGateway '${id}'`;
    for (const [prop, value] of [['name', props.name], ['namespace', props.namespace], ['tls.secretName', props.tls.secretName], ['certManagerNamespace', props.certManagerNamespace ?? 'cert-manager']] as const) {
      if (!DNS_LABEL.test(value)) throw new Error(`${prefix}: '${prop}' ("${value}") must be a DNS label: lowercase letters, digits and '-', at most 63 characters`);
    }
    if (props.hostnames.length === 0) {
      throw new Error(`${prefix}: 'hostnames' is empty; give at least one host name such as ml.example.com`);
    }
    const seen = new Set<string>();
    for (const host of props.hostnames) {
      if (!HOSTNAME.test(host)) throw new Error(`${prefix}: 'hostnames' ("${host}") is not a fully qualified lowercase host name such as ml.example.com`);
      if (seen.has(host)) throw new Error(`${prefix}: 'hostnames' ("${host}") is listed twice; list each host once`);
      seen.add(host);
    }
    if (props.tls.acmeSolver !== undefined && !props.tls.clusterIssuer) {
      throw new Error(`${prefix}: 'tls.acmeSolver' ("${props.tls.acmeSolver}") needs 'tls.clusterIssuer': it says how that issuer solves ACME challenges; set clusterIssuer or remove acmeSolver`);
    }
    if (props.tls.acmeSolver !== undefined && !(ACME_SOLVERS as readonly string[]).includes(props.tls.acmeSolver)) {
      throw new Error(`${prefix}: 'tls.acmeSolver' ("${props.tls.acmeSolver}") is not one of ${ACME_SOLVERS.join(', ')}`);
    }
    if (props.controller !== undefined && !(props.controller in GATEWAY_CONTROLLERS)) {
      throw new Error(`${prefix}: 'controller' ("${props.controller}") is not supported; use one of ${Object.keys(GATEWAY_CONTROLLERS).join(', ')}`);
    }
  }
}

/**
 * The first wildcard listener host name the Gateway would get for `hostnames` (past 63 hosts), or undefined when
 * every host keeps its own listener or the hosts do not fit at all (the constructor reports that).
 */
export function wildcardListenerHostname(hostnames: readonly string[]): string | undefined {
  try {
    return listenerPlan('check', hostnames).listeners.find((l) => l.hostname.startsWith('*.'))?.hostname;
  } catch {
    return undefined;
  }
}

/** The HTTPS listeners for `hostnames`, and the listener that serves each host. */
function listenerPlan(id: string, hostnames: readonly string[]): { listeners: { hostname: string; name: string }[]; byHost: Map<string, string> } {
  const room = MAX_GATEWAY_LISTENERS - 1; // the HTTP redirect listener takes one
  // One listener per host keeps each listener (and its certificate name) exact; it is what fits while there is room.
  let groups: { hostname: string; hosts: string[] }[] = hostnames.map((host) => ({ hostname: host, hosts: [host] }));
  if (groups.length > room) {
    // Gateway API v1.4.1 (and v1.3.0) allows at most 64 listeners per Gateway. Past that, hosts with the same parent
    // domain share one wildcard listener: `*.models.example.com` matches exactly one label before the parent (Gateway
    // API Listener.hostname), so it serves every such host, and HTTPRoutes still name their own host, so routing is
    // unchanged. The certificate then needs the wildcard name (cert-manager's gateway-shim puts each listener hostname
    // in the Certificate it creates for the listeners' Secret; an ACME issuer must solve it with DNS-01).
    // A single Gateway is kept rather than several: each Gateway gets its own proxies and LoadBalancer.
    const byParent = new Map<string, string[]>();
    for (const host of hostnames) {
      const parent = host.slice(host.indexOf('.') + 1);
      byParent.set(parent, [...(byParent.get(parent) ?? []), host]);
    }
    groups = [...byParent].flatMap(([parent, hosts]) => (hosts.length > 1 && parent.includes('.')
      ? [{ hostname: `*.${parent}`, hosts }]
      : hosts.map((host) => ({ hostname: host, hosts: [host] }))));
    if (groups.length > room) {
      throw new Error(`SharedGateway '${id}': 'hostnames' (${hostnames.length} hosts) need ${groups.length} HTTPS listeners even with one wildcard listener per parent domain, and a Gateway has at most ${MAX_GATEWAY_LISTENERS} listeners (one is the HTTP redirect); put the hosts under at most ${room} parent domains`);
    }
  }
  const used = new Set<string>(['http']);
  const listeners = groups.map(({ hostname, hosts }) => {
    const base = `https-${hostname.replace(/^\*\./, 'wildcard.').replace(/\./g, '-')}`.slice(0, 63).replace(/-+$/, '');
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base.slice(0, 63 - String(n).length - 1).replace(/-+$/, '')}-${n}`;
    used.add(name);
    return { hostname, name, hosts };
  });
  const byHost = new Map<string, string>(listeners.flatMap(({ name, hosts }) => hosts.map((host) => [host, name] as [string, string])));
  return { listeners: listeners.map(({ hostname, name }) => ({ hostname, name })), byHost };
}
