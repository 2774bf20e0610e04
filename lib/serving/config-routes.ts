/**
 * The routes a cluster declares, with their defaults applied: one per model, microservice and MLflow server of
 * the serving section unless its route is disabled, and the NiFi UI, NiFi's HTTP endpoint and JupyterHub when they
 * ask for one. Shared by the config rules and the compositions, so both see the same paths.
 */
import type { ClusterConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import type { RouteConfig, RoutingConfig, ServingConfig } from './config';

/** What kind of workload a route leads to. */
export type RoutedWorkloadKind = 'model' | 'microservice' | 'mlflow' | 'nifi' | 'jupyterhub';

/** Route names of the streaming and notebooks sections (unique among the cluster's routes, checked by a rule). */
export const APP_ROUTE_NAMES = { nifiUi: 'nifi', nifiEndpoint: 'nifi-http-endpoint', jupyterhub: 'jupyterhub' } as const;

/** One declared route with defaults applied. */
export interface DeclaredRoute {
  /** Route object name. */
  readonly name: string;
  /** Kind of the workload behind it. */
  readonly kind: RoutedWorkloadKind;
  /** Key of the workload in its map (the MLflow server is `mlflow`). */
  readonly workload: string;
  /** Namespace of the workload. */
  readonly namespace: string;
  readonly host: string;
  readonly path: string;
  readonly pathType: 'PathPrefix' | 'Exact' | 'RegularExpression';
  readonly rewrite?: string;
  readonly timeoutSeconds: number;
  readonly maxBodySize?: string;
  /** Config path of the workload's route block (or of the workload when it has none). */
  readonly configPath: ConfigPath;
}

/** Default path prefix of the MLflow tracking server (its `--static-prefix`). */
export const MLFLOW_DEFAULT_PATH = '/mlflow';

/** The route defaults of the cluster's routing (`clusters.<name>.routing`). */
export type RouteDefaults = Pick<RoutingConfig, 'hostname' | 'defaultTimeoutSeconds'>;

/** Every route of `serving`, in config order: models, microservices, MLflow, with the cluster's routing defaults. */
export function declaredRoutes(serving: ServingConfig, routing: RouteDefaults, servingPath: ConfigPath = []): DeclaredRoute[] {
  const make = (kind: RoutedWorkloadKind, workload: string, namespace: string, route: RouteConfig | undefined, at: ConfigPath,
    defaults: { readonly name: string; readonly path: string; readonly rewrite?: string }): DeclaredRoute[] => {
    if (route?.enabled === false) return [];
    return [{
      name: defaults.name,
      kind,
      workload,
      namespace,
      host: route?.host ?? routing.hostname,
      path: route?.path ?? defaults.path,
      pathType: route?.pathType ?? 'PathPrefix',
      rewrite: route?.rewrite ?? (route?.path === undefined ? defaults.rewrite : undefined),
      timeoutSeconds: route?.timeoutSeconds ?? routing.defaultTimeoutSeconds ?? 60,
      maxBodySize: route?.maxBodySize,
      configPath: route ? [...at, 'route'] : at,
    }];
  };
  return [
    ...Object.entries(serving.models ?? {}).flatMap(([name, model]) =>
      make('model', name, model.namespace, model.route, [...servingPath, 'models', name], { name: `model-${name}`, path: `/models/${name}`, rewrite: '/' })),
    ...Object.entries(serving.microservices ?? {}).flatMap(([name, service]) =>
      make('microservice', name, service.namespace, service.route, [...servingPath, 'microservices', name], { name, path: `/${name}` })),
    ...(serving.mlflow
      ? make('mlflow', 'mlflow', serving.mlflow.namespace, serving.mlflow.route, [...servingPath, 'mlflow'], { name: 'mlflow', path: MLFLOW_DEFAULT_PATH })
      : []),
  ];
}

/** Host names the routing serves on its own: `hostname` and `hosts` (serving routes may add theirs). */
export function servedHosts(routing: Pick<RoutingConfig, 'hostname' | 'hosts'>): string[] {
  return [routing.hostname, ...(routing.hosts ?? [])];
}

/** The host of JupyterHub's OAuth callback URL (`https://<host>/hub/oauth_callback`). */
export function callbackHost(callbackUrl: string): string {
  return new URL(callbackUrl).hostname;
}

/**
 * The routes of NiFi (its UI with `route`, its HTTP endpoint with `httpEndpoint.route`) and JupyterHub (with
 * `notebooks.route`), in that order, whatever the cluster's routing (the rules report routes without one).
 */
export function appRoutes(cluster: Pick<ClusterConfig, 'streaming' | 'notebooks'>, routing: RouteDefaults | undefined, clusterPath: ConfigPath = []): DeclaredRoute[] {
  const timeout = (own: number | undefined) => own ?? routing?.defaultTimeoutSeconds ?? 60;
  const routes: DeclaredRoute[] = [];
  const nifi = cluster.streaming?.nifi;
  const nifiPath = [...clusterPath, 'streaming', 'nifi'];
  if (nifi?.route) {
    routes.push({
      name: APP_ROUTE_NAMES.nifiUi, kind: 'nifi', workload: 'ui', namespace: nifi.namespace, host: nifi.route.host, path: '/',
      pathType: 'PathPrefix', timeoutSeconds: timeout(nifi.route.timeoutSeconds), configPath: [...nifiPath, 'route'],
    });
  }
  if (nifi?.httpEndpoint.route) {
    routes.push({
      name: APP_ROUTE_NAMES.nifiEndpoint, kind: 'nifi', workload: 'http-endpoint', namespace: nifi.namespace,
      host: nifi.httpEndpoint.route.host ?? routing?.hostname ?? '', path: nifi.httpEndpoint.path, pathType: 'PathPrefix',
      timeoutSeconds: timeout(nifi.httpEndpoint.route.timeoutSeconds), configPath: [...nifiPath, 'httpEndpoint', 'route'],
    });
  }
  const notebooks = cluster.notebooks;
  if (notebooks?.route) {
    routes.push({
      name: APP_ROUTE_NAMES.jupyterhub, kind: 'jupyterhub', workload: 'jupyterhub', namespace: notebooks.namespace,
      host: notebooks.route.host ?? callbackHost(notebooks.auth.callbackUrl), path: '/', pathType: 'PathPrefix',
      timeoutSeconds: timeout(notebooks.route.timeoutSeconds), configPath: [...clusterPath, 'notebooks', 'route'],
    });
  }
  return routes;
}

/** Every route of a cluster with routing: serving's, then NiFi's and JupyterHub's. */
export function clusterRoutes(cluster: Pick<ClusterConfig, 'routing' | 'serving' | 'streaming' | 'notebooks'>, clusterPath: ConfigPath = []): DeclaredRoute[] {
  if (!cluster.routing) return [];
  return [
    ...(cluster.serving ? declaredRoutes(cluster.serving, cluster.routing, [...clusterPath, 'serving']) : []),
    ...appRoutes(cluster, cluster.routing, clusterPath),
  ];
}
