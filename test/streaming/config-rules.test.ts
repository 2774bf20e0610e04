/** The config rules of the streaming section: one failure test per rule, and their wiring into loading. */
import { CONFIG_RULES } from '../../lib/config/platform-rules';
import { PlatformConfig } from '../../lib/config/schema';
import { STREAMING_RULES } from '../../lib/streaming/config-rules';
import { exampleConfig, exampleConfigIssues } from '../util';

type Cluster = PlatformConfig['clusters'][string];

/** Violations of the streaming rules after `edit` changed the example's data-processing cluster. */
function violations(edit: (cluster: Cluster) => void): { path: string; message: string }[] {
  const config = exampleConfig();
  edit(config.clusters['data-processing']);
  return STREAMING_RULES.flatMap((rule) => rule(config)).map((v) => ({ path: v.path.join('.'), message: v.message }));
}

const at = (suffix: string) => `clusters.data-processing.streaming.${suffix}`;
const streaming = (c: Cluster) => c.streaming!;

describe('streaming config rules', () => {
  test('the example config passes', () => {
    expect(violations(() => undefined)).toEqual([]);
  });

  test('the rules run when a config is loaded, with file and line', () => {
    for (const rule of STREAMING_RULES) expect(CONFIG_RULES).toContain(rule);
    const issues = exampleConfigIssues((text) => text.replace('        minInSyncReplicas: 2\n', '        minInSyncReplicas: 4\n'));
    const issue = issues.find((i) => i.path.join('.') === at('kafka.minInSyncReplicas'))!;
    expect(issue.message).toMatch(/minInSyncReplicas \(4\) is larger than replication \(3\)/);
    expect(issue.file).toMatch(/test\.yaml$/);
    expect(issue.line ?? 0).toBeGreaterThan(0);
  });

  test('the Kafka namespace must exist and be restricted', () => {
    expect(violations((c) => { delete c.namespaces.kafka; })).toContainEqual({ path: at('kafka.namespace'), message: expect.stringMatching(/namespace 'kafka' is not under namespaces/) });
    expect(violations((c) => { c.namespaces.kafka.podSecurity = { level: 'baseline', reason: 'not needed at all' }; }))
      .toContainEqual({ path: at('kafka.namespace'), message: expect.stringMatching(/Kafka runs at restricted/) });
  });

  test('Kafka runs on an existing User pool without GPUs', () => {
    expect(violations((c) => { streaming(c).kafka.nodePool = 'nope'; })).toContainEqual({ path: at('kafka.nodePool'), message: expect.stringMatching(/'nope' is not under nodePools/) });
    expect(violations((c) => { streaming(c).kafka.nodePool = 'system'; })).toContainEqual({ path: at('kafka.nodePool'), message: expect.stringMatching(/is a System pool/) });
  });

  test('no API server addresses are needed, with or without a data-processing section; the removed key is an error that says to delete it', () => {
    expect(violations((c) => { delete c.dataProcessing; }).filter((v) => /apiServer/.test(String(v.path)))).toEqual([]);
    expect(violations((c) => { streaming(c).kafka.apiServerCidrs = ['203.0.113.10/32']; })).toContainEqual({
      path: at('kafka.apiServerCidrs'),
      message: expect.stringMatching(/^apiServerCidrs is no longer used: the Kafka topic and user operators .* reach the API server on ports 443 and 6443 to any address, like every operator namespace, .*Cilium.*; delete this key$/),
    });
  });

  test('a cluster CA renewal window must be shorter than the validity', () => {
    expect(violations((c) => { streaming(c).kafka.clusterCa = { validityDays: 30, renewalDays: 45 }; })).toContainEqual({
      path: at('kafka.clusterCa.renewalDays'), message: expect.stringMatching(/^renewalDays \(45\) must be fewer than validityDays \(30\)/),
    });
    expect(violations((c) => { streaming(c).kafka.clusterCa = { validityDays: 730, renewalDays: 60 }; }).filter((v) => /clusterCa/.test(String(v.path)))).toEqual([]);
  });

  test('replication above the broker count, min ISR above replication, an even or missing quorum', () => {
    expect(violations((c) => { streaming(c).kafka.replication = 4; })).toContainEqual({ path: at('kafka.replication'), message: expect.stringMatching(/replication \(4\) is larger than the 3 broker\(s\)/) });
    expect(violations((c) => { streaming(c).kafka.minInSyncReplicas = 3; streaming(c).kafka.replication = 2; }))
      .toContainEqual({ path: at('kafka.minInSyncReplicas'), message: expect.stringMatching(/minInSyncReplicas \(3\) is larger than replication \(2\)/) });
    expect(violations((c) => { streaming(c).kafka.nodePools.dual.replicas = 4; })).toContainEqual({ path: at('kafka.nodePools'), message: expect.stringMatching(/4 controllers; an even quorum/) });
    expect(violations((c) => { streaming(c).kafka.nodePools.dual.roles = ['broker']; })).toContainEqual({ path: at('kafka.nodePools'), message: expect.stringMatching(/no node pool has the controller role/) });
    expect(violations((c) => { streaming(c).kafka.nodePools.dual.roles = ['controller']; })).toContainEqual({ path: at('kafka.nodePools'), message: expect.stringMatching(/no node pool has the broker role/) });
  });

  test('topics Kafka or Strimzi would refuse', () => {
    const topics = (c: Cluster) => streaming(c).topics!;
    expect(violations((c) => { topics(c)['StreamingRaw'].replication = 5; })).toContainEqual({ path: at('topics.StreamingRaw.replication'), message: expect.stringMatching(/replication \(5\) is larger than the 3 broker\(s\)/) });
    expect(violations((c) => { topics(c)['StreamingRaw'].replication = 1; })).toContainEqual({ path: at('topics.StreamingRaw.replication'), message: expect.stringMatching(/below kafka.minInSyncReplicas \(2\)/) });
    expect(violations((c) => { topics(c)['__internal'] = { partitions: 1 }; })).toContainEqual({ path: at('topics.__internal'), message: expect.stringMatching(/Kafka's internal topics/) });
    expect(violations((c) => { topics(c)['..'] = { partitions: 1 }; })).toContainEqual({ path: at('topics...'), message: expect.stringMatching(/not a valid Kafka topic name/) });
    expect(violations((c) => { topics(c)['a.b'] = { partitions: 1 }; topics(c)['a_b'] = { partitions: 1 }; }))
      .toContainEqual({ path: at('topics.a_b'), message: expect.stringMatching(/collides with 'a.b'/) });
    expect(violations((c) => { topics(c)['streamingraw'] = { partitions: 1 }; }))
      .toContainEqual({ path: at('topics.streamingraw'), message: expect.stringMatching(/both become the KafkaTopic object 'streamingraw'/) });
  });

  test('invalid topic names and partitions are schema errors with the line', () => {
    const badName = exampleConfigIssues((text) => text.replace('        StreamingRaw: { partitions: 6,', '        Streaming Raw: { partitions: 6,'));
    // The rules still run on the rest: the clients naming StreamingRaw are reported too.
    expect(badName.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining([at('topics.Streaming Raw'), at('clients.nifi.produce.0')]));
    const badPartitions = exampleConfigIssues((text) => text.replace('        StreamingRaw: { partitions: 6,', '        StreamingRaw: { partitions: 0,'));
    expect(badPartitions.map((i) => i.path.join('.'))).toEqual([at('topics.StreamingRaw.partitions')]);
    expect([...badName, ...badPartitions].every((i) => (i.line ?? 0) > 0)).toBe(true);
  });

  test('clients refer to declared namespaces and topics', () => {
    const nifi = (c: Cluster) => streaming(c).clients!.nifi;
    expect(violations((c) => { nifi(c).namespace = 'nowhere'; })).toContainEqual({ path: at('clients.nifi.namespace'), message: expect.stringMatching(/namespace 'nowhere' is not under namespaces/) });
    expect(violations((c) => { nifi(c).produce = ['Typo']; })).toContainEqual({ path: at('clients.nifi.produce.0'), message: expect.stringMatching(/topic 'Typo' is not under streaming.topics/) });
    expect(violations((c) => { delete nifi(c).produce; delete nifi(c).consume; })).toContainEqual({ path: at('clients.nifi'), message: expect.stringMatching(/neither produces nor consumes/) });
    expect(violations((c) => { delete nifi(c).consume; })).toContainEqual({ path: at('clients.nifi.consumerGroups'), message: expect.stringMatching(/only used to consume/) });
  });

  test('streaming jobs: Spark on the cluster, a client in a Spark namespace, exactly one usable checkpoint', () => {
    const job = (c: Cluster) => streaming(c).jobs!['streaming-scoring'];
    expect(violations((c) => { delete c.dataProcessing; })).toContainEqual({ path: at('jobs.streaming-scoring'), message: expect.stringMatching(/needs a dataProcessing section/) });
    expect(violations((c) => { job(c).kafkaClient = 'nobody'; })).toContainEqual({ path: at('jobs.streaming-scoring.kafkaClient'), message: expect.stringMatching(/'nobody' is not under streaming.clients/) });
    expect(violations((c) => { job(c).kafkaClient = 'nifi'; })).toContainEqual({ path: at('jobs.streaming-scoring.kafkaClient'), message: expect.stringMatching(/namespace 'nifi', which is not a Spark namespace/) });
    expect(violations((c) => { job(c).checkpoint = {}; })).toContainEqual({ path: at('jobs.streaming-scoring.checkpoint'), message: expect.stringMatching(/exactly one of abfs .* found neither/) });
    expect(violations((c) => { job(c).checkpoint.abfs = 'abfss://c1@exampledatalake.dfs.core.windows.net/x'; })).toContainEqual({ path: at('jobs.streaming-scoring.checkpoint'), message: expect.stringMatching(/found both/) });
    expect(violations((c) => { job(c).checkpoint = { volume: 'nope' }; })).toContainEqual({ path: at('jobs.streaming-scoring.checkpoint.volume'), message: expect.stringMatching(/'nope' is not under dataProcessing.sharedVolumes.volumes/) });
    expect(violations((c) => { job(c).checkpoint = { abfs: 'abfss://c1@exampleartifacts.dfs.core.windows.net/x' }; }))
      .toContainEqual({ path: at('jobs.streaming-scoring.checkpoint.abfs'), message: expect.stringMatching(/no hierarchical namespace/) });
    expect(violations((c) => { delete c.dataProcessing!.spark.identity; job(c).checkpoint = { abfs: 'abfss://c1@exampledatalake.dfs.core.windows.net/x' }; }))
      .toContainEqual({ path: at('jobs.streaming-scoring.checkpoint'), message: expect.stringMatching(/needs dataProcessing.spark.identity/) });
    expect(violations((c) => { job(c).checkpoint = { abfs: 'abfss://c1@exampledatalake.dfs.core.windows.net/x' }; })).toEqual([]);
    expect(violations((c) => { delete job(c).mainClass; })).toContainEqual({ path: at('jobs.streaming-scoring.mainClass'), message: expect.stringMatching(/a Scala job needs a mainClass/) });
    expect(violations((c) => { job(c).checkpoint = { volume: 'lookup-tables', subPath: 'scoring' }; })).toEqual([]);
    expect(violations((c) => { job(c).checkpoint = { abfs: 'abfss://c1@exampledatalake.dfs.core.windows.net/x', subPath: 'x' }; }))
      .toContainEqual({ path: at('jobs.streaming-scoring.checkpoint.subPath'), message: expect.stringMatching(/subPath is a folder inside checkpoint.volume/) });
  });

  test('a streaming job without a checkpoint is a schema error with the line', () => {
    const issues = exampleConfigIssues((text) => text.replace(/          checkpoint: .*\n            volume: checkpoints .*\n/, ''));
    const issue = issues.find((i) => i.path.join('.') === at('jobs.streaming-scoring.checkpoint'))!;
    expect(issue.message).toMatch(/missing required key 'checkpoint'/);
    expect(issue.line ?? 0).toBeGreaterThan(0);
  });

  test('NiFi: a restricted declared namespace, a User pool, its own namespace\'s Kafka client, a free endpoint port', () => {
    const nifi = (c: Cluster) => streaming(c).nifi!;
    expect(violations(() => undefined).filter((v) => v.path.includes('.nifi'))).toEqual([]);
    expect(violations((c) => { nifi(c).namespace = 'nowhere'; })).toContainEqual({ path: at('nifi.namespace'), message: expect.stringMatching(/namespace 'nowhere' is not under namespaces/) });
    expect(violations((c) => { nifi(c).nodePool = 'system'; })).toContainEqual({ path: at('nifi.nodePool'), message: expect.stringMatching(/is a System pool; NiFi runs on a User pool/) });
    expect(violations((c) => { nifi(c).kafkaClient = 'streaming-scoring'; })).toContainEqual({ path: at('nifi.kafkaClient'), message: expect.stringMatching(/client 'streaming-scoring' is in namespace 'spark', but NiFi runs in 'nifi'/) });
    expect(violations((c) => { nifi(c).kafkaClient = 'nobody'; })).toContainEqual({ path: at('nifi.kafkaClient'), message: expect.stringMatching(/'nobody' is not under streaming.clients/) });
    expect(violations((c) => { nifi(c).httpEndpoint.port = 8443; })).toContainEqual({ path: at('nifi.httpEndpoint.port'), message: expect.stringMatching(/port 8443 is NiFi's HTTPS UI/) });
  });

  test('NiFi routes: routing on the cluster, served hosts, a verifiable certificate with the Gateway API', () => {
    const nifi = (c: Cluster) => streaming(c).nifi!;
    // no routing: both routes are reported where they are declared
    expect(violations((c) => { delete c.routing; }).filter((v) => /no routing section/.test(v.message)).map((v) => v.path)).toEqual([at('nifi.route'), at('nifi.httpEndpoint.route')]);
    // the endpoint's own host must be served too; its default (routing.hostname) always is
    expect(violations((c) => { nifi(c).httpEndpoint.route = { host: 'api.example.org' }; }))
      .toContainEqual({ path: at('nifi.httpEndpoint.route.host'), message: expect.stringMatching(/host 'api\.example\.org' is not served by the routing's listeners/) });
    expect(violations((c) => { nifi(c).httpEndpoint.route = { host: 'nifi.example.com' }; }).filter((v) => /not served/.test(v.message))).toEqual([]);
    expect(violations((c) => { delete nifi(c).tls; })).toContainEqual({ path: at('nifi.route'), message: expect.stringMatching(/add streaming\.nifi\.tls\.secretName/) });
    // without a UI route, no certificate is needed (the endpoint is plain HTTP behind the gateway)
    expect(violations((c) => { delete nifi(c).tls; delete nifi(c).route; })).toEqual([]);
  });

  test('NiFi OIDC needs the client secret; calls name routes of the cluster and hosts outside it', () => {
    const nifi = (c: Cluster) => streaming(c).nifi!;
    expect(violations((c) => { delete nifi(c).signIn!.oidc.clientSecret; })).toContainEqual({ path: at('nifi.signIn.oidc'), message: expect.stringMatching(/OIDC sign-in needs the app registration's client secret/) });
    expect(violations((c) => { nifi(c).calls = { routes: ['jupyterhub', 'nifi-http-endpoint'] }; })).toEqual([]);
    expect(violations((c) => { nifi(c).calls = { routes: ['jupyterhb'] }; }))
      .toContainEqual({ path: at('nifi.calls.routes.0'), message: expect.stringMatching(/'jupyterhb' is not a route of cluster 'data-processing' \(routes: nifi, nifi-http-endpoint, jupyterhub\)/) });
    expect(violations((c) => { delete c.routing; delete nifi(c).route; delete nifi(c).httpEndpoint.route; delete c.notebooks!.route; nifi(c).calls = { routes: ['jupyterhub'] }; }))
      .toContainEqual({ path: at('nifi.calls.routes.0'), message: expect.stringMatching(/has no routing section, so it has no routes/) });
    expect(violations((c) => { nifi(c).calls = { hosts: ['notebooks.example.com'] }; }))
      .toContainEqual({ path: at('nifi.calls.hosts.0'), message: expect.stringMatching(/'notebooks\.example\.com' is served by this cluster's own gateway, .* list the route's name under calls\.routes instead/) });
  });

  test('a cluster with streaming must pin the Strimzi chart', () => {
    const issues = exampleConfigIssues((text) => text.replace('      strimzi:                                               # the chart README names only this OCI repository\n        repository: oci://quay.io/strimzi-helm\n        version: 1.2.0\n', ''));
    expect(issues.map((i) => [i.path.join('.'), i.message])).toContainEqual(['clusters.data-processing.operators.strimzi', expect.stringMatching(/needs the strimzi \(for streaming\)/)]);
  });

  test('an unsupported Kafka version is a schema error', () => {
    const issues = exampleConfigIssues((text) => text.replace('        version: 4.3.1\n', '        version: 3.9.0\n'));
    expect(issues.map((i) => i.path.join('.'))).toContain(at('kafka.version'));
  });
});
