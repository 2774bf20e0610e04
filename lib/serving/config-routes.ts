/**
 * The routes a serving section declares, with their defaults applied: one per model, microservice and MLflow
 * server unless its route is disabled. Shared by the config rules and the serving composition, so both see
 * the same paths.
 */
import type { ConfigPath } from '../config/yaml-positions';
import type { RouteConfig, RoutingConfig, ServingConfig } from './config';

/** What kind of workload a route leads to. */
export type RoutedWorkloadKind = 'model' | 'microservice' | 'mlflow';

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
