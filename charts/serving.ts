import { NodePoolMode, NodePoolPlacement } from '../lib/core/node-pool';
import { declareFlows } from '../lib/core/flows';
import { allowEgressTo, allowIngressFromPods, AZURE_HTTPS_EGRESS } from '../lib/core/network-policies';
import { ClusterConfig } from '../lib/config/schema';
import { MicroserviceConfig, ServingConfig } from '../lib/serving/config';
import { declaredRoutes, MLFLOW_DEFAULT_PATH } from '../lib/serving/config-routes';
import { HttpMicroservice, MicroserviceVolume } from '../lib/serving/http-microservice';
import { RouteBackend, RouteSpec } from '../lib/serving/ingress-routes';
import { KServeModel } from '../lib/serving/kserve-model';
import { MlflowTracking } from '../lib/serving/mlflow-tracking';
import { SharedVolume } from '../lib/data-processing/shared-volume';
import { ClusterComposition, ClusterContext } from '../lib/synth/cluster-context';
import { podIdentityFor } from './identity';
import { requestRoutes, routeSpec } from './routing';

/** Default StorageClass of new claims: Azure Files, the AKS class that gives ReadWriteMany. */
const DEFAULT_STORAGE_CLASS = 'azurefile-csi';

/**
 * Model serving: KServe models, HTTP microservices and the MLflow tracking server in the workloads layer, and one
 * route per workload on the cluster's routing (rendered with its access rule by the routing composition).
 */
export const servingComposition: ClusterComposition = (context) => {
  const serving = context.cluster.serving;
  if (!serving) return;
  const backends = new Map<string, RouteBackend>();

  const kserve = serving.kserve;
  for (const [name, model] of Object.entries(kserve ? serving.models ?? {} : {})) {
    const construct = new KServeModel(context.layers.workloads, `model-${name}`, {
      name,
      namespace: model.namespace,
      format: model.format,
      formatVersion: model.formatVersion,
      runtime: model.runtime,
      protocolVersion: model.protocolVersion,
      storageUri: model.storageUri,
      resources: model.resources,
      kserveVersion: kserve!.version,
      deploymentMode: kserve!.deploymentMode,
      autoscaler: model.autoscaler,
      scaleMetric: model.scaleMetric,
      scaleTarget: model.scaleTarget,
      minReplicas: model.minReplicas,
      maxReplicas: model.maxReplicas,
      canaryTrafficPercent: model.canaryTrafficPercent,
      timeoutSeconds: model.timeoutSeconds,
      gpus: model.gpus,
      nodePool: placement(context.cluster, model.nodePool),
      identity: model.identity ? podIdentityFor(context, { namespace: model.namespace, identityName: model.identity }) : undefined,
    });
    if (construct.backend) backends.set(`model/${name}`, construct.backend);
  }

  for (const [name, service] of Object.entries(serving.microservices ?? {})) {
    const construct = new HttpMicroservice(context.layers.workloads, `microservice-${name}`, {
      name,
      namespace: service.namespace,
      image: service.image,
      containerPort: service.port,
      servicePort: service.servicePort,
      replicas: service.replicas,
      command: service.command,
      args: service.args,
      env: service.env,
      secretEnv: service.secretEnv,
      probePath: service.probe?.path,
      probeInitialDelaySeconds: service.probe?.initialDelaySeconds,
      resources: service.resources,
      volumes: volumes(context, name, service),
      identity: service.identity ? podIdentityFor(context, { namespace: service.namespace, identityName: service.identity }) : undefined,
      egress: service.identity ? AZURE_HTTPS_EGRESS : undefined,
      nodePool: placement(context.cluster, service.nodePool),
    });
    backends.set(`microservice/${name}`, construct.backend);
  }
  addDeclaredCalls(context, serving, backends);

  const mlflow = serving.mlflow;
  if (mlflow) {
    const construct = new MlflowTracking(context.layers.workloads, 'mlflow', {
      namespace: mlflow.namespace,
      image: mlflow.image,
      replicas: mlflow.replicas,
      backendStoreSecret: mlflow.backendStoreSecret,
      artifacts: mlflow.artifacts,
      identity: podIdentityFor(context, { namespace: mlflow.namespace, identityName: mlflow.identity }),
      resources: mlflow.resources,
      pathPrefix: mlflow.route?.path ?? MLFLOW_DEFAULT_PATH,
      nodePool: placement(context.cluster, mlflow.nodePool),
    });
    backends.set('mlflow/mlflow', construct.backend);
  }

  addRoutes(context, serving, backends);
};

/** The route of every workload that has one, on the cluster's routing (rendered by the routing composition). */
function addRoutes(context: ClusterContext, serving: ServingConfig, backends: ReadonlyMap<string, RouteBackend>): void {
  const routing = context.cluster.routing;
  if (!routing) return; // routes without routing are a config error (servingRoutesNeedRouting)
  const declared = declaredRoutes(serving, routing);
  const routes: RouteSpec[] = declared.map((route) => {
    const backend = backends.get(`${route.kind}/${route.workload}`);
    if (!backend) throw new Error(`serving: ${route.kind} '${route.workload}' has a route but no Service to route to (a Knative model); set its route.enabled: false`);
    return routeSpec(route, backend, backend.ports[0].port);
  });
  requestRoutes(context, routes, [...backends.values()]);
}

/** The placement facts of a configured node pool. */
function placement(cluster: ClusterConfig, poolName: string | undefined): NodePoolPlacement | undefined {
  if (poolName === undefined) return undefined;
  const pool = cluster.nodePools[poolName];
  return { name: poolName, mode: pool.mode as NodePoolMode, minCount: pool.minCount, taints: pool.taints, gpusPerNode: pool.gpusPerNode };
}

/** The service's volumes; a `claim` volume becomes a SharedVolume named `<service>-<volume>`. */
function volumes(context: ClusterContext, serviceName: string, service: MicroserviceConfig): MicroserviceVolume[] {
  return Object.entries(service.volumes ?? {}).map(([name, volume]) => {
    const claim = volume.claim && new SharedVolume(context.layers.workloads, `volume-${serviceName}-${name}`, {
      name: `${serviceName}-${name}`,
      namespace: service.namespace,
      storageClassName: volume.claim.storageClassName ?? DEFAULT_STORAGE_CLASS,
      size: volume.claim.size,
      mountPath: volume.mountPath,
    });
    return {
      name,
      mountPath: volume.mountPath,
      readOnly: volume.readOnly,
      emptyDirSizeLimit: volume.emptyDir?.sizeLimit,
      claimName: claim ? claim.claimName : volume.existingClaim,
    };
  });
}

/**
 * Declared calls between microservices (`calls: [<service>]`): an egress rule for the caller's pods (in its
 * namespace) and an ingress rule for the callee's pods (in the callee's namespace) on the callee's container
 * port, both scoped to the two services' pods; both are needed under the namespaces' default deny.
 */
function addDeclaredCalls(context: ClusterContext, serving: ServingConfig, backends: ReadonlyMap<string, RouteBackend>): void {
  for (const [caller, service] of Object.entries(serving.microservices ?? {})) {
    const from = backends.get(`microservice/${caller}`)!;
    for (const callee of [...(service.calls ?? [])].sort()) {
      const to = backends.get(`microservice/${callee}`);
      if (!to) continue; // reported by the config rule callsResolve
      const ports = to.ports.map((port) => port.targetPort);
      allowEgressTo(context.layers.workloads, `call-${caller}-${callee}-egress`, {
        name: `${caller}-calls-${callee}`, namespace: from.namespace, podLabels: from.podLabels, ports,
        peers: [{ namespace: to.namespace, podLabels: to.podLabels }],
      });
      allowIngressFromPods(context.layers.workloads, `call-${caller}-${callee}-ingress`, {
        name: `${callee}-from-${caller}`, namespace: to.namespace, podLabels: to.podLabels, ports,
        fromNamespace: from.namespace, fromPodLabels: from.podLabels,
      });
      declareFlows(context.layers.workloads, { purpose: `microservice ${caller} calls ${callee}`, from: { namespace: from.namespace, podLabels: from.podLabels }, to: { namespace: to.namespace, podLabels: to.podLabels } }, ports);
    }
  }
}
