import { NodePoolMode, NodePoolPlacement } from '../lib/core/node-pool';
import { Operator, OPERATORS } from '../lib/gitops/operators';
import { DEFAULT_KAFKA_LISTENER_PORT, kafkaClientPodLabels, kafkaTopicObjectName, StreamingConfig } from '../lib/streaming/config';
import { KafkaCluster } from '../lib/streaming/kafka-cluster';
import { KafkaTopic } from '../lib/streaming/kafka-topic';
import { KafkaUser } from '../lib/streaming/kafka-user';
import { Nifi } from '../lib/streaming/nifi';
import { SparkSubmitter } from '../lib/data-processing/spark-submitter';
import { parseQuantity } from '../lib/core/quantity';
import { ClusterComposition, ClusterContext } from '../lib/synth/cluster-context';
import { compareText } from '../lib/core/sort';
import { appRoutes, clusterRoutes } from '../lib/serving/config-routes';
import { NifiCalls } from '../lib/streaming/nifi';
import { requestRoutes, routeSpec, routingEntryPods } from './routing';

function placement(context: ClusterContext, name: string): NodePoolPlacement {
  const pool = context.cluster.nodePools[name];
  return { name, mode: pool.mode as NodePoolMode, minCount: pool.minCount, taints: pool.taints, gpusPerNode: pool.gpusPerNode };
}

/** The Kafka cluster of the section, with its client peers (workloads layer: Strimzi's CRDs come with the operator). */
export function addKafka(context: ClusterContext, section: StreamingConfig): KafkaCluster {
  const kafka = section.kafka;
  const clients = Object.entries(section.clients ?? {}).sort(([a], [b]) => compareText(a, b));
  return new KafkaCluster(context.layers.workloads, 'kafka', {
    name: kafka.name,
    namespace: kafka.namespace,
    version: kafka.version,
    nodePool: placement(context, kafka.nodePool),
    storageClassName: kafka.storageClass,
    nodePools: Object.entries(kafka.nodePools).map(([name, pool]) => ({ name, roles: pool.roles, replicas: pool.replicas, storageSize: pool.storageSize, resources: pool.resources })),
    replication: kafka.replication,
    minInSyncReplicas: kafka.minInSyncReplicas,
    listenerPort: kafka.listenerPort ?? DEFAULT_KAFKA_LISTENER_PORT,
    clients: clients.map(([name, client]) => ({ namespace: client.namespace, podLabels: kafkaClientPodLabels(name, client) })),
    operatorNamespace: OPERATORS[Operator.STRIMZI].namespace,
    clusterDomain: context.cluster.clusterDomain,
    clusterCa: kafka.clusterCa,
  });
}

/**
 * The streaming section: the Strimzi Kafka cluster (KRaft, node pools), its KafkaTopics and one KafkaUser per
 * client in the workloads layer (after the operators layer installs Strimzi and its CRDs), and each client's
 * egress to the brokers in the platform layer. Nothing without a `streaming` section.
 */
export const streamingComposition: ClusterComposition = (context) => {
  const section = context.cluster.streaming;
  if (!section) return;
  const kafka = addKafka(context, section);
  for (const name of Object.keys(section.topics ?? {}).sort(compareText)) {
    const topic = section.topics![name];
    new KafkaTopic(context.layers.workloads, `kafka-topic-${name}`, {
      topicName: name,
      objectName: kafkaTopicObjectName(name),
      namespace: kafka.namespace,
      clusterName: kafka.name,
      partitions: topic.partitions,
      replicas: topic.replication ?? section.kafka.replication,
      retentionHours: topic.retentionHours,
      cleanupPolicy: topic.cleanupPolicy as 'delete' | 'compact' | undefined,
    });
  }
  for (const name of Object.keys(section.clients ?? {}).sort(compareText)) {
    const client = section.clients![name];
    new KafkaUser(context.layers.workloads, `kafka-user-${name}`, {
      name,
      namespace: kafka.namespace,
      clusterName: kafka.name,
      passwordSecretName: client.credentialsSecret,
      produce: client.produce,
      consume: client.consume,
      consumerGroups: client.consumerGroups,
    });
    kafka.allowClientEgress(context.layers.platform, `kafka-client-egress-${name}`, { name, namespace: client.namespace, podLabels: kafkaClientPodLabels(name, client) });
  }
  if (section.nifi) addNifi(context, section);
};

/** Size of the smaller repositories: a tenth of the large ones, at least 1Gi. */
function smallRepository(size: string): string {
  return `${Math.max(1, Math.ceil(parseQuantity(size) / 10 / 2 ** 30))}Gi`;
}

/** NiFi (workloads layer) as the Kafka client it is configured as: the client's pod labels admit it to the brokers. */
function addNifi(context: ClusterContext, section: StreamingConfig): Nifi {
  const submission = section.nifi!.sparkSubmission;
  const nifiObject = nifiWorkload(context, section, submission !== undefined);
  if (submission) {
    new SparkSubmitter(context.layers.platform, `spark-submitter-nifi-${submission.namespace}`, {
      name: 'nifi',
      namespace: submission.namespace,
      submitters: [{ namespace: section.nifi!.namespace, name: nifiObject.serviceAccountName }],
    });
  }
  addNifiRoutes(context, section, nifiObject);
  return nifiObject;
}

/**
 * NiFi's routes on the cluster's routing (rendered by the routing composition): the UI at the root of its host to
 * the HTTPS port, and the HTTP endpoint as its own API path to the endpoint port. The UI route sets X-ProxyScheme,
 * X-ProxyHost and X-ProxyPort, from which NiFi builds its own URLs, the OIDC redirect URI included
 * (rel/nifi-2.11.0 nifi-web-servlet-shared StandardRequestUriProvider reads them before X-Forwarded-* and the Host
 * header; without a port header it would use its own port 8443; ProxyHeaderValidatorCustomizer admits a proxy host
 * header only for a host of nifi.web.proxy.host).
 */
function addNifiRoutes(context: ClusterContext, section: StreamingConfig, nifi: Nifi): void {
  const routing = context.cluster.routing;
  if (!routing) return; // routes without routing are config errors (nifiRoutesNeedRouting)
  const routes = appRoutes({ streaming: section }, routing).filter((route) => route.kind === 'nifi').map((route) => route.workload === 'ui'
    ? routeSpec(route, nifi.backend, nifi.uiPort, { setRequestHeaders: { 'X-ProxyScheme': 'https', 'X-ProxyHost': route.host, 'X-ProxyPort': '443' } })
    : routeSpec(route, nifi.backend, section.nifi!.httpEndpoint.port));
  if (routes.length > 0) requestRoutes(context, routes, [nifi.backend]);
}

/** What NiFi calls: this cluster's routes through the entry pods of its routing, and hosts outside the cluster. */
function nifiCalls(context: ClusterContext, section: StreamingConfig): NifiCalls | undefined {
  const calls = section.nifi!.calls;
  if (!calls) return undefined;
  const routing = context.cluster.routing;
  const entry = routing ? routingEntryPods(routing) : undefined;
  const names = new Set(clusterRoutes(context.cluster).map((route) => route.name));
  const routes = (calls.routes ?? []).filter((name) => names.has(name)).sort(compareText);
  return {
    pods: entry && routes.length > 0 ? [{ purpose: `NiFi calls the routes ${routes.join(', ')} of this cluster`, ...entry }] : [],
    publicHosts: calls.hosts,
  };
}

function nifiWorkload(context: ClusterContext, section: StreamingConfig, apiServerAccess: boolean): Nifi {
  const nifi = section.nifi!;
  const client = section.clients![nifi.kafkaClient];
  const large = nifi.repositorySize ?? '50Gi';
  const small = smallRepository(large);
  const domain = context.cluster.clusterDomain ?? 'cluster.local';
  const oidc = nifi.signIn?.oidc;
  const uiHost = nifi.route && context.cluster.routing ? nifi.route.host : undefined;
  return new Nifi(context.layers.workloads, 'nifi', {
    name: 'nifi',
    namespace: nifi.namespace,
    image: `${nifi.imageRepository ?? 'apache/nifi'}:${nifi.version}`,
    nodePool: placement(context, nifi.nodePool),
    storageClassName: nifi.storageClass,
    repositorySizes: { content_repository: large, provenance_repository: large, flowfile_repository: small, database_repository: small, state: '1Gi', conf: '1Gi' },
    credentialsSecretName: nifi.credentialsSecret,
    // In-cluster names callers use (port-forward and Services), and the UI route's host with the gateway's port:
    // NiFi keeps the host part of each entry as a valid host and adds the port to its valid ports
    // (rel/nifi-2.11.0 FrameworkServerConnectorFactory getValidProxyHosts, getValidPorts).
    proxyHosts: [`nifi.${nifi.namespace}.svc.${domain}:8443`, `nifi.${nifi.namespace}.svc:8443`, 'localhost:8443', ...(uiHost ? [`${uiHost}:443`] : [])],
    httpEndpoint: nifi.httpEndpoint,
    resources: nifi.resources ?? { request: { cpu: '1', memory: '4Gi' }, limit: { cpu: '2', memory: '4Gi' } },
    podLabels: kafkaClientPodLabels(nifi.kafkaClient, client),
    apiServerAccess,
    tls: nifi.tls ? { secretName: nifi.tls.secretName, hostname: `nifi.${nifi.namespace}.svc.${domain}` } : undefined,
    oidc: oidc?.clientSecret ? {
      // Entra ID's OpenID Connect metadata of the tenant (v2.0 endpoints).
      discoveryUrl: `https://login.microsoftonline.com/${context.platform.azure.tenantId}/v2.0/.well-known/openid-configuration`,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      identityClaim: oidc.identityClaim ?? 'preferred_username',
      // preferred_username is the user's UPN for members of the tenant; `upn` carries the same value where an app
      // registration emits it (an optional claim in v2.0 tokens). Not `email`: Entra ID does not guarantee it and
      // documents it as unfit for authorization (ID token claims reference).
      fallbackIdentityClaims: (oidc.identityClaim ?? 'preferred_username') === 'preferred_username' ? ['upn'] : [],
      groupsClaim: oidc.groupsClaim ?? 'groups',
      initialAdminIdentity: oidc.initialAdminIdentity,
    } : undefined,
    calls: nifiCalls(context, section),
  });
}
