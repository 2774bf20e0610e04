/** Validation of declared routes against each other and against the backends that exist in the composition. */
import { closestMatch } from '../config/did-you-mean';
import { BackendPort, RouteBackend } from './route-backend';

/** Path match types, by their Gateway API names. */
export type RoutePathType = 'PathPrefix' | 'Exact' | 'RegularExpression';

/** Which Service port a route sends traffic to. */
export interface RouteBackendRef {
  /** Namespace of the Service. */
  readonly namespace: string;
  /** Name of the Service. */
  readonly service: string;
  /** Port of the Service. */
  readonly port: number;
}

/** One route, declared once and rendered as an HTTPRoute or an Ingress. */
export interface RouteSpec {
  /** Name of the rendered route object (a DNS label, unique among the routes). */
  readonly name: string;
  /** Host name the route answers on. */
  readonly host: string;
  /** Path to match. */
  readonly path: string;
  /**
   * How the path matches.
   * @default 'PathPrefix'
   */
  readonly pathType?: RoutePathType;
  /**
   * Replacement for the matched prefix (PathPrefix) or the whole path (Exact).
   * @default - the path is passed on unchanged
   */
  readonly rewrite?: string;
  /** The Service port that receives the traffic. */
  readonly backend: RouteBackendRef;
  /**
   * Request timeout in seconds.
   * @default 60
   */
  readonly timeoutSeconds?: number;
  /**
   * Largest request body accepted, such as `64Mi` (Ingress rendering only: Gateway API v1 has no such field).
   * @default - the controller's default
   */
  readonly maxBodySize?: string;
  /**
   * Request headers the gateway sets (overwriting what the client sent), such as the `X-ProxyHost` /
   * `X-ProxyPort` / `X-ProxyScheme` a backend builds its own URLs from (Gateway API rendering: a
   * RequestHeaderModifier filter).
   * @default - none
   */
  readonly setRequestHeaders?: { readonly [name: string]: string };
}

/** A route with its backend resolved. */
export interface ResolvedRoute {
  readonly spec: RouteSpec;
  readonly pathType: RoutePathType;
  readonly backend: RouteBackend;
  readonly port: BackendPort;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An HTTP header name (Gateway API v1.3.0 HTTPHeaderName pattern, RFC 7230 token). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** Characters that only mean something in a regular expression (a '.' is common in plain paths, so it is allowed). */
const REGEX_CHARACTERS = /[()[\]{}*+?^$|\\]/;

/**
 * Checks every route and resolves its backend. Throws with `prefix` on the first problem: a bad name, a regular
 * expression in a non-regex path, a rewrite of a regex path, a backend Service or port that does not exist, or two
 * routes that match the same requests.
 */
export function resolveRoutes(prefix: string, routes: readonly RouteSpec[], backends: readonly RouteBackend[]): ResolvedRoute[] {
  const names = new Set<string>();
  const matches = new Map<string, string>();
  return routes.map((spec, index) => {
    const at = `routes[${index}]`;
    if (!DNS_LABEL.test(spec.name)) throw new Error(`${prefix}: '${at}.name' ("${spec.name}") must be a DNS label: lowercase letters, digits and '-', at most 63 characters`);
    if (names.has(spec.name)) throw new Error(`${prefix}: '${at}.name' ("${spec.name}") is used by two routes; give each route its own name`);
    names.add(spec.name);
    const pathType = spec.pathType ?? 'PathPrefix';
    if (!spec.path.startsWith('/')) throw new Error(`${prefix}: '${at}.path' ("${spec.path}") must start with '/'`);
    if (pathType !== 'RegularExpression' && REGEX_CHARACTERS.test(spec.path)) {
      throw new Error(`${prefix}: '${at}.path' ("${spec.path}") looks like a regular expression but pathType is ${pathType}, which matches it literally; set pathType: RegularExpression or remove the pattern characters`);
    }
    if (pathType === 'RegularExpression' && spec.rewrite !== undefined) {
      throw new Error(`${prefix}: '${at}.rewrite' ("${spec.rewrite}") cannot be combined with pathType RegularExpression (capture-group rewrites are controller-specific); use a PathPrefix path`);
    }
    if (spec.rewrite !== undefined && !spec.rewrite.startsWith('/')) throw new Error(`${prefix}: '${at}.rewrite' ("${spec.rewrite}") must start with '/'`);
    if (spec.timeoutSeconds !== undefined && (!Number.isInteger(spec.timeoutSeconds) || spec.timeoutSeconds < 1 || spec.timeoutSeconds > 3600)) {
      throw new Error(`${prefix}: '${at}.timeoutSeconds' (${spec.timeoutSeconds}) must be a whole number of seconds from 1 to 3600`);
    }
    for (const [name, value] of Object.entries(spec.setRequestHeaders ?? {})) {
      if (!HEADER_NAME.test(name) || name.length > 256) throw new Error(`${prefix}: '${at}.setRequestHeaders' name ("${name}") is not an HTTP header name (letters, digits and !#$%&'*+-.^_\`|~, at most 256)`);
      if (/[\r\n]/.test(value) || value.length > 4096) throw new Error(`${prefix}: '${at}.setRequestHeaders.${name}' must be one line of at most 4096 characters`);
    }
    const matchKey = `${spec.host} ${pathType} ${normalizePath(spec.path, pathType)}`;
    const other = matches.get(matchKey);
    if (other) throw new Error(`${prefix}: '${at}' ("${spec.name}") collides with route "${other}": both match ${pathType} ${spec.path} on ${spec.host}; change one path or host`);
    matches.set(matchKey, spec.name);
    const backend = findBackend(prefix, at, spec.backend, backends);
    const port = backend.ports.find((candidate) => candidate.port === spec.backend.port);
    if (!port) {
      throw new Error(`${prefix}: '${at}.backend.port' (${spec.backend.port}) is not a port of Service '${backend.namespace}/${backend.serviceName}' (ports: ${backend.ports.map((p) => p.port).join(', ')})`);
    }
    return { spec, pathType, backend, port };
  });
}

function normalizePath(path: string, pathType: RoutePathType): string {
  return pathType === 'PathPrefix' && path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function findBackend(prefix: string, at: string, ref: RouteBackendRef, backends: readonly RouteBackend[]): RouteBackend {
  const found = backends.find((backend) => backend.namespace === ref.namespace && backend.serviceName === ref.service);
  if (found) return found;
  const inNamespace = backends.filter((backend) => backend.namespace === ref.namespace).map((backend) => backend.serviceName);
  const suggestion = closestMatch(ref.service, inNamespace);
  const hint = suggestion ? `did you mean '${suggestion}'?` : `Services there: ${inNamespace.sort().join(', ') || 'none'}`;
  throw new Error(`${prefix}: '${at}.backend.service' ('${ref.service}') does not exist in namespace '${ref.namespace}' in this composition; ${hint}`);
}

/** Distinct backends of the routes, each with the ports routes use, in first-use order. */
export function usedBackends(routes: readonly ResolvedRoute[]): { readonly backend: RouteBackend; readonly ports: readonly BackendPort[] }[] {
  const byKey = new Map<string, { backend: RouteBackend; ports: BackendPort[] }>();
  for (const route of routes) {
    const key = `${route.backend.namespace}/${route.backend.serviceName}`;
    const entry = byKey.get(key) ?? { backend: route.backend, ports: [] };
    if (!entry.ports.includes(route.port)) entry.ports.push(route.port);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}
