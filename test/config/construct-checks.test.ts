/**
 * Issue 13, item 1: every check a construct enforces is also found at config time, with file and line. This test
 * enumerates the constructs' checks (every `throw new Error(...)` and `fail(...)` in lib/ and charts/, outside the
 * config loader, validation, Azure tooling, CLIs, verifier and synth pipeline) and requires each to be covered:
 *
 * - `rule`: a case of the every-rule table (`rule-cases.ts`) whose mutation makes the config rule report it with
 *   file and line (proven by `every-rule.test.ts`);
 * - `schema`: the config key whose schema (pattern, enum, bounds, required) rejects what the construct rejects;
 *   the key must exist in the generated config reference;
 * - `code`: not reachable from the config, with the reason (the composition always passes a valid value).
 *
 * A new construct check fails this test until it is classified here; a classification whose check disappeared
 * fails it too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { configReferenceMarkdown } from '../../lib/config/config-docs';
import { REPO_ROOT } from '../util';
import { CASES } from './rule-cases';

type Coverage = { readonly rule: string } | { readonly schema: string } | { readonly code: string };

const C = '<name>';
const COVERAGE: Readonly<Record<string, Readonly<Record<string, Coverage>>>> = {
  'charts/federated-credentials.ts': {
    "cluster '…': … pod template(s) would run": { code: 'every pod template the compositions create is bound by its identity binding; an invariant over the output' },
    'identities': { rule: 'an unknown training identity' },
    'subscriptionId': { rule: 'an identity used in two subscriptions' },
  },
  'charts/identity.ts': {
    'identities': { rule: 'an unknown Spark identity' },
    'serviceAccountName': { rule: 'one ServiceAccount with two identities' },
  },
  'charts/serving.ts': {
    "serving: … '…' has a route but no Servic": { rule: 'the Knative mode (nothing installs Knative)' },
  },
  'lib/core/external-secrets.ts': {
    "declareExternalSecret at '…': namespace,": { code: 'constructs declare Secrets from schema-checked names (non-empty patterns) in their own namespace, with a constant purpose' },
  },
  'lib/core/flows.ts': {
    'a flow needs pods at one end at least; b': { code: 'flows are declared by constructs from constant ports and selectors' },
    'endPort': { code: 'flows are declared by constructs from constant ports' },
    'port': { code: 'flows are declared by constructs from constant ports or schema-checked ports (1 to 65535)' },
    'purpose': { code: 'every declareFlow call passes a constant purpose' },
  },
  'lib/core/namespace-baseline.ts': {
    "'…' (\"…\") is not a Kubernetes quantity; ": { schema: `clusters.${C}.namespaces.${C}.quota.requests.cpu` },
    'name': { schema: `clusters.${C}.namespaces.${C}` },
    'podSecurityLevel': { rule: 'a relaxed Pod Security level without a reason' },
  },
  'lib/core/node-pool.ts': { "node pool '…': taint \"…\" is not key=valu": { schema: `clusters.${C}.nodePools.${C}.taints` } },
  'lib/core/quantity.ts': { '"…" is not a Kubernetes quantity (expect': { schema: `clusters.${C}.namespaceDefaults.quota.requests.cpu` } },
  'lib/data-processing/azure-files-storage-class.ts': {
    'name': { schema: `clusters.${C}.dataProcessing.sharedVolumes.storageClass.name` },
    'protocol': { rule: 'NFS on a Standard SKU' },
    'smbOwnerId': { schema: `clusters.${C}.dataProcessing.spark.runAsUser` },
  },
  'lib/data-processing/hdfs-cluster.ts': {
    "'…' (\"…\") is not a Kubernetes quantity; ": { schema: `clusters.${C}.dataProcessing.hdfs.nameNode.storageSize` },
    "'…' (\"…\") must be a DNS label: lowercase": { schema: `clusters.${C}.dataProcessing.hdfs.namespace` },
    "'…' sets …, which the construct sets its": { rule: 'a Hadoop property the platform sets' },
    'dataNodes.dataDirectories': { rule: 'a datanode directory with a trailing slash' },
    'name': { code: "the composition names the HDFS cluster 'hdfs'" },
    'nameNode.storageSize': { rule: 'a namenode volume below 1Gi' },
    'nodePool': { rule: 'HDFS on the System pool' },
    'replication': { rule: 'HDFS replication above the pool minimum' },
    'smokeTest': { rule: 'HDFS without the node CIDRs' },
  },
  'lib/data-processing/shared-volume.ts': {
    "'…' (\"…\") must be a DNS label: lowercase": { schema: `clusters.${C}.dataProcessing.sharedVolumes.volumes.${C}.namespace` },
    'mountPath': { rule: 'a shared volume mounted over /' },
    'size': { schema: `clusters.${C}.dataProcessing.sharedVolumes.volumes.${C}.size` },
  },
  'lib/data-processing/spark-job.ts': {
    "'….cores' (…) must be a whole number >= ": { schema: `clusters.${C}.dataProcessing.jobs.${C}.driver.cores` },
    "'….memory' (\"…\") must be a JVM size such": { schema: `clusters.${C}.dataProcessing.jobs.${C}.driver.memory` },
    'executor.instances': { schema: `clusters.${C}.dataProcessing.jobs.${C}.executor.instances` },
    'mainClass': { rule: 'a Scala job without mainClass' },
    'name': { schema: `clusters.${C}.dataProcessing.jobs.${C}` },
    'schedule': { schema: `clusters.${C}.dataProcessing.jobs.${C}.schedule` },
    'sparkConf': { rule: 'a Spark property the platform fixes' },
    'sparkVersion': { schema: `clusters.${C}.dataProcessing.jobs.${C}.sparkVersion` },
    'volumes': { rule: 'two volumes of a Spark job at one path' },
    'restartPolicy': { code: 'only streaming jobs use restart policy Always, and their schema has no schedule' },
    'timeToLiveSeconds': { code: 'no composition passes a TTL with restart policy Always' },
  },
  'lib/data-processing/spark-submitter.ts': {
    'submitters': { code: 'the compositions create a submitter only together with the ServiceAccount that submits' },
  },
  'lib/data-processing/spark-rbac.ts': {
    "'…' (\"…\") is not an IPv4 CIDR; use a val": { schema: `clusters.${C}.dataProcessing.network.azureStorageCidrs` },
    "'…' (\"…\") must be a DNS label: lowercase": { schema: `clusters.${C}.dataProcessing.spark.serviceAccountName` },
    'hdfs': { rule: 'HDFS without the node CIDRs' },
    'nodePool': { rule: 'Spark on the System pool' },
    'runAsUser': { schema: `clusters.${C}.dataProcessing.spark.runAsUser` },
    'serviceAccountName': { code: 'the composition passes serviceAccountName only when the namespace has no identity' },
  },
  'lib/gitops/airflow.ts': {
    "'…' (\"…\") must be a Secret name (lowerca": { schema: `clusters.${C}.airflow.database.secretName` },
    'dags.repository': { schema: `clusters.${C}.airflow.dags.repository` },
    "Airflow '…': cannot tell the Airflow ver": { rule: 'an Airflow chart whose Airflow version is unknown' },
    'airflowVersion': { schema: `clusters.${C}.airflow.airflowVersion` },
    'dags.credentialsSecret': { rule: 'https credentials for an ssh DAG repository' },
    'dags.sshKeySecret': { rule: 'an ssh DAG repository without its key' },
    'identityPodLabels': { code: 'the composition always binds Airflow to its identity (airflow.identity is required)' },
    'remoteLogs.folder': { schema: `clusters.${C}.airflow.logs.folder` },
  },
  'lib/gitops/flux-git-manifests.ts': {
    'path': { schema: `clusters.${C}.operators.trainingOperator.path` },
    'repository': { schema: `clusters.${C}.operators.trainingOperator.repository` },
    'tag': { schema: `clusters.${C}.operators.trainingOperator.tag` },
  },
  'lib/gitops/flux-layer-chain.ts': {
    'layers': { code: 'the layer list is the constant LAYER_ORDER' },
    'layers[${index}].name': { code: 'layer names come from the constant LAYER_ORDER' },
    'layers[${index}].path': { code: 'layer paths are built as ./<environment>/<cluster>/<layer>' },
    'url': { schema: 'gitops.repository.url' },
  },
  'lib/gitops/helm-release-pinned.ts': {
    'chart': { schema: `clusters.${C}.operators.sparkOperator.chart` },
    'createNamespace.podSecurityLevel': { code: 'operator namespaces take level and reason from the OPERATORS table' },
    'namespace': { code: 'operator namespaces are constants of the OPERATORS table' },
    'provider': { rule: 'provider azure on an https chart repository' },
    'releaseName': { code: 'release names are operator names (constants)' },
    'repository': { schema: `clusters.${C}.operators.sparkOperator.repository` },
    'version': { schema: `clusters.${C}.operators.sparkOperator.version` },
  },
  'lib/identity/pod-identity-binding.ts': {
    "'…' (\"…\") is not a GUID; use the value A": { schema: `identities.${C}.clientId` },
    "cannot bind … in namespace '…': the Serv": { code: 'each composition binds workloads of the namespace it created the binding for' },
    "cannot bind …: '…' is already '…'; remov": { code: 'the constructs leave serviceAccountName to the binding' },
    "cannot bind …: kind '…' has no pod templ": { code: 'the compositions bind only kinds with a pod template' },
    'federatedCredentialName': { code: 'federated credential names are derived from cluster, namespace and ServiceAccount' },
    'namespace': { schema: `clusters.${C}.namespaces.${C}` },
    'oidcIssuerUrl': { schema: `clusters.${C}.azure.oidcIssuerUrl` },
    'resourceId': { code: 'the resource ID is built from the identity entry (resourceGroup, resourceName, subscription)' },
    'serviceAccountName': { schema: `clusters.${C}.training.serviceAccountName` },
  },
  'lib/identity/chart-service-account-identity.ts': {
    "'…' (\"…\") is not a GUID; use the value A": { schema: `identities.${C}.clientId` },
    "'…' (\"…\") must be a DNS label: lowercase": { code: 'the only caller passes the cert-manager operator namespace and the chart ServiceAccount name cert-manager (constants)' },
    'oidcIssuerUrl': { schema: `clusters.${C}.azure.oidcIssuerUrl` },
    'federatedCredentialName': { code: 'the name is <cluster>-cert-manager-cert-manager: a DNS label plus fixed text' },
  },
  'lib/identity/workload-identity-audit.ts': {
    'federatedCredentialName': { code: 'credential names are unique per cluster, namespace and ServiceAccount' },
    "identity '…' would need … federated cred": { rule: 'more than 20 federated credentials for one identity' },
  },
  'lib/serving/http-microservice.ts': {
    "'…' (…) must be a port number from 1 to ": { schema: `clusters.${C}.serving.microservices.${C}.port` },
    'image': { schema: `clusters.${C}.serving.microservices.${C}.image` },
    'name': { rule: 'a microservice name that is not a Service name' },
    'resources.*.${resource}': { schema: `clusters.${C}.serving.microservices.${C}.resources.request.cpu` },
    'resources.request.${resource}': { rule: 'a microservice request above its limit' },
    'secretEnv.${name}': { rule: 'a microservice variable both in env and secretEnv' },
    'volumes.${volume.name}': { rule: 'a microservice volume named tmp' },
  },
  'lib/serving/ingress-routes.ts': {
    'routes[${index}]': { rule: 'a NiFi UI route in ingress mode' },
    'routes[${index}].setRequestHeaders': { code: 'only the NiFi UI route sets headers, and it exists only in mode gateway-api (rule nifiUiRouteVerifiesNifi)' },
    "port … of '…/…' serves HTTPS but has no ": { code: 'Nifi names its https port' },
    'routes[${index}].host': { code: 'the composition gives the gateway every route host' },
    'routes[${index}].maxBodySize': { rule: 'maxBodySize on a Gateway API route' },
    'tls': { code: 'routing.tls is required by the schema and always passed' },
    'tls.clusterIssuer': { rule: 'a ClusterIssuer in ingress mode (one default certificate instead)' },
    '…; choose the Gateway API (primary) or t': { rule: 'gateway-api without a gateway' },
  },
  'lib/serving/kserve-model.ts': {
    'canaryTrafficPercent': { rule: 'canary in the Standard mode' },
    'gpus': { rule: 'GPUs for a model on a pool without GPUs' },
    'minReplicas': { rule: 'minReplicas 0 without scale to zero' },
    'name': { rule: 'a model name longer than KServe allows' },
    'resources.request.${resource}': { rule: 'a model request above its limit' },
    'scaleMetric': { rule: 'a scale metric of the Knative mode' },
    'storageUri': { rule: 'an S3 storage URI' },
  },
  'lib/serving/kserve-versions.ts': { '"…" is not a version of the form 0.16.0': { schema: `clusters.${C}.serving.kserve.version` } },
  'lib/serving/mlflow-tracking.ts': {
    'artifacts.container': { schema: `clusters.${C}.serving.mlflow.artifacts.container` },
    'artifacts.storageAccount': { schema: `clusters.${C}.serving.mlflow.artifacts.storageAccount` },
    'identity': { code: 'the composition binds the MLflow identity in the MLflow namespace' },
    'pathPrefix': { rule: 'an MLflow path that cannot be its static prefix' },
  },
  'lib/serving/route-checks.ts': {
    "'….setRequestHeaders' name (\"…\") is not ": { code: 'the composition sets only X-ProxyScheme, X-ProxyHost and X-ProxyPort' },
    "'….setRequestHeaders.…' must be one line": { code: 'the header values are https, 443 and a schema-checked host name' },
    "'…' (\"…\") collides with route \"…\": both ": { rule: 'two routes on one path' },
    "'….backend.port' (…) is not a port of Se": { code: 'routes point at the Service port the workload construct created' },
    "'….backend.service' ('…') does not exist": { rule: 'the Knative mode (nothing installs Knative)' },
    "'….name' (\"…\") is used by two routes; gi": { rule: 'a route name used twice' },
    "'….name' (\"…\") must be a DNS label: lowe": { schema: `clusters.${C}.serving.microservices.${C}` },
    "'….path' (\"…\") looks like a regular expr": { rule: 'a regular-expression path with a prefix type' },
    "'….path' (\"…\") must start with '/'": { schema: `clusters.${C}.serving.microservices.${C}.route.path` },
    "'….rewrite' (\"…\") cannot be combined wit": { rule: 'a rewrite on a regular-expression path' },
    "'….rewrite' (\"…\") must start with '/'": { schema: `clusters.${C}.serving.microservices.${C}.route.rewrite` },
    "'….timeoutSeconds' (…) must be a whole n": { schema: `clusters.${C}.serving.microservices.${C}.route.timeoutSeconds` },
  },
  'lib/serving/shared-gateway.ts': {
    "'…' (\"…\") must be a DNS label: lowercase": { schema: `clusters.${C}.routing.gateway.name` },
    'controller': { schema: `clusters.${C}.routing.gateway.controller` },
    'hostnames': { code: 'the composition passes the distinct route hosts, each schema-checked (routing.hostname, route.host)' },
    // Three checks: needs clusterIssuer (this case), one of ACME_SOLVERS (schema enum), http01 with wildcard
    // listeners (the same config rule, acmeSolverFits; case in test/serving/config-rules.test.ts).
    'tls.acmeSolver': { rule: 'an ACME solver without a ClusterIssuer' },
  },
  'lib/serving/acme-http01-solver-access.ts': {
    'proxyPodLabels': { code: "SharedGateway passes its controller profile's proxy pod labels, never empty" },
  },
  'lib/review/object-set.ts': {
    '…: a document without apiVersion, kind o': { code: 'reviews rendered output files, which the renderer writes from construct objects' },
    '…: … is also in … (one identity, two obj': { code: 'reviews rendered output; two objects of one identity are already refused when rendering (render-cluster)' },
  },
  'lib/notebooks/jupyterhub.ts': {
    'profiles': { rule: 'a notebook GPU profile on a cluster without a GPU pool' },
    'tenantId': { schema: 'azure.tenantId' },
    'allowedGroups': { schema: `clusters.${C}.notebooks.auth.allowedGroups` },
    'callbackUrl': { schema: `clusters.${C}.notebooks.auth.callbackUrl` },
  },
  'lib/streaming/nifi.ts': {
    'name': { code: 'the composition names the StatefulSet nifi' },
    'image': { schema: `clusters.${C}.streaming.nifi.version` },
    'httpEndpoint.port': { rule: 'NiFi\'s endpoint on its UI port' },
    'httpEndpoint.path': { schema: `clusters.${C}.streaming.nifi.httpEndpoint.path` },
    'proxyHosts': { code: 'the composition always passes the Service names and localhost' },
    'oidc.discoveryUrl': { code: 'the composition builds it from the schema-checked tenant GUID' },
    'oidc.initialAdminIdentity': { schema: `clusters.${C}.streaming.nifi.signIn.oidc.initialAdminIdentity` },
    'oidc.${prop}': { schema: `clusters.${C}.streaming.nifi.signIn.oidc.identityClaim` },
    'tls.hostname': { code: 'the composition passes nifi.<namespace>.svc.<schema-checked cluster domain>' },
    'calls.publicHosts': { schema: `clusters.${C}.streaming.nifi.calls.hosts` },
  },
  'lib/streaming/spark-streaming-job.ts': {
    'checkpoint.location': { code: 'the composition builds the location from the schema-checked abfs URL, or file:// under the checkpoint volume\'s mount path' },
    'checkpoint.volume': { code: 'the composition mounts the checkpoint volume read-write' },
    'sparkConf': { rule: 'a streaming job setting the checkpoint in sparkConf' },
  },
  'lib/streaming/kafka-cluster.ts': {
    'clusterCa': { rule: 'a cluster CA renewal window as long as its validity' },
    'minInSyncReplicas': { rule: 'min in-sync replicas above replication' },
    'nodePool': { rule: 'Kafka on a System pool' },
    'nodePools': { rule: 'Kafka without a broker pool' },
    'replication': { rule: 'topic replication above the broker count' },
  },
  'lib/streaming/kafka-topic.ts': {
    'objectName': { rule: 'two topics that become one KafkaTopic object' },
    'partitions': { schema: `clusters.${C}.streaming.topics.${C}.partitions` },
    'topicName': { schema: `clusters.${C}.streaming.topics.${C}` },
  },
  'lib/streaming/kafka-user.ts': {
    'consumerGroups': { rule: 'consumer groups without consumed topics' },
    'name': { schema: `clusters.${C}.streaming.clients.${C}` },
    'produce': { rule: 'a Kafka client that neither produces nor consumes' },
  },
  'lib/training/pytorch-init-template.ts': {
    'runAsUser': { code: 'the operators composition always uses the default non-root user 65534' },
  },
  'lib/training/pytorch-job.ts': {
    "'….gpus' (…) exceeds the … GPU(s) per no": { rule: 'more GPUs per pod than a node has' },
    "'….gpus' (…) must be a whole number >= 0": { schema: `clusters.${C}.training.jobs.${C}.master.gpus` },
    "'….…' (\"…\") is not a Kubernetes quantity": { schema: `clusters.${C}.training.jobs.${C}.master.cpu` },
    'cpuPool': { rule: 'a cpuPool that is a GPU pool' },
    'elasticPolicy.minReplicas': { rule: 'elastic bounds with min above max' },
    'env.${name}': { schema: `clusters.${C}.training.jobs.${C}.env` },
    'gangScheduling.minAvailable': { rule: 'a gang larger than the job' },
    'gpuPool': { rule: 'a gpuPool that is not a GPU pool' },
    'image': { rule: 'a training image pinned to latest' },
    'master': { rule: 'a job without replicas' },
    'name': { schema: `clusters.${C}.training.jobs.${C}` },
    'namespace': { schema: `clusters.${C}.training.namespace` },
    'nprocPerNode': { schema: `clusters.${C}.training.jobs.${C}.nprocPerNode` },
    'runPolicy.${key}': { schema: `clusters.${C}.training.jobs.${C}.runPolicy.backoffLimit` },
    'secretEnv.${name}': { rule: 'a training variable both in env and secretEnv' },
    'sharedMemory': { rule: 'sharedMemory not below memory' },
    'worker': { rule: 'workers without a master' },
    'worker.replicas': { rule: 'elastic bounds that exclude the workers' },
  },
};

/** Folders whose throws are not construct checks: the loader itself, validation, Azure tooling, CLIs, verifier, synth. */
const NOT_CONSTRUCTS = /^lib\/(config|validation|azure|cli|verify|synth)\//;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : []);
}

/** Every construct check: file, the key (the prop the message names, else the start of the message) and the line. */
function constructChecks(): { file: string; key: string; line: number }[] {
  const checks: { file: string; key: string; line: number }[] = [];
  for (const file of [...sourceFiles('lib'), ...sourceFiles('charts')].filter((f) => !NOT_CONSTRUCTS.test(f)).sort()) {
    fs.readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n').forEach((text, index) => {
      if (/const fail\b/.test(text)) return;
      const match = /(?:throw new Error\(|\bfail\()\s*(`|'|")((?:\\.|(?!\1).)*)\1/.exec(text);
      if (!match) return;
      const message = match[2].replace(/^\$\{prefix\}: /, '').replace(/\\'/g, "'");
      const prop = /'([A-Za-z][^'\s]*)'/.exec(message);
      checks.push({ file, key: prop ? prop[1] : message.replace(/\$\{[^}]*\}/g, '…').slice(0, 40), line: index + 1 });
    });
  }
  return checks;
}

describe('every construct check has a config-time counterpart', () => {
  const checks = constructChecks();

  test('the scan finds the construct checks', () => {
    expect(checks.length).toBeGreaterThan(100);
  });

  test('every construct check is classified', () => {
    const unclassified = checks.filter((c) => COVERAGE[c.file]?.[c.key] === undefined).map((c) => `${c.file}:${c.line} [${c.key}]`);
    expect(unclassified).toEqual([]);
  });

  test('every classification still names a check (no stale entries)', () => {
    const found = new Set(checks.map((c) => `${c.file} ${c.key}`));
    const stale = Object.entries(COVERAGE).flatMap(([file, keys]) => Object.keys(keys).filter((key) => !found.has(`${file} ${key}`)).map((key) => `${file} [${key}]`));
    expect(stale).toEqual([]);
  });

  test('each rule classification is a case of the every-rule table (which proves file, line and dist/ unchanged)', () => {
    const names = new Set(CASES.map((c) => c.name));
    const missing = Object.entries(COVERAGE).flatMap(([file, keys]) => Object.entries(keys)
      .filter(([, coverage]) => 'rule' in coverage && !names.has(coverage.rule)).map(([key, coverage]) => `${file} [${key}] -> ${(coverage as { rule: string }).rule}`));
    expect(missing).toEqual([]);
  });

  test('each schema classification is a key of the config schema', () => {
    const keys = new Set([...configReferenceMarkdown().matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
    const missing = Object.entries(COVERAGE).flatMap(([file, entries]) => Object.entries(entries)
      .filter(([, coverage]) => 'schema' in coverage && !keys.has(coverage.schema)).map(([key, coverage]) => `${file} [${key}] -> ${(coverage as { schema: string }).schema}`));
    expect(missing).toEqual([]);
  });
});
