/**
 * Semantic rules of the streaming section: what Kafka or Strimzi would refuse or run badly (replication above
 * the broker count, min.insync.replicas above replication, an even KRaft quorum, topic names Kafka refuses or
 * that collide), and references to namespaces, node pools and topics, and the removed apiServerCidrs key.
 */
import { removedApiServerCidrsMessage } from '../core/api-server-config';
import type { ConfigRule, RuleViolation } from '../config/rules';
import type { ClusterConfig, PlatformConfig } from '../config/schema';
import type { ConfigPath } from '../config/yaml-positions';
import { brokerCount, controllerCount, kafkaTopicObjectName, StreamingConfig } from './config';
import { appRoutes, clusterRoutes, servedHosts } from '../serving/config-routes';

type SectionCheck = (section: StreamingConfig, path: ConfigPath, cluster: ClusterConfig, config: PlatformConfig) => RuleViolation[];

/** Runs `check` on every cluster with a streaming section (own loop: importing `perCluster` would be circular). */
function perSection(check: SectionCheck): ConfigRule {
  return (config) => Object.entries(config.clusters).flatMap(([name, cluster]) =>
    cluster.streaming ? check(cluster.streaming, ['clusters', name, 'streaming'], cluster, config) : []);
}

const kafkaPlacement = perSection((section, path, cluster) => {
  const at = [...path, 'kafka'];
  const violations: RuleViolation[] = [];
  const ns = cluster.namespaces[section.kafka.namespace];
  if (!ns) {
    violations.push({ path: [...at, 'namespace'], message: `namespace '${section.kafka.namespace}' is not under namespaces; declare it there so Kafka gets the namespace baseline (restricted, default deny, quota)` });
  } else if (ns.podSecurity && ns.podSecurity.level !== 'restricted') {
    violations.push({ path: [...at, 'namespace'], message: `namespace '${section.kafka.namespace}' is at Pod Security level '${ns.podSecurity.level}', but Kafka runs at restricted (the operator uses its restricted security provider); use a restricted namespace` });
  }
  const pool = cluster.nodePools[section.kafka.nodePool];
  if (!pool) {
    violations.push({ path: [...at, 'nodePool'], message: `node pool '${section.kafka.nodePool}' is not under nodePools; use one of: ${Object.keys(cluster.nodePools).join(', ')}` });
  } else if (pool.mode === 'System' || pool.gpusPerNode !== undefined) {
    violations.push({ path: [...at, 'nodePool'], message: `node pool '${section.kafka.nodePool}' is a ${pool.mode === 'System' ? 'System' : 'GPU'} pool; Kafka runs on a User pool without GPUs` });
  }
  const ca = section.kafka.clusterCa;
  if (ca && ca.renewalDays >= ca.validityDays) {
    violations.push({ path: [...at, 'clusterCa', 'renewalDays'], message: `renewalDays (${ca.renewalDays}) must be fewer than validityDays (${ca.validityDays}): it is the window before expiry in which Strimzi renews the CA certificate, and clients must get the new ca.crt within it` });
  }
  if (section.kafka.apiServerCidrs !== undefined) {
    violations.push({ path: [...at, 'apiServerCidrs'], message: removedApiServerCidrsMessage('the Kafka topic and user operators (and NiFi submitting Spark jobs)') });
  }
  return violations;
});

const kafkaQuorumAndReplication = perSection((section, path) => {
  const at = [...path, 'kafka'];
  const kafka = section.kafka;
  const brokers = brokerCount(kafka);
  const controllers = controllerCount(kafka);
  const violations: RuleViolation[] = [];
  if (brokers === 0) violations.push({ path: [...at, 'nodePools'], message: 'no node pool has the broker role; give a pool roles [broker] or [controller, broker]' });
  if (controllers === 0) violations.push({ path: [...at, 'nodePools'], message: 'no node pool has the controller role; KRaft needs controllers: give a pool roles [controller] or [controller, broker]' });
  if (controllers > 0 && controllers % 2 === 0) {
    violations.push({ path: [...at, 'nodePools'], message: `the KRaft quorum has ${controllers} controllers; an even quorum tolerates no more failures than one controller less; use an odd number (1, 3 or 5)` });
  }
  if (brokers > 0 && kafka.replication > brokers) {
    violations.push({ path: [...at, 'replication'], message: `replication (${kafka.replication}) is larger than the ${brokers} broker(s); Kafka cannot place the replicas of internal and new topics; lower it or add brokers` });
  }
  if (kafka.minInSyncReplicas > kafka.replication) {
    violations.push({ path: [...at, 'minInSyncReplicas'], message: `minInSyncReplicas (${kafka.minInSyncReplicas}) is larger than replication (${kafka.replication}); every write with acks=all would fail; lower it (usually replication - 1)` });
  }
  return violations;
});

const topicsAreValid = perSection((section, path) => {
  const violations: RuleViolation[] = [];
  const brokers = brokerCount(section.kafka);
  const objectNames = new Map<string, string>();
  const metricNames = new Map<string, string>();
  for (const [name, topic] of Object.entries(section.topics ?? {})) {
    const at = [...path, 'topics', name];
    if (name === '.' || name === '..') {
      violations.push({ path: at, message: `'${name}' is not a valid Kafka topic name; use letters, digits, '.', '_' and '-'` });
      continue;
    }
    if (name.startsWith('__')) {
      violations.push({ path: at, message: `topic names starting with '__' are Kafka's internal topics (such as __consumer_offsets); rename '${name}'` });
    }
    // Kafka refuses a topic whose name differs from an existing one only by '.' versus '_' (they collide in metric names).
    const metric = name.replace(/\./g, '_');
    const sameMetric = metricNames.get(metric);
    if (sameMetric !== undefined) {
      violations.push({ path: at, message: `topic '${name}' collides with '${sameMetric}': Kafka treats '.' and '_' as the same in metric names and refuses the second; rename one` });
    }
    metricNames.set(metric, name);
    const objectName = kafkaTopicObjectName(name);
    const sameObject = objectNames.get(objectName);
    if (sameObject !== undefined) {
      violations.push({ path: at, message: `topic '${name}' and '${sameObject}' both become the KafkaTopic object '${objectName}' (names are lowercased, '_' becomes '-'); rename one` });
    }
    objectNames.set(objectName, name);
    const replication = topic.replication ?? section.kafka.replication;
    if (topic.replication !== undefined && brokers > 0 && topic.replication > brokers) {
      violations.push({ path: [...at, 'replication'], message: `replication (${topic.replication}) is larger than the ${brokers} broker(s); Strimzi's Topic Operator cannot create the topic; lower it or add brokers` });
    }
    if (replication < section.kafka.minInSyncReplicas) {
      violations.push({ path: [...at, 'replication'], message: `replication (${replication}) is below kafka.minInSyncReplicas (${section.kafka.minInSyncReplicas}); producers with acks=all could never write to '${name}'; raise it` });
    }
  }
  return violations;
});

const clientsReferToKnownThings = perSection((section, path, cluster) =>
  Object.entries(section.clients ?? {}).flatMap(([name, client]) => {
    const at = [...path, 'clients', name];
    const violations: RuleViolation[] = [];
    if (!cluster.namespaces[client.namespace]) {
      violations.push({ path: [...at, 'namespace'], message: `namespace '${client.namespace}' is not under namespaces; declare it there` });
    }
    for (const key of ['produce', 'consume'] as const) {
      (client[key] ?? []).forEach((topic, index) => {
        if (!section.topics?.[topic]) {
          violations.push({ path: [...at, key, index], message: `topic '${topic}' is not under streaming.topics (known: ${Object.keys(section.topics ?? {}).join(', ') || 'none'}); topics are only created from there` });
        }
      });
    }
    if ((client.produce ?? []).length + (client.consume ?? []).length === 0) {
      violations.push({ path: at, message: 'the client neither produces nor consumes; list its topics under produce or consume' });
    }
    if ((client.consumerGroups ?? []).length > 0 && (client.consume ?? []).length === 0) {
      violations.push({ path: [...at, 'consumerGroups'], message: 'consumer groups are only used to consume; list the topics under consume, or remove consumerGroups' });
    }
    return violations;
  }));

const streamingJobsFit = perSection((section, path, cluster, config) =>
  Object.entries(section.jobs ?? {}).flatMap(([name, job]) => {
    const at = [...path, 'jobs', name];
    const violations: RuleViolation[] = [];
    const dp = cluster.dataProcessing;
    if (!dp) {
      return [{ path: at, message: 'streaming jobs run on Spark: the cluster needs a dataProcessing section (Spark namespaces, RBAC and the Spark operator)' }];
    }
    const client = section.clients?.[job.kafkaClient];
    if (!client) {
      violations.push({ path: [...at, 'kafkaClient'], message: `'${job.kafkaClient}' is not under streaming.clients (known: ${Object.keys(section.clients ?? {}).join(', ') || 'none'}); declare the job's Kafka client there` });
    } else if (!dp.spark.namespaces[client.namespace]) {
      violations.push({ path: [...at, 'kafkaClient'], message: `client '${job.kafkaClient}' is in namespace '${client.namespace}', which is not a Spark namespace (known: ${Object.keys(dp.spark.namespaces).join(', ')}); put the client in one` });
    } else if (dp.jobs?.[name]?.namespace === client.namespace) {
      violations.push({ path: at, message: `dataProcessing.jobs.${name} is a SparkApplication of the same name in namespace '${client.namespace}'; rename one` });
    }
    const checkpoint = job.checkpoint;
    const forms = [checkpoint.abfs, checkpoint.volume].filter((value) => value !== undefined).length;
    if (forms !== 1) {
      violations.push({ path: [...at, 'checkpoint'], message: `a checkpoint is exactly one of abfs (an abfss:// folder) or volume (a shared RWX volume); found ${forms === 0 ? 'neither' : 'both'}` });
    }
    if (checkpoint.subPath !== undefined && checkpoint.volume === undefined) {
      violations.push({ path: [...at, 'checkpoint', 'subPath'], message: 'subPath is a folder inside checkpoint.volume; set volume or remove subPath' });
    }
    if (checkpoint.volume !== undefined) {
      const volume = dp.sharedVolumes?.volumes[checkpoint.volume];
      if (!volume) {
        violations.push({ path: [...at, 'checkpoint', 'volume'], message: `shared volume '${checkpoint.volume}' is not under dataProcessing.sharedVolumes.volumes (known: ${Object.keys(dp.sharedVolumes?.volumes ?? {}).join(', ') || 'none'})` });
      } else if (client && volume.namespace !== client.namespace) {
        violations.push({ path: [...at, 'checkpoint', 'volume'], message: `shared volume '${checkpoint.volume}' is in namespace '${volume.namespace}', but the job runs in '${client.namespace}'; a pod can only mount claims of its own namespace` });
      }
    }
    if ((checkpoint.abfs !== undefined || job.azureStorage) && !dp.spark.identity) {
      violations.push({ path: [...at, checkpoint.abfs !== undefined ? 'checkpoint' : 'azureStorage'], message: 'ADLS Gen2 access needs dataProcessing.spark.identity (Workload Identity); set it, or checkpoint on a shared volume' });
    }
    if (checkpoint.abfs !== undefined) {
      const account = /@([a-z0-9]+)\.dfs\.core\.windows\.net/.exec(checkpoint.abfs)?.[1];
      const known = account === undefined ? undefined : config.azure.storageAccounts[account];
      if (!known) {
        violations.push({ path: [...at, 'checkpoint', 'abfs'], message: `storage account '${account}' is not under azure.storageAccounts (known: ${Object.keys(config.azure.storageAccounts).join(', ')})` });
      } else if (!known.hierarchicalNamespace) {
        violations.push({ path: [...at, 'checkpoint', 'abfs'], message: `storage account '${account}' has no hierarchical namespace, so abfss:// (ADLS Gen2) does not work there; use an account with hierarchicalNamespace: true` });
      }
    }
    if ((job.type === 'Scala' || job.type === 'Java') && !job.mainClass) {
      violations.push({ path: [...at, 'mainClass'], message: `a ${job.type} job needs a mainClass` });
    }
    const fixed = Object.keys(job.sparkConf ?? {}).filter((key) => PLATFORM_SPARK_CONF.includes(key));
    if (fixed.length > 0) {
      violations.push({ path: [...at, 'sparkConf', fixed[0]], message: `${fixed.join(', ')} is set by the platform (the checkpoint comes from checkpoint, the ports match the namespace's NetworkPolicies); remove it` });
    }
    return violations;
  }));

/** Spark properties a streaming job's sparkConf must not set: SparkJob fixes the ports, SparkStreamingJob the checkpoint. */
const PLATFORM_SPARK_CONF = ['spark.sql.streaming.checkpointLocation', 'spark.driver.port', 'spark.driver.blockManager.port', 'spark.blockManager.port'];

const nifiFits = perSection((section, path, cluster) => {
  const nifi = section.nifi;
  if (!nifi) return [];
  const at = [...path, 'nifi'];
  const violations: RuleViolation[] = [];
  const ns = cluster.namespaces[nifi.namespace];
  if (!ns) {
    violations.push({ path: [...at, 'namespace'], message: `namespace '${nifi.namespace}' is not under namespaces; declare it there (NiFi runs at Pod Security level restricted)` });
  } else if (ns.podSecurity && ns.podSecurity.level !== 'restricted') {
    violations.push({ path: [...at, 'namespace'], message: `namespace '${nifi.namespace}' is at level '${ns.podSecurity.level}'; NiFi runs at restricted, use a restricted namespace` });
  }
  const pool = cluster.nodePools[nifi.nodePool];
  if (!pool) {
    violations.push({ path: [...at, 'nodePool'], message: `node pool '${nifi.nodePool}' is not under nodePools; use one of: ${Object.keys(cluster.nodePools).join(', ')}` });
  } else if (pool.mode === 'System' || pool.gpusPerNode !== undefined) {
    violations.push({ path: [...at, 'nodePool'], message: `node pool '${nifi.nodePool}' is a ${pool.mode === 'System' ? 'System' : 'GPU'} pool; NiFi runs on a User pool without GPUs` });
  }
  const client = section.clients?.[nifi.kafkaClient];
  if (!client) {
    violations.push({ path: [...at, 'kafkaClient'], message: `'${nifi.kafkaClient}' is not under streaming.clients (known: ${Object.keys(section.clients ?? {}).join(', ') || 'none'})` });
  } else if (client.namespace !== nifi.namespace) {
    violations.push({ path: [...at, 'kafkaClient'], message: `client '${nifi.kafkaClient}' is in namespace '${client.namespace}', but NiFi runs in '${nifi.namespace}'; the client's Secret and network access are per namespace` });
  }
  if (nifi.sparkSubmission && !cluster.dataProcessing?.spark.namespaces[nifi.sparkSubmission.namespace]) {
    violations.push({ path: [...at, 'sparkSubmission', 'namespace'], message: `'${nifi.sparkSubmission.namespace}' is not a Spark namespace of this cluster (dataProcessing.spark.namespaces: ${Object.keys(cluster.dataProcessing?.spark.namespaces ?? {}).join(', ') || 'none'})` });
  }
  if (nifi.httpEndpoint.port === 8443) {
    violations.push({ path: [...at, 'httpEndpoint', 'port'], message: 'port 8443 is NiFi\'s HTTPS UI; use another port for the endpoint (the seed: 9192)' });
  }
  return violations;
});

/** The cluster's name in a section path (`clusters.<name>.streaming`). */
const clusterOf = (path: ConfigPath) => String(path[1]);

/** NiFi's routes (the UI, the HTTP endpoint) go through the cluster's routing, which must exist. */
const nifiRoutesNeedRouting = perSection((section, path, cluster) => {
  if (!section.nifi || cluster.routing) return [];
  return appRoutes({ streaming: section }, undefined, path.slice(0, 2)).filter((route) => route.kind === 'nifi').map((route) => ({
    path: route.configPath,
    message: `NiFi's ${route.workload === 'ui' ? 'UI' : 'HTTP endpoint'} route goes through the cluster's gateway, but cluster '${clusterOf(path)}' has no routing section; add clusters.${clusterOf(path)}.routing (mode gateway-api, hostname, tls, gateway), or remove this route and reach NiFi with kubectl port-forward`,
  }));
});

/** A NiFi route's host must be one the routing serves (hostname or hosts): its listener and certificate exist. */
const nifiRouteHostsAreServed = perSection((section, path, cluster) => {
  const routing = cluster.routing;
  if (!section.nifi || !routing) return [];
  const served = servedHosts(routing);
  return appRoutes({ streaming: section }, routing, path.slice(0, 2)).filter((route) => route.kind === 'nifi' && !served.includes(route.host)).map((route) => ({
    path: [...route.configPath, 'host'],
    message: `host '${route.host}' is not served by the routing's listeners (served: ${served.join(', ')}); add it to clusters.${clusterOf(path)}.routing.hosts (it then gets an HTTPS listener and is on the certificate), or use one of the served hosts`,
  }));
});

/**
 * The UI route re-encrypts to NiFi's HTTPS port, and the gateway verifies NiFi's certificate (BackendTLSPolicy):
 * it needs a certificate from `tls` (NiFi's self-signed one exists only after the first start) and the Gateway API.
 */
const nifiUiRouteVerifiesNifi = perSection((section, path, cluster) => {
  const nifi = section.nifi;
  if (!nifi?.route || !cluster.routing) return [];
  const at = [...path, 'nifi', 'route'];
  if (cluster.routing.mode !== 'gateway-api') {
    return [{ path: at, message: `NiFi serves its UI only over HTTPS (port 8443), and routing mode ${cluster.routing.mode} cannot verify a backend's certificate without presenting one of its own (ingress-nginx proxy-ssl-secret); use routing.mode gateway-api (BackendTLSPolicy) or remove the route` }];
  }
  if (!nifi.tls) {
    return [{ path: at, message: 'the gateway opens TLS to NiFi\'s port 8443 and verifies its certificate, but NiFi would serve the self-signed certificate it generates at first start, which nothing can trust in advance; add streaming.nifi.tls.secretName: a kubernetes.io/tls Secret created outside dist/ (tls.crt, tls.key, ca.crt; such as a cert-manager Certificate from a CA issuer) whose certificate names nifi.<namespace>.svc.<cluster domain>, nifi.<namespace>.svc and the route host (docs/streaming.md, NiFi\'s certificate)' }];
  }
  return [];
});

/** NiFi's OIDC sign-in authenticates at Entra ID's token endpoint with the app registration's client secret. */
const nifiOidcHasClientSecret = perSection((section, path) => {
  const oidc = section.nifi?.signIn?.oidc;
  if (!oidc || oidc.clientSecret) return [];
  return [{
    path: [...path, 'nifi', 'signIn', 'oidc'],
    message: 'OIDC sign-in needs the app registration\'s client secret (NiFi sends it to the token endpoint; nifi.security.user.oidc.client.secret); create a Secret outside dist/ in NiFi\'s namespace and set clientSecret: { name: <Secret>, key: client-secret }',
  }];
});

/** Routes NiFi calls are routes of this cluster; hosts it calls are outside it. */
const nifiCallsResolve = perSection((section, path, cluster) => {
  const calls = section.nifi?.calls;
  if (!calls) return [];
  const at = [...path, 'nifi', 'calls'];
  const violations: RuleViolation[] = [];
  const names = clusterRoutes(cluster, path.slice(0, 2)).map((route) => route.name);
  (calls.routes ?? []).forEach((name, index) => {
    if (!cluster.routing) {
      violations.push({ path: [...at, 'routes', index], message: `route '${name}': cluster '${clusterOf(path)}' has no routing section, so it has no routes; add clusters.${clusterOf(path)}.routing, or call a host outside the cluster under calls.hosts` });
    } else if (!names.includes(name)) {
      violations.push({ path: [...at, 'routes', index], message: `'${name}' is not a route of cluster '${clusterOf(path)}' (routes: ${names.join(', ') || 'none'}); name one of them, or list a host outside the cluster under calls.hosts` });
    }
  });
  const served = cluster.routing ? new Set([...servedHosts(cluster.routing), ...clusterRoutes(cluster).map((route) => route.host)]) : new Set<string>();
  (calls.hosts ?? []).forEach((host, index) => {
    if (served.has(host)) {
      violations.push({ path: [...at, 'hosts', index], message: `'${host}' is served by this cluster's own gateway, whose traffic stays in the cluster and reaches the gateway's pods, not a public address; list the route's name under calls.routes instead` });
    }
  });
  return violations;
});

/** Every rule of the streaming section, in the order they run. */
export const STREAMING_RULES: readonly ConfigRule[] = [
  kafkaPlacement,
  kafkaQuorumAndReplication,
  topicsAreValid,
  clientsReferToKnownThings,
  streamingJobsFit,
  nifiFits,
  nifiRoutesNeedRouting,
  nifiRouteHostsAreServed,
  nifiUiRouteVerifiesNifi,
  nifiOidcHasClientSecret,
  nifiCallsResolve,
];
