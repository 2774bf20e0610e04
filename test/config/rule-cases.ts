/**
 * One mutation of the example config per config rule (issue 13): the table `test/config/every-rule.test.ts`
 * runs, and `test/config/construct-checks.test.ts` points construct checks at.
 */
import * as fs from 'fs';
import { EXAMPLE_CONFIG } from '../util';

export const example = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');

/** Replaces `find` (which must occur) with `replace`, after the first occurrence of each of `after` in order. */
function edit(find: string, replace: string, ...after: string[]): (text: string) => string {
  return (text) => {
    let from = 0;
    for (const anchor of after) {
      from = text.indexOf(anchor, from);
      if (from < 0) throw new Error(`anchor '${anchor}' not found`);
    }
    const at = text.indexOf(find, from);
    if (at < 0) throw new Error(`'${find}' not found after ${after.join(' > ') || 'the start'}`);
    return text.slice(0, at) + replace + text.slice(at + find.length);
  };
}
const all = (...edits: ((text: string) => string)[]) => (text: string) => edits.reduce((t, e) => e(t), text);

/** Line (1-based) of the first line containing `needle` after the anchors. */
export function lineOf(text: string, needle: string, ...after: string[]): number {
  let from = 0;
  for (const anchor of after) from = text.indexOf(anchor, from);
  const at = text.indexOf(needle, from);
  if (at < 0) throw new Error(`'${needle}' not in the edited text`);
  return text.slice(0, at).split('\n').length;
}

export interface Case {
  readonly name: string;
  readonly edit: (text: string) => string;
  readonly path: string;
  readonly message: RegExp;
  /** Text on the line the issue must point at, and anchors before it. */
  readonly line: readonly [string, ...string[]];
}

const DP = 'aks-example-data-processing';
const TR = 'aks-example-training';
const SV = 'aks-example-serving';
const manyNamespaces = Array.from({ length: 21 }, (_, i) => `ns${i}`);

export const CASES: readonly Case[] = [
  // core
  { name: 'an environment without clusters', edit: (t) => `${t.slice(0, t.indexOf('\nclusters:\n'))}\nclusters: {}\n`,
    path: 'clusters', message: /no cluster: an environment needs at least one cluster/, line: ['clusters: {}'] },
  { name: 'more namespaces than one cluster is tested for', edit: edit('      airflow: {}', `${Array.from({ length: 10_001 }, (_, i) => `      team-${i}: {}\n`).join('')}      airflow: {}`),
    path: 'clusters.data-processing.namespaces', message: /\d+ namespaces, more than 10000, the tested limit of one Kubernetes cluster/, line: ['    namespaces:\n', DP] },
  { name: 'a relaxed Pod Security level without a reason', edit: edit('          reason: HDFS datanodes use hostNetwork so the namenode sees node addresses and executors read local blocks\n', ''),
    path: 'clusters.data-processing.namespaces.hdfs.podSecurity.reason', message: /needs a 'reason'/, line: ['podSecurity:'] },
  { name: 'minCount above maxCount', edit: edit('        minCount: 4\n        maxCount: 4', '        minCount: 7\n        maxCount: 4'),
    path: 'clusters.data-processing.nodePools.spark.minCount', message: /minCount \(7\) must be <= maxCount \(4\)/, line: ['minCount: 7'] },
  { name: 'no System pool', edit: edit('        mode: System', '        mode: User', SV),
    path: 'clusters.serving.nodePools', message: /at least one pool must have mode: System/, line: ['nodePools:', SV] },
  { name: 'a System pool at zero', edit: edit('        minCount: 1', '        minCount: 0', SV),
    path: 'clusters.serving.nodePools.system.minCount', message: /System pool must keep at least 1 node/, line: ['minCount: 0', SV] },
  { name: 'a GPU pool in System mode', edit: edit('      gpu:\n        mode: User', '      gpu:\n        mode: System'),
    path: 'clusters.training.nodePools.gpu.mode', message: /GPU pool .* must have mode: User/, line: ['mode: System', '      gpu:'] },
  { name: 'a GPU pool without NoSchedule taint', edit: edit('sku=gpu:NoSchedule', 'sku=gpu:PreferNoSchedule'),
    path: 'clusters.training.nodePools.gpu.taints', message: /needs a NoSchedule taint/, line: ['taints:'] },
  { name: 'a default request above the default limit', edit: edit('        request: { cpu: 100m, memory: 256Mi }', '        request: { cpu: "2", memory: 256Mi }', TR),
    path: 'clusters.training.namespaceDefaults.containerDefaults.request.cpu', message: /default request 2 must be <= default limit 1/, line: ['request: { cpu: "2"'] },
  { name: 'a default limit above the maximum', edit: edit('        limit: { cpu: "1", memory: 1Gi }\n', '        limit: { cpu: "1", memory: 1Gi }\n        max: { cpu: 500m, memory: 2Gi }\n', TR),
    path: 'clusters.training.namespaceDefaults.containerDefaults.limit.cpu', message: /default limit 1 must be <= max 500m/, line: ['limit: { cpu: "1"', TR] },
  { name: 'credentials in a URL', edit: edit('    url: https://github.com/example/', '    url: https://deploy:hunter2secret@github.com/example/'),
    path: 'gitops.repository.url', message: /credentials in the config are written to dist\/ and committed/, line: ['url: https://deploy:'] },
  // data processing
  { name: 'HDFS in a namespace that is not privileged', edit: edit('          level: privileged', '          level: baseline'),
    path: 'clusters.data-processing.dataProcessing.hdfs.namespace', message: /only the Pod Security level 'privileged' admits/, line: ['namespace: hdfs'] },
  { name: 'Spark in a privileged namespace', edit: edit('          spark: {}', '          spark: {}\n          hdfs: {}'),
    path: 'clusters.data-processing.dataProcessing.spark.namespaces.hdfs', message: /must not be privileged/, line: ['          hdfs: {}'] },
  { name: 'an unknown Spark pool', edit: edit('        nodePool: spark\n        identity', '        nodePool: sparky\n        identity'),
    path: 'clusters.data-processing.dataProcessing.spark.nodePool', message: /node pool 'sparky' is not under nodePools/, line: ['nodePool: sparky'] },
  { name: 'HDFS replication above the pool minimum', edit: edit('        replication: 3', '        replication: 5'),
    path: 'clusters.data-processing.dataProcessing.hdfs.replication', message: /replication \(5\) is larger than the 4 node/, line: ['replication: 5'] },
  { name: 'an autoscaled HDFS pool', edit: edit('        minCount: 4\n        maxCount: 4', '        minCount: 4\n        maxCount: 6'),
    path: 'clusters.data-processing.dataProcessing.hdfs.nodePool', message: /pool 'spark' autoscales \(minCount 4, maxCount 6\), but HDFS datanodes keep their blocks on the nodes' local disks/, line: ['nodePool: spark'] },
  { name: 'an unknown Spark identity', edit: edit('        identity: spark-data ', '        identity: spark-lake '),
    path: 'clusters.data-processing.dataProcessing.spark.identity', message: /identity 'spark-lake' is not under the top-level identities/, line: ['identity: spark-lake'] },
  { name: 'a job in a namespace Spark does not use', edit: edit('          namespace: spark\n          type: Python', '          namespace: airflow\n          type: Python'),
    path: 'clusters.data-processing.dataProcessing.jobs.feature-space.namespace', message: /'airflow' is not a Spark namespace/, line: ['namespace: airflow'] },
  { name: 'Azure Storage without a Spark identity', edit: edit('        identity: spark-data                                 # one ServiceAccount \'spark\' for RBAC and Workload Identity\n', ''),
    path: 'clusters.data-processing.dataProcessing.jobs.feature-space.azureStorage', message: /needs spark\.identity/, line: ['azureStorage: true'] },
  { name: 'a Scala job without mainClass', edit: edit('          type: Python', '          type: Scala'),
    path: 'clusters.data-processing.dataProcessing.jobs.feature-space.mainClass', message: /a Scala job needs a mainClass/, line: ['feature-space:'] },
  { name: 'an unknown shared volume', edit: edit('            lookup-tables: {}', '            lookup-table: {}'),
    path: 'clusters.data-processing.dataProcessing.jobs.feature-space.volumes.lookup-table', message: /shared volume 'lookup-table' is not under sharedVolumes/, line: ['lookup-table: {}'] },
  { name: 'NFS on a Standard SKU', edit: edit('          skuName: Premium_LRS', '          skuName: Standard_LRS\n          protocol: nfs'),
    path: 'clusters.data-processing.dataProcessing.sharedVolumes.storageClass.protocol', message: /NFS shares need a Premium SKU/, line: ['protocol: nfs'] },
  { name: 'a Premium share below 100Gi', edit: edit('            size: 100Gi', '            size: 50Gi'),
    path: 'clusters.data-processing.dataProcessing.sharedVolumes.volumes.lookup-tables.size', message: /at least 100Gi \(found 50Gi\)/, line: ['size: 50Gi'] },
  { name: 'a Spark job above the namespace CPU quota', edit: edit('          executor: { instances: 3, cores: 2, memory: 8g }', '          executor: { instances: 30, cores: 2, memory: 8g }'),
    path: 'clusters.data-processing.dataProcessing.jobs.feature-space', message: /Spark job 'feature-space' needs 61 CPU \(requests\.cpu\) for its 31 pod\(s\), more than namespace 'spark' allows \(quota requests\.cpu: 40\)/, line: ['feature-space:'] },
  { name: 'a Spark executor above the LimitRange maximum', edit: edit('          requests.storage: 2Ti\n', '          requests.storage: 2Ti\n        containerDefaults:\n          request: { cpu: 100m, memory: 256Mi }\n          limit: { cpu: "1", memory: 1Gi }\n          max: { cpu: "4", memory: 8Gi }\n'),
    path: 'clusters.data-processing.dataProcessing.jobs.feature-space.executor', message: /an executor pod .* has a memory limit of 11\.2Gi, above the maximum 8Gi of namespace 'spark' \(LimitRange/, line: ['executor: { instances: 3', 'feature-space:'] },
  // training
  { name: 'an unknown training namespace', edit: edit('      namespace: training', '      namespace: trainer'),
    path: 'clusters.training.training.namespace', message: /namespace 'trainer' is not under namespaces/, line: ['namespace: trainer'] },
  { name: 'an unknown training identity', edit: edit('      identity: training-data ', '      identity: training-lake '),
    path: 'clusters.training.training.identity', message: /identity 'training-lake' is not under identities/, line: ['identity: training-lake'] },
  { name: 'a gpuPool that is not a GPU pool', edit: edit('      gpuPool: gpu', '      gpuPool: system'),
    path: 'clusters.training.training.gpuPool', message: /node pool 'system' has no gpusPerNode/, line: ['gpuPool: system'] },
  { name: 'a job without replicas', edit: edit('          master: { cpu: "8", memory: 64Gi, gpus: 1 }\n          workers: { replicas: 2, cpu: "8", memory: 64Gi, gpus: 1 }\n', ''),
    path: 'clusters.training.training.jobs.iris', message: /a job needs a master, workers, or both/, line: ['iris:  ', '      jobs:'] },
  { name: 'workers without a master', edit: edit('          master: { cpu: "8", memory: 64Gi, gpus: 1 }\n', ''),
    path: 'clusters.training.training.jobs.iris.workers', message: /workers without a master/, line: ['workers: {'] },
  { name: 'more GPUs per pod than a node has', edit: edit('          master: { cpu: "8", memory: 64Gi, gpus: 1 }', '          master: { cpu: "8", memory: 64Gi, gpus: 2 }'),
    path: 'clusters.training.training.jobs.iris.master.gpus', message: /2 GPUs per pod exceed the 1 GPU\(s\) per node/, line: ['gpus: 2'] },
  { name: 'a job above the GPU quota', edit: edit('requests.nvidia.com/gpu: "4"', 'requests.nvidia.com/gpu: "2"'),
    path: 'clusters.training.training.jobs.iris', message: /needs 3 GPUs but namespace 'training' allows 2/, line: ['iris:  ', '      jobs:'] },
  { name: 'sharedMemory not below memory', edit: edit('          sharedMemory: 8Gi', '          sharedMemory: 64Gi'),
    path: 'clusters.training.training.jobs.iris.sharedMemory', message: /sharedMemory \(64Gi\) must be less than master\.memory/, line: ['sharedMemory: 64Gi'] },
  { name: 'elastic bounds that exclude the workers', edit: edit('          sharedMemory: 8Gi', '          sharedMemory: 8Gi\n          elastic: { minReplicas: 3, maxReplicas: 4 }'),
    path: 'clusters.training.training.jobs.iris.workers.replicas', message: /workers\.replicas \(2\) must be between elastic\.minReplicas \(3\)/, line: ['workers: {'] },
  { name: 'a gang larger than the job', edit: edit('          sharedMemory: 8Gi', '          sharedMemory: 8Gi\n          gangScheduling: { minAvailable: 5 }'),
    path: 'clusters.training.training.jobs.iris.gangScheduling.minAvailable', message: /minAvailable \(5\) exceeds the job's 3 pod\(s\)/, line: ['gangScheduling:'] },
  { name: 'a PyTorchJob asking 120 CPU against a quota of 96', edit: all(
    edit('          master: { cpu: "8", memory: 64Gi, gpus: 1 }', '          master: { cpu: "20", memory: 64Gi, gpus: 1 }'),
    edit('          workers: { replicas: 2, cpu: "8", memory: 64Gi, gpus: 1 }', '          workers: { replicas: 2, cpu: "20", memory: 64Gi, gpus: 1 }\n        cpu-heavy:\n          image: examplemlplatform.azurecr.io/training/iris:1.0.0\n          master: { cpu: "8", memory: 16Gi }\n          workers: { replicas: 14, cpu: "8", memory: 16Gi }')),
    path: 'clusters.training.training.jobs.cpu-heavy', message: /the job needs 120 CPU \(requests\.cpu\) for its 15 pod\(s\), more than namespace 'training' allows \(quota requests\.cpu: 96\)/, line: ['cpu-heavy:'] },
  { name: 'a training pod larger than a node of its pool', edit: edit('          master: { cpu: "8", memory: 64Gi, gpus: 1 }', '          master: { cpu: "32", memory: 64Gi, gpus: 1 }'),
    path: 'clusters.training.training.jobs.iris.master', message: /a master pod .* requests 32 CPU, more than a node of pool 'gpu' has \(Standard_NC24ads_A100_v4: 24 vCPUs\)/, line: ['master: { cpu: "32"'] },
  // gitops
  { name: 'an operator without a pin', edit: edit('      sparkOperator:\n        repository: https://kubeflow.github.io/spark-operator\n        version: 2.5.2\n', ''),
    path: 'clusters.data-processing.operators.sparkOperator', message: /operators\.sparkOperator does not pin it/, line: ['operators:', DP] },
  { name: 'an unknown Airflow identity', edit: edit('      identity: orchestration', '      identity: orchestrator'),
    path: 'clusters.data-processing.airflow.identity', message: /identity 'orchestrator' is not under identities/, line: ['identity: orchestrator'] },
  { name: 'an operator namespace declared as a platform namespace', edit: edit('      airflow: {}', '      airflow: {}\n      spark-operator: {}'),
    path: 'clusters.data-processing.namespaces.spark-operator', message: /belongs to an operator the cluster installs/, line: ['spark-operator: {}'] },
  { name: 'an ssh DAG repository without its key', edit: edit('https://github.com/example/ml-platform-dags.git', 'ssh://git@github.com/example/ml-platform-dags.git'),
    path: 'clusters.data-processing.airflow.dags.sshKeySecret', message: /the DAG repository is an ssh:\/\/ URL: set dags\.sshKeySecret/, line: ['dags:', '      identity: orchestration'] },
  { name: 'https credentials for an ssh DAG repository', edit: all(edit('https://github.com/example/ml-platform-dags.git', 'ssh://git@github.com/example/ml-platform-dags.git'),
    edit('        subPath: dags\n', '        subPath: dags\n        sshKeySecret: dags-key\n        knownHosts: "github.com ssh-ed25519 AAAA"\n        credentialsSecret: dags-git\n')),
    path: 'clusters.data-processing.airflow.dags.credentialsSecret', message: /holds https credentials, but the DAG repository is an ssh:\/\/ URL/, line: ['credentialsSecret: dags-git'] },
  { name: 'an SSH key for an https DAG repository', edit: edit('        subPath: dags\n', '        subPath: dags\n        sshKeySecret: dags-key\n'),
    path: 'clusters.data-processing.airflow.dags.sshKeySecret', message: /only apply to an ssh:\/\/ DAG repository/, line: ['sshKeySecret: dags-key'] },
  { name: 'an Airflow chart whose Airflow version is unknown', edit: edit('        version: 1.18.0', '        version: 1.17.0'),
    path: 'clusters.data-processing.airflow.airflowVersion', message: /the Airflow version of chart 1\.17\.0 is not known/, line: ['    airflow:\n      identity'] },
  { name: 'an operator version without CRD schemas', edit: edit('        version: "0.16.0"', '        version: "0.17.0"'),
    path: 'clusters.serving.serving.kserve.version', message: /KServe 0\.17\.0 has no kserve CRD schemas to validate against; available: v0\.16\.0, v0\.20\.0/, line: ['version: "0.17.0"'] },
  { name: 'HelmReleases without gitops', edit: edit('gitops:\n  repository:\n    url: https://github.com/example/ml-platform-manifests.git   # EXAMPLE\n    branch: main\n    path: dist\n', ''),
    path: 'clusters', message: /install operators or Airflow as Flux HelmReleases/, line: ['clusters:'] },
  // serving
  { name: 'an undeclared serving namespace', edit: edit('          namespace: microservices', '          namespace: kube-ai'),
    path: 'clusters.serving.serving.microservices.featurespace.namespace', message: /namespace 'kube-ai' is not under namespaces/, line: ['namespace: kube-ai'] },
  { name: 'an unknown model pool', edit: edit('      nodePool: serving\n      minReplicas: 1', '      nodePool: computepool\n      minReplicas: 1', '\nmodels:'),
    path: 'models.iris.serving.nodePool', message: /node pool 'computepool' is not under nodePools/, line: ['nodePool: computepool'] },
  { name: 'the seed storage URI (dfs endpoint)', edit: edit('exampleartifacts.blob.core.windows.net/mlflow/models/wine-quality', 'exampleartifacts.dfs.core.windows.net/mlflow/models/wine-quality'),
    path: 'clusters.serving.serving.models.wine-quality.storageUri', message: /use the blob endpoint of the same account/, line: ['dfs.core.windows.net/mlflow'] },
  { name: 'an S3 storage URI', edit: edit('storageUri: https://exampleartifacts.blob.core.windows.net/mlflow/models/wine-quality', 'storageUri: s3://models/iris'),
    path: 'clusters.serving.serving.models.wine-quality.storageUri', message: /reads from Amazon S3, but pods of this platform only have Azure identities/, line: ['s3://models/iris'] },
  { name: 'minReplicas 0 without scale to zero', edit: edit('      minReplicas: 1', '      minReplicas: 0', '\nmodels:'),
    path: 'models.iris.serving.minReplicas', message: /minReplicas 0 needs scale to zero/, line: ['minReplicas: 0'] },
  { name: 'canary in the Standard mode', edit: edit('      maxReplicas: 3', '      maxReplicas: 3\n      canaryTrafficPercent: 10', '\nmodels:'),
    path: 'models.iris.serving.canaryTrafficPercent', message: /canary traffic splitting needs kserve\.deploymentMode Knative/, line: ['canaryTrafficPercent: 10'] },
  { name: 'gateway-api without a gateway', edit: edit('      gateway:\n        namespace: gateway\n        name: ml-gateway\n        controller: envoy-gateway\n', ''),
    path: 'clusters.serving.routing', message: /mode gateway-api needs a gateway block/, line: ['routing:', SV] },
  { name: 'a gateway namespace without LoadBalancer quota', edit: edit('          services.loadbalancers: 1 ', '          services.loadbalancers: 0 ', SV),
    path: 'clusters.serving.namespaces.gateway.quota', message: /services\.loadbalancers >= 1/, line: ['quota:', SV, '      gateway:'] },
  { name: 'ingress mode without an ingress block', edit: edit('      mode: gateway-api', '      mode: ingress', SV),
    path: 'clusters.serving.routing', message: /mode ingress needs an ingress block/, line: ['routing:', SV] },
  { name: 'serving routes on a cluster without routing', edit: (t) => t.replace(/    # How callers reach the cluster's workloads: one shared Gateway[^\n]*\n    routing:\n(      [^\n]*\n|        [^\n]*\n)+/, ''),
    path: 'clusters.serving.serving', message: /serving workload\(s\) have a route .* but cluster 'serving' has no routing section; add clusters\.serving\.routing/, line: ['    serving:\n      kserve:'] },
  { name: 'serving.routing of an old config (moved to the cluster)', edit: (t) => t.replace(/    # How callers reach the cluster's workloads: one shared Gateway[^\n]*\n    routing:\n((      [^\n]*\n|        [^\n]*\n)+)    serving:\n/, (_m, block: string) => `    serving:\n      routing:\n${block.replace(/^(?=.)/gm, '  ')}`),
    path: 'clusters.serving.serving.routing', message: /serving\.routing moved to clusters\.serving\.routing: routing is now a capability of the cluster.*Move the whole routing block out of serving/, line: ['      routing:', SV] },
  { name: 'two routes on one path', edit: edit('      route:\n        timeoutSeconds: 120', '      route:\n        timeoutSeconds: 120\n        path: /mlflow', '\nmodels:'),
    path: 'clusters.serving.serving.mlflow', message: /collides with the route of model 'iris'/, line: ['      mlflow:\n        namespace: mlflow'] },
  { name: 'maxBodySize on a Gateway API route', edit: edit('        timeoutSeconds: 120', '        timeoutSeconds: 120\n        maxBodySize: 20m', '\nmodels:'),
    path: 'models.iris.serving.route.maxBodySize', message: /cannot be expressed in a Gateway API HTTPRoute/, line: ['maxBodySize: 20m'] },
  { name: 'an unknown MLflow storage account', edit: edit('          storageAccount: exampleartifacts\n          container: mlflow', '          storageAccount: examplemlflow\n          container: mlflow'),
    path: 'clusters.serving.serving.mlflow.artifacts.storageAccount', message: /storage account 'examplemlflow' is not under azure\.storageAccounts/, line: ['storageAccount: examplemlflow'] },
  { name: 'a volume with two sources', edit: edit('              claim: { size: 5Gi }', '              claim: { size: 5Gi }\n              existingClaim: other'),
    path: 'clusters.serving.serving.microservices.featurespace.volumes.lookup-tables', message: /set exactly one of emptyDir, claim and existingClaim \(found 2\)/, line: ['lookup-tables:', '      microservices:'] },
  { name: 'a microservice named like a model predictor', edit: edit('        gpamatching:\n          namespace: microservices', '        iris-predictor:\n          namespace: models'),
    path: 'clusters.serving.serving.microservices.iris-predictor', message: /has the name KServe gives the predictor Deployment and Service of model 'iris'/, line: ['iris-predictor:'] },
  { name: 'two volumes that derive one PVC name', edit: edit('        gpamatching:\n          namespace: microservices', '        featurespace-lookup:\n          namespace: microservices\n          volumes:\n            tables: { mountPath: /mnt/t, claim: { size: 1Gi } }'),
    path: 'clusters.serving.serving.microservices.featurespace-lookup.volumes.tables', message: /PersistentVolumeClaim 'featurespace-lookup-tables' in namespace 'microservices' .* is also made for/, line: ['tables: { mountPath'] },
  { name: 'a model whose maxReplicas exceed its pool', edit: all(
    edit('        request: { cpu: 500m, memory: 1Gi }\n        limit: { cpu: "2", memory: 2Gi }', '        request: { cpu: "2", memory: 1Gi }\n        limit: { cpu: "2", memory: 2Gi }', '\nmodels:'),
    edit('      maxReplicas: 3', '      maxReplicas: 50', '\nmodels:')),
    path: 'models.iris.serving', message: /model 'iris' with 50 replica\(s\) \(maxReplicas\) requests 100 CPU .* on pool 'serving', more than its 10 node\(s\) of Standard_D8s_v5/, line: ['    serving:', '\nmodels:'] },
  // models declared once (lib/models)
  { name: 'an unserved model in a storage account not in the config', edit: all(
    edit('    serving:\n      cluster: serving\n      namespace: models\n      identity: model-reader\n      resources:\n        request: { cpu: 500m, memory: 1Gi }\n        limit: { cpu: "2", memory: 2Gi }\n      nodePool: serving\n      minReplicas: 1\n      maxReplicas: 3\n      route:\n        timeoutSeconds: 120\n', '', '\nmodels:'),
    edit('      storageAccount: exampledatalake', '      storageAccount: otherlake', '\nmodels:')),
    path: 'models.iris.artifacts.storageAccount', message: /storage account 'otherlake' is not under azure\.storageAccounts/, line: ['storageAccount: otherlake'] },
  { name: 'a model served on a cluster without serving', edit: edit('      cluster: serving', '      cluster: training', '\nmodels:'),
    path: 'models.iris.serving.cluster', message: /cluster 'training' has no serving section/, line: ['cluster: training', '    serving:'] },
  { name: 'a model produced by an unknown job', edit: edit('      job: iris', '      job: irs', '\nmodels:'),
    path: 'models.iris.training.job', message: /job 'irs' is not under clusters\.training\.training\.jobs/, line: ['job: irs'] },
  { name: 'clusters in several subscriptions and a storage account without one', edit: edit('      subscriptionId: 00000000-0000-0000-0000-000000000010', '      subscriptionId: 00000000-0000-0000-0000-000000000099'),
    path: 'azure.storageAccounts.exampledatalake', message: /the clusters are in several subscriptions; set subscriptionId/, line: ['exampledatalake:'] },
  // azure and identities
  { name: 'two entries for one AKS cluster', edit: edit('      name: aks-example-training', '      name: AKS-example-serving'),
    path: 'clusters.serving.azure.name', message: /clusters 'training' and 'serving' are the same AKS cluster/, line: ['name: aks-example-serving'] },
  { name: 'an identity used in two subscriptions', edit: all(
    edit('      subscriptionId: 00000000-0000-0000-0000-000000000010', '      subscriptionId: 00000000-0000-0000-0000-000000000011', TR),
    edit('      identity: training-data ', '      identity: model-reader  ')),
    path: 'identities.model-reader', message: /used by clusters in several subscriptions \(serving: .*011, training: .*010\).*set identities\.model-reader\.subscriptionId/, line: ['  model-reader:'] },
  { name: 'one ServiceAccount with two identities', edit: all(
    edit('        identity: spark-data ', '        serviceAccountName: airflow-worker\n        identity: spark-data '),
    edit('    airflow:\n      identity: orchestration', '    airflow:\n      namespace: spark\n      identity: orchestration')),
    path: 'clusters.data-processing.airflow.identity', message: /ServiceAccount 'airflow-worker' in namespace 'spark' would carry identity 'orchestration' here and 'spark-data'/, line: ['identity: orchestration'] },
  { name: 'more than 20 federated credentials for one identity', edit: all(
    edit('      airflow: {}', `      airflow: {}\n${manyNamespaces.map((n) => `      ${n}: {}`).join('\n')}`),
    edit('          spark: {}', `          spark: {}\n${manyNamespaces.map((n) => `          ${n}: {}`).join('\n')}`)),
    path: 'identities.spark-data', message: /would need 22 federated credentials .*at most 20 per identity/, line: ['  spark-data:'] },
  // names, by the object they become
  { name: 'a microservice name that is not a Service name', edit: edit('        gpamatching:', '        2fa-api:'),
    path: 'clusters.serving.serving.microservices.2fa-api', message: /invalid key '2fa-api': .*Service names/, line: ['2fa-api:'] },
  { name: 'a model name longer than KServe allows', edit: edit('        adult-income:', `        ${'a'.repeat(46)}:`),
    path: `clusters.serving.serving.models.${'a'.repeat(46)}`, message: /KServe InferenceService.*at most 45 characters/, line: [`${'a'.repeat(46)}:`] },
  // streaming
  { name: 'Kafka on a System pool', edit: edit('        nodePool: kafka\n', '        nodePool: system\n', '    streaming:'),
    path: 'clusters.data-processing.streaming.kafka.nodePool', message: /node pool 'system' is a System pool; Kafka runs on a User pool/, line: ['nodePool: system', '    streaming:'] },
  { name: 'min in-sync replicas above replication', edit: edit('        minInSyncReplicas: 2', '        minInSyncReplicas: 4'),
    path: 'clusters.data-processing.streaming.kafka.minInSyncReplicas', message: /minInSyncReplicas \(4\) is larger than replication \(3\)/, line: ['minInSyncReplicas: 4'] },
  { name: 'topic replication above the broker count', edit: edit('        StreamingRaw: { partitions: 6,', '        StreamingRaw: { replication: 5, partitions: 6,'),
    path: 'clusters.data-processing.streaming.topics.StreamingRaw.replication', message: /replication \(5\) is larger than the 3 broker\(s\)/, line: ['StreamingRaw: { replication: 5'] },
  // quota fit (lib/core/quota-fit.ts): standing replicas of a namespace together, against its quota
  { name: 'standing replicas of a namespace above its quota', edit: edit('      microservices: {}\n', '      microservices:\n        quota: { pods: 20, requests.cpu: "3", requests.memory: 16Gi }\n', SV),
    path: 'clusters.serving.namespaces.microservices.quota."requests.cpu"', message: /namespace 'microservices': its standing replicas need requests\.cpu 4 but its quota allows 3/, line: ['quota: { pods: 20, requests.cpu: "3"', SV] },
  { name: 'a Kafka client naming an undeclared topic', edit: edit('          produce: [StreamingRaw, MessaingRaw, MessaingResult]', '          produce: [StreamingRaw, MessagingRaw, MessaingResult]'),
    path: 'clusters.data-processing.streaming.clients.nifi.produce[1]', message: /topic 'MessagingRaw' is not under streaming.topics/, line: ['produce: [StreamingRaw, MessagingRaw'] },
  { name: 'a streaming job whose client is outside the Spark namespaces', edit: edit('          kafkaClient: streaming-scoring ', '          kafkaClient: nifi '),
    path: 'clusters.data-processing.streaming.jobs.streaming-scoring.kafkaClient', message: /client 'nifi' is in namespace 'nifi', which is not a Spark namespace/, line: ['kafkaClient: nifi'] },
  { name: 'NiFi connecting as a client of another namespace', edit: edit('        kafkaClient: nifi\n', '        kafkaClient: streaming-scoring\n', '      nifi:\n        namespace: nifi'),
    path: 'clusters.data-processing.streaming.nifi.kafkaClient', message: /client 'streaming-scoring' is in namespace 'spark', but NiFi runs in 'nifi'/, line: ['kafkaClient: streaming-scoring', '      nifi:\n        namespace: nifi'] },
  { name: 'NiFi\'s endpoint on its UI port', edit: edit('          port: 9192\n', '          port: 8443\n'),
    path: 'clusters.data-processing.streaming.nifi.httpEndpoint.port', message: /port 8443 is NiFi's HTTPS UI/, line: ['port: 8443'] },
  // NiFi and JupyterHub routes (issue 15)
  { name: 'a NiFi route on a cluster without routing', edit: (t) => edit('      hosts: [nifi.example.com, notebooks.example.com]', '')(t).replace(/    # How callers reach NiFi and JupyterHub[^\n]*\n    routing:\n(      [^\n]*\n|        [^\n]*\n|\n)+/, ''),
    path: 'clusters.data-processing.streaming.nifi.route', message: /NiFi's UI route goes through the cluster's gateway, but cluster 'data-processing' has no routing section; add clusters\.data-processing\.routing/, line: ['route: { host: nifi.example.com }'] },
  { name: 'a NiFi UI host the routing does not serve', edit: edit('route: { host: nifi.example.com }', 'route: { host: nifi.example.org }'),
    path: 'clusters.data-processing.streaming.nifi.route.host', message: /host 'nifi\.example\.org' is not served by the routing's listeners \(served: data\.example\.com, nifi\.example\.com, notebooks\.example\.com\); add it to clusters\.data-processing\.routing\.hosts/, line: ['route: { host: nifi.example.org }'] },
  { name: 'a NiFi UI route without NiFi\'s certificate', edit: edit('        tls: { secretName: nifi-tls }', '        # no tls'),
    path: 'clusters.data-processing.streaming.nifi.route', message: /verifies its certificate, but NiFi would serve the self-signed certificate .* add streaming\.nifi\.tls\.secretName/, line: ['route: { host: nifi.example.com }'] },
  { name: 'a NiFi UI route in ingress mode', edit: all(
    edit('      mode: gateway-api', '      mode: ingress', DP),
    edit('        clusterIssuer: letsencrypt-example                   # EXAMPLE (a cert-manager ClusterIssuer)\n      gateway:\n        namespace: gateway\n        name: data-gateway\n        controller: envoy-gateway\n', '      ingress:\n        className: webapprouting.kubernetes.azure.com\n        controllerNamespace: app-routing-system\n')),
    path: 'clusters.data-processing.streaming.nifi.route', message: /routing mode ingress cannot verify a backend's certificate .* use routing\.mode gateway-api/, line: ['route: { host: nifi.example.com }'] },
  { name: 'NiFi OIDC without a client secret', edit: edit('            clientSecret: { name: nifi-entra, key: client-secret }   # created outside dist/\n', ''),
    path: 'clusters.data-processing.streaming.nifi.signIn.oidc', message: /OIDC sign-in needs the app registration's client secret .* set clientSecret: \{ name: <Secret>, key: client-secret \}/, line: ['oidc:   '] },
  { name: 'a called route that does not exist', edit: edit('          hosts: [ml.example.com]', '          routes: [model-iris]\n          hosts: [ml.example.com]'),
    path: 'clusters.data-processing.streaming.nifi.calls.routes[0]', message: /'model-iris' is not a route of cluster 'data-processing' \(routes: nifi, nifi-http-endpoint, jupyterhub\)/, line: ['routes: [model-iris]'] },
  { name: 'a JupyterHub route on a cluster without routing', edit: (t) => t.replace(/    # How callers reach NiFi and JupyterHub[^\n]*\n    routing:\n(      [^\n]*\n|        [^\n]*\n)+/, '').replace('        route: { host: nifi.example.com }', '').replace('          route: {}                                          # https://data.example.com/model_serving\n', '').replace('          hosts: [ml.example.com]', '          hosts: [ml.example.com]\n'),
    path: 'clusters.data-processing.notebooks.route', message: /JupyterHub's route goes through the cluster's gateway, but cluster 'data-processing' has no routing section/, line: ['      route: {}', '    notebooks:'] },
  { name: 'a JupyterHub host the routing does not serve', edit: edit('callbackUrl: https://notebooks.example.com/hub/oauth_callback', 'callbackUrl: https://jupyter.example.com/hub/oauth_callback'),
    path: 'clusters.data-processing.notebooks.auth.callbackUrl', message: /host 'jupyter\.example\.com' \(of the OAuth callback URL\) is not served by the routing's listeners/, line: ['callbackUrl: https://jupyter.example.com'] },
  { name: 'two routes of one cluster with the same match', edit: edit('route: { host: nifi.example.com }', 'route: { host: notebooks.example.com }'),
    path: 'clusters.data-processing.notebooks.route', message: /route PathPrefix \/ on notebooks\.example\.com collides with the route of nifi 'ui' \(clusters\.data-processing\.streaming\.nifi\.route\); give one of them another host or path/, line: ['      route: {}', '    notebooks:'] },
  { name: 'a streaming job setting the checkpoint in sparkConf', edit: edit('          checkpoint:                                        # the seed', '          sparkConf: { spark.sql.streaming.checkpointLocation: /tmp/x }\n          checkpoint:                                        # the seed'),
    path: 'clusters.data-processing.streaming.jobs.streaming-scoring.sparkConf."spark.sql.streaming.checkpointLocation"', message: /spark.sql.streaming.checkpointLocation is set by the platform/, line: ['sparkConf: { spark.sql.streaming.checkpointLocation'] },
  // notebooks
  { name: 'a notebook GPU profile on a cluster without a GPU pool', edit: edit('        large: { displayName: "Large (6 CPU, 32 GiB)", cpu: 6, memory: 32Gi }', '        large: { displayName: "Large (6 CPU, 32 GiB)", cpu: 6, memory: 32Gi, gpus: 1, gpuPool: spark }'),
    path: 'clusters.data-processing.notebooks.profiles.large.gpus', message: /asks for GPUs, but the cluster has no GPU pool/, line: ['large: { displayName'] },
  { name: 'a notebook profile larger than a node of its pool after the HDFS datanode (the review E F1 profile)', edit: edit('large: { displayName: "Large (6 CPU, 32 GiB)", cpu: 6, memory: 32Gi }', 'large: { displayName: "Large (8 CPU, 32 GiB)", cpu: 8, memory: 32Gi }'),
    path: 'clusters.data-processing.notebooks.profiles.large.cpu', message: /profile 'large' guarantees 8 CPU, but a node of pool 'spark' \(Standard_E8ds_v5\) has 7\.32 CPU for it \(allocatable 7\.82 CPU less the HDFS datanode \(0\.5 CPU, 2Gi\) on every node\).*use at most 7\.3/, line: ['large: { displayName: "Large (8'] },
  { name: 'a notebook profile over the namespace quota', edit: edit('          requests.cpu: "24"\n          requests.memory: 96Gi\n          limits.cpu: "32"', '          requests.cpu: "4"\n          requests.memory: 96Gi\n          limits.cpu: "32"'),
    path: 'clusters.data-processing.notebooks.profiles.large.cpu', message: /one server of profile 'large' \(6 CPU requests\.cpu\) next to the hub and proxy \(0\.2 CPU\) needs 6\.2 CPU, more than the quota of namespace 'jupyter' allows \(namespaces\.jupyter\.quota\.requests\.cpu: 4\)/, line: ['large: { displayName: "Large (6'] },
  { name: 'notebooks with an unknown identity', edit: edit('      identity: spark-data\n      nodePool: spark\n      image: quay.io', '      identity: spark-lake\n      nodePool: spark\n      image: quay.io'),
    path: 'clusters.data-processing.notebooks.identity', message: /identity 'spark-lake' is not under identities/, line: ['identity: spark-lake'] },
  // issue 13 (config-rules): rules for features and construct checks
  { name: 'Kafka without a broker pool', edit: edit('            roles: [controller, broker]', '            roles: [controller]'),
    path: 'clusters.data-processing.streaming.kafka.nodePools', message: /no node pool has the broker role/, line: ['nodePools:', '    streaming:'] },
  { name: 'a Kafka client that neither produces nor consumes', edit: edit('          consume: [StreamingRaw]\n          produce: [StreamingResult]\n          consumerGroups: ["spark-kafka-source-streaming-scoring*"]', '          produce: []'),
    path: 'clusters.data-processing.streaming.clients.streaming-scoring', message: /the client neither produces nor consumes/, line: ['streaming-scoring:'] },
  { name: 'consumer groups without consumed topics', edit: edit('          consume: [StreamingRaw]\n', ''),
    path: 'clusters.data-processing.streaming.clients.streaming-scoring.consumerGroups', message: /consumer groups are only used to consume/, line: ['consumerGroups: ["spark-kafka'] },
  { name: 'two topics that become one KafkaTopic object', edit: edit('        StreamingRaw: { partitions: 6, retentionHours: 168 }', '        StreamingRaw: { partitions: 6, retentionHours: 168 }\n        streamingraw: { partitions: 6 }'),
    path: 'clusters.data-processing.streaming.topics.streamingraw', message: /both become the KafkaTopic object 'streamingraw'/, line: ['streamingraw: { partitions'] },
  { name: 'HDFS without the node CIDRs', edit: edit('        nodeCidrs: ["10.224.0.0/16"]                         # AKS node subnet (HDFS listens on node addresses)\n', '        azureStorageCidrs: ["0.0.0.0/0"]\n'),
    path: 'clusters.data-processing.dataProcessing.network.nodeCidrs', message: /HDFS runs on node addresses/, line: ['network:', DP] },
  { name: 'a Spark UI caller namespace that is not declared', edit: edit('          spark: {}', '          spark: { uiAccessFrom: { namespaces: [notebooks] } }'),
    path: 'clusters.data-processing.dataProcessing.spark.namespaces.spark.uiAccessFrom.namespaces[0]', message: /namespace 'notebooks' is not under namespaces: its pods would be let in, but nothing lets them out/, line: ['uiAccessFrom: { namespaces: [notebooks]'] },
  { name: 'a namenode volume below 1Gi', edit: edit('          storageSize: 64Gi', '          storageSize: 512Mi'),
    path: 'clusters.data-processing.dataProcessing.hdfs.nameNode.storageSize', message: /512Mi is below 1Gi/, line: ['storageSize: 512Mi'] },
  { name: 'a datanode directory with a trailing slash', edit: edit('[/mnt/hdfs-data]', '[/mnt/hdfs-data/]'),
    path: 'clusters.data-processing.dataProcessing.hdfs.dataNodes.dataDirectories[0]', message: /must be an absolute directory path other than \/, without a trailing slash/, line: ['dataDirectories: [/mnt/hdfs-data/]'] },
  { name: 'a Hadoop property the platform sets', edit: edit('        smokeTest: true', '        smokeTest: true\n        hdfsSite:\n          dfs.replication: "2"'),
    path: 'clusters.data-processing.dataProcessing.hdfs.hdfsSite."dfs.replication"', message: /dfs\.replication is set by the platform/, line: ['dfs.replication: "2"'] },
  { name: 'a Spark property the platform fixes', edit: edit('          azureStorage: true ', '          sparkConf: { spark.driver.port: "7077" }\n          azureStorage: true '),
    path: 'clusters.data-processing.dataProcessing.jobs.feature-space.sparkConf."spark.driver.port"', message: /spark\.driver\.port is fixed by the platform/, line: ['sparkConf: { spark.driver.port'] },
  { name: 'a training image pinned to latest', edit: edit('training/iris:1.0.0', 'training/iris:latest'),
    path: 'clusters.training.training.jobs.iris.image', message: /pinned to latest, which moves/, line: ['training/iris:latest'] },
  { name: 'a cpuPool that is a GPU pool', edit: edit('      gpuPool: gpu', '      gpuPool: gpu\n      cpuPool: gpu'),
    path: 'clusters.training.training.cpuPool', message: /node pool 'gpu' is a GPU pool; CPU-only replicas run on a User pool/, line: ['cpuPool: gpu'] },
  { name: 'provider azure on an https chart repository', edit: edit('        repository: https://kubeflow.github.io/spark-operator\n', '        repository: https://kubeflow.github.io/spark-operator\n        provider: azure\n'),
    path: 'clusters.data-processing.operators.sparkOperator.provider', message: /provider azure applies to oci:\/\/ registries .* use secretName/, line: ['provider: azure'] },
  { name: 'the Knative mode (nothing installs Knative)', edit: edit('        deploymentMode: Standard', '        deploymentMode: Knative'),
    path: 'clusters.serving.serving.kserve.deploymentMode', message: /needs Knative Serving .* nothing in this platform installs them; use Standard/, line: ['deploymentMode: Knative'] },
  { name: 'the KEDA autoscaler (nothing installs KEDA)', edit: edit('          nodePool: serving\n        adult-income:', '          nodePool: serving\n          autoscaler: keda\n        adult-income:'),
    path: 'clusters.serving.serving.models.wine-quality.autoscaler', message: /autoscaler keda needs KEDA .* nothing in this platform installs it/, line: ['autoscaler: keda'] },
  { name: 'models without a kserve block', edit: edit('      kserve:\n        version: "0.16.0"\n        deploymentMode: Standard                             # Deployment + HPA; no Knative on AKS\n', ''),
    path: 'clusters.serving.serving.models', message: /models are KServe InferenceServices, but the section has no kserve block/, line: ['      models:\n        wine-quality:'] },
  { name: 'a ClusterIssuer in ingress mode (one default certificate instead)', edit: all(
    edit('      mode: gateway-api', '      mode: ingress', SV),
    edit('      gateway:\n        namespace: gateway\n        name: ml-gateway\n        controller: envoy-gateway\n', '      ingress:\n        className: webapprouting.kubernetes.azure.com\n        controllerNamespace: app-routing-system\n')),
    path: 'clusters.serving.routing.tls.clusterIssuer', message: /in mode ingress one certificate serves every namespace: .*Secret 'ml-gateway-tls' in namespace 'app-routing-system'/, line: ['clusterIssuer: letsencrypt-example', SV] },
  { name: 'an ACME solver without a ClusterIssuer', edit: edit('        clusterIssuer: letsencrypt-example ', '        acmeSolver: http01 ', SV),
    path: 'clusters.serving.routing.tls.acmeSolver', message: /acmeSolver \(http01\) says how routing\.tls\.clusterIssuer solves ACME challenges/, line: ['acmeSolver: http01'] },
  { name: 'ACME DNS-01 without the Azure DNS identity and zone', edit: edit('        clusterIssuer: letsencrypt-example                   # EXAMPLE (a cert-manager ClusterIssuer)\n', '        clusterIssuer: letsencrypt-example\n        acmeSolver: dns01\n', SV),
    path: 'clusters.serving.routing.tls.acmeSolver', message: /acmeSolver dns01 needs routing\.tls\.azureDns \(identity, zone, resourceGroup\).*add azureDns/, line: ['acmeSolver: dns01'] },
  { name: 'a cluster CA renewal window as long as its validity', edit: edit('clusterCa: { validityDays: 365, renewalDays: 30 }', 'clusterCa: { validityDays: 30, renewalDays: 30 }'),
    path: 'clusters.data-processing.streaming.kafka.clusterCa.renewalDays', message: /renewalDays \(30\) must be fewer than validityDays \(30\)/, line: ['clusterCa: { validityDays: 30'] },
  { name: 'the removed dataProcessing.network.apiServerCidrs', edit: edit('        nodeCidrs: ["10.224.0.0/16"]', '        nodeCidrs: ["10.224.0.0/16"]\n        apiServerCidrs: ["203.0.113.10/32"]'),
    path: 'clusters.data-processing.dataProcessing.network.apiServerCidrs', message: /^apiServerCidrs is no longer used: Spark drivers .* reach the API server on ports 443 and 6443 to any address.*; delete this key$/, line: ['apiServerCidrs:'] },
  { name: 'the removed streaming.kafka.apiServerCidrs', edit: edit('      kafka:\n', '      kafka:\n        apiServerCidrs: ["203.0.113.10/32"]\n', '    streaming:'),
    path: 'clusters.data-processing.streaming.kafka.apiServerCidrs', message: /^apiServerCidrs is no longer used: the Kafka topic and user operators .*; delete this key$/, line: ['apiServerCidrs:'] },
  { name: 'a call to an unknown microservice', edit: edit('          image: examplemlplatform.azurecr.io/ranking:v1', '          image: examplemlplatform.azurecr.io/ranking:v1\n          calls: [featurespaces]'),
    path: 'clusters.serving.serving.microservices.rankingrec.calls[0]', message: /'featurespaces' is not under serving\.microservices/, line: ['calls: [featurespaces]'] },
  { name: 'a microservice volume named tmp', edit: edit('            lookup-tables:                                   # seed 000 claim 3', '            tmp:                                             # seed 000 claim 3'),
    path: 'clusters.serving.serving.microservices.featurespace.volumes.tmp', message: /the name 'tmp' is taken by the built-in writable \/tmp/, line: ['            tmp:  '] },
  { name: 'an MLflow path that cannot be its static prefix', edit: edit('        nodePool: serving\n    operators:', '        nodePool: serving\n        route: { path: /MLflow/ }\n    operators:'),
    path: 'clusters.serving.serving.mlflow.route.path', message: /is also MLflow's --static-prefix/, line: ['route: { path: /MLflow/ }'] },
  { name: 'HDFS on the System pool', edit: edit('        nodePool: spark\n        replication: 3', '        nodePool: system\n        replication: 3'),
    path: 'clusters.data-processing.dataProcessing.hdfs.nodePool', message: /node pool 'system' is a System pool; HDFS and Spark run on a User pool/, line: ['nodePool: system'] },
  { name: 'Spark on the System pool', edit: edit('        nodePool: spark\n        identity', '        nodePool: system\n        identity'),
    path: 'clusters.data-processing.dataProcessing.spark.nodePool', message: /node pool 'system' is a System pool/, line: ['nodePool: system'] },
  { name: 'a shared volume mounted over /', edit: edit('            mountPath: /mnt/lookup-tables', '            mountPath: /'),
    path: 'clusters.data-processing.dataProcessing.sharedVolumes.volumes.lookup-tables.mountPath', message: /cannot be mounted over the root directory/, line: ['mountPath: /\n'] },
  { name: 'two volumes of a Spark job at one path', edit: edit('            lookup-tables: { readOnly: true }\n            recommendations: {}', '            lookup-tables: { readOnly: true }\n            recommendations: { mountPath: /mnt/lookup-tables }'),
    path: 'clusters.data-processing.dataProcessing.jobs.hardskill-matching.volumes.recommendations', message: /mounts at \/mnt\/lookup-tables, where volume 'lookup-tables' is mounted too/, line: ['recommendations: { mountPath'] },
  { name: 'a microservice request above its limit', edit: edit('            request: { cpu: 500m, memory: 1Gi }', '            request: { cpu: "4", memory: 1Gi }', '        featurespace:'),
    path: 'clusters.serving.serving.microservices.featurespace.resources.request.cpu', message: /request 4 must be <= limit 2/, line: ['request: { cpu: "4"'] },
  { name: 'a microservice variable both in env and secretEnv', edit: edit('          image: examplemlplatform.azurecr.io/gpa-matching:v1', '          image: examplemlplatform.azurecr.io/gpa-matching:v1\n          env: { FEATURE_URL: "https://features.example.com" }\n          secretEnv: { FEATURE_URL: { secretName: feature-url, key: url } }'),
    path: 'clusters.serving.serving.microservices.gpamatching.secretEnv.FEATURE_URL', message: /FEATURE_URL is also set under env/, line: ['secretEnv: { FEATURE_URL'] },
  { name: 'GPUs for a model on a pool without GPUs', edit: edit('          nodePool: serving\n        adult-income:', '          nodePool: serving\n          gpus: 1\n        adult-income:'),
    path: 'clusters.serving.serving.models.wine-quality.gpus', message: /1 GPU\(s\) need a nodePool whose nodes have at least that many GPUs/, line: ['gpus: 1\n        adult-income:'] },
  { name: 'a model request above its limit', edit: edit('            request: { cpu: 250m, memory: 512Mi }', '            request: { cpu: "4", memory: 512Mi }', '        wine-quality:'),
    path: 'clusters.serving.serving.models.wine-quality.resources.request.cpu', message: /request 4 must be <= limit 1/, line: ['request: { cpu: "4"'] },
  { name: 'a scale metric of the Knative mode', edit: edit('          nodePool: serving\n        adult-income:', '          nodePool: serving\n          scaleMetric: rps\n        adult-income:'),
    path: 'clusters.serving.serving.models.wine-quality.scaleMetric', message: /scaleMetric rps is not available in the Standard mode/, line: ['scaleMetric: rps'] },
  { name: 'a route name used twice', edit: edit('        gpamatching:', '        model-iris:'),
    path: 'clusters.serving.serving.microservices.model-iris', message: /route name 'model-iris' is also used by model 'iris'/, line: ['model-iris:'] },
  { name: 'a regular-expression path with a prefix type', edit: edit('        timeoutSeconds: 120', '        timeoutSeconds: 120\n        path: /models/(iris|setosa)', '\nmodels:'),
    path: 'models.iris.serving.route', message: /looks like a regular expression but pathType is PathPrefix/, line: ['route:\n        timeoutSeconds: 120'] },
  { name: 'a rewrite on a regular-expression path', edit: edit('        timeoutSeconds: 120', '        timeoutSeconds: 120\n        path: /models/iris.*\n        pathType: RegularExpression\n        rewrite: /', '\nmodels:'),
    path: 'models.iris.serving.route', message: /rewrite cannot be combined with pathType RegularExpression/, line: ['route:\n        timeoutSeconds: 120'] },
  { name: 'elastic bounds with min above max', edit: edit('          sharedMemory: 8Gi', '          sharedMemory: 8Gi\n          elastic: { minReplicas: 4, maxReplicas: 3 }'),
    path: 'clusters.training.training.jobs.iris.elastic.minReplicas', message: /minReplicas \(4\) must be <= maxReplicas \(3\)/, line: ['elastic: { minReplicas: 4'] },
  { name: 'a training variable both in env and secretEnv', edit: edit('          sharedMemory: 8Gi', '          sharedMemory: 8Gi\n          secretEnv: { TRAINING_DATA_URL: { secretName: data-url, key: url } }'),
    path: 'clusters.training.training.jobs.iris.secretEnv.TRAINING_DATA_URL', message: /TRAINING_DATA_URL is also set under env/, line: ['secretEnv: { TRAINING_DATA_URL'] },
];

