import { NodePoolMode, NodePoolPlacement } from '../lib/core/node-pool';
import { SparkSubmitter } from '../lib/data-processing/spark-submitter';
import { JupyterHub, NotebookEgress } from '../lib/notebooks/jupyterhub';
import { kafkaBootstrapServers, kafkaClientPodLabels } from '../lib/streaming/config';
import { ClusterComposition, ClusterContext } from '../lib/synth/cluster-context';
import { compareText } from '../lib/core/sort';
import { API_SERVER_PORTS } from '../lib/core/network-policies';
import { podIdentityFor } from './identity';
import { appRoutes } from '../lib/serving/config-routes';
import { requestRoutes, routeSpec } from './routing';

function placement(context: ClusterContext, name: string): NodePoolPlacement {
  const pool = context.cluster.nodePools[name];
  return { name, mode: pool.mode as NodePoolMode, minCount: pool.minCount, taints: pool.taints, gpusPerNode: pool.gpusPerNode };
}

/** Egress of user pods to the data services that exist on the cluster: Kafka (as their client) and HDFS. */
function dataEgress(context: ClusterContext): NotebookEgress[] {
  const egress: NotebookEgress[] = [];
  const { streaming, dataProcessing } = context.cluster;
  const notebooks = context.cluster.notebooks!;
  if (streaming && notebooks.kafkaClient) {
    const port = Number(kafkaBootstrapServers(streaming.kafka).split(':').pop());
    egress.push({ purpose: 'Kafka TLS listener', to: { namespace: streaming.kafka.namespace, podLabels: { 'strimzi.io/cluster': streaming.kafka.name, 'strimzi.io/broker-role': 'true' } }, ports: [port] });
  }
  if (dataProcessing?.hdfs) {
    // HDFS runs on node addresses (hostNetwork): namenode RPC and datanode data transfer (Hadoop 3 defaults).
    for (const cidr of [...(dataProcessing.network.nodeCidrs ?? [])].sort(compareText)) egress.push({ purpose: 'HDFS namenode and datanodes', to: { cidr }, ports: [8020, 9866] });
  }
  if (notebooks.sparkSubmission) {
    // The API server ports to any address, like every namespace of the platform (lib/core apiServerEgressRule).
    egress.push({ purpose: 'SparkApplications through the API server', ports: API_SERVER_PORTS });
  }
  return egress;
}

/**
 * The notebooks section: JupyterHub as a HelmRelease (workloads layer) in its namespace, user pods bound to the
 * configured identity (ServiceAccount in the platform layer), and, with sparkSubmission, the spark-submitter Role
 * bound to that ServiceAccount. Nothing without a `notebooks` section or without the chart pin (a config error).
 */
export const notebooksComposition: ClusterComposition = (context) => {
  const notebooks = context.cluster.notebooks;
  const pin = context.cluster.operators?.jupyterhub;
  if (!notebooks || !pin) return;
  const identity = podIdentityFor(context, { namespace: notebooks.namespace, identityName: notebooks.identity, serviceAccountName: 'notebooks', automountServiceAccountToken: notebooks.sparkSubmission !== undefined });
  const client = notebooks.kafkaClient === undefined ? undefined : context.cluster.streaming!.clients![notebooks.kafkaClient];
  const hub = new JupyterHub(context.layers.workloads, 'jupyterhub', {
    namespace: notebooks.namespace,
    chart: { repository: pin.repository, version: pin.version },
    tenantId: context.platform.azure.tenantId,
    clientId: notebooks.auth.clientId,
    clientSecretSecretName: notebooks.auth.clientSecretSecret,
    callbackUrl: notebooks.auth.callbackUrl,
    allowedGroups: notebooks.auth.allowedGroups,
    adminGroups: notebooks.auth.adminGroups,
    nodePool: placement(context, notebooks.nodePool),
    image: notebooks.image,
    userIdentity: { serviceAccountName: identity.serviceAccountName, podLabels: identity.podLabels },
    home: { storageClassName: notebooks.home.storageClass, size: notebooks.home.size },
    idleCullMinutes: notebooks.idleCullMinutes,
    profiles: Object.keys(notebooks.profiles).sort(compareText).map((slug) => {
      const profile = notebooks.profiles[slug];
      return {
        slug, displayName: profile.displayName, cpu: profile.cpu, memory: profile.memory, default: profile.default,
        gpu: profile.gpus !== undefined && profile.gpuPool !== undefined ? { count: profile.gpus, pool: placement(context, profile.gpuPool) } : undefined,
      };
    }),
    egress: dataEgress(context),
    userPodLabels: client ? kafkaClientPodLabels(notebooks.kafkaClient!, client) : undefined,
    interval: context.platform.gitops?.intervals?.helmReleases,
  });
  const routing = context.cluster.routing;
  const route = routing ? appRoutes({ notebooks }, routing).find((r) => r.kind === 'jupyterhub') : undefined;
  if (route) requestRoutes(context, [routeSpec(route, hub.backend, hub.backend.ports[0].port)], [hub.backend]);
  if (notebooks.sparkSubmission) {
    new SparkSubmitter(context.layers.platform, `spark-submitter-notebooks-${notebooks.sparkSubmission.namespace}`, {
      name: 'notebooks',
      namespace: notebooks.sparkSubmission.namespace,
      submitters: [{ namespace: notebooks.namespace, name: identity.serviceAccountName }],
    });
  }
};
