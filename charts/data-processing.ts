import { NodePoolMode, NodePoolPlacement } from '../lib/core/node-pool';
import { AzureFilesProtocol, AzureFilesSku, AzureFilesStorageClass } from '../lib/data-processing/azure-files-storage-class';
import { DataProcessingConfig, DEFAULT_SPARK_SERVICE_ACCOUNT, SparkJobConfig } from '../lib/data-processing/config';
import { HdfsCluster } from '../lib/data-processing/hdfs-cluster';
import { PodIdentityBinding } from '../lib/identity/pod-identity-binding';
import { SharedVolume } from '../lib/data-processing/shared-volume';
import { SparkApplicationType, SparkJob } from '../lib/data-processing/spark-job';
import { SPARK_PORTS, SPARK_ROLE_LABEL, SparkRbac } from '../lib/data-processing/spark-rbac';
import { declareFlow } from '../lib/core/flows';
import { allowEgressTo } from '../lib/core/network-policies';
import { ClusterComposition, ClusterContext } from '../lib/synth/cluster-context';
import { podIdentityFor } from './identity';
import { compareText } from '../lib/core/sort';
import { kafkaBootstrapServers, kafkaClientPodLabels, StreamingJobConfig } from '../lib/streaming/config';
import { SparkStreamingJob } from '../lib/streaming/spark-streaming-job';

/** A configured node pool as the constructs take it. */
function placement(context: ClusterContext, name: string): NodePoolPlacement {
  const pool = context.cluster.nodePools[name];
  return { name, mode: pool.mode as NodePoolMode, minCount: pool.minCount, taints: pool.taints, gpusPerNode: pool.gpusPerNode };
}

function addHdfs(context: ClusterContext, section: DataProcessingConfig): HdfsCluster | undefined {
  const hdfs = section.hdfs;
  if (!hdfs) return undefined; // Spark on Azure Storage alone: no privileged namespace, no namenode affinity, no HDFS policies
  return new HdfsCluster(context.layers.workloads, 'hdfs', {
    namespace: hdfs.namespace,
    image: hdfs.image,
    nodePool: placement(context, hdfs.nodePool),
    replication: hdfs.replication,
    clusterDomain: context.cluster.clusterDomain,
    nameNode: { storageClassName: hdfs.nameNode.storageClass, storageSize: hdfs.nameNode.storageSize, resources: hdfs.nameNode.resources },
    dataNodes: { dataDirectories: hdfs.dataNodes.dataDirectories, resources: hdfs.dataNodes.resources },
    coreSite: hdfs.coreSite,
    hdfsSite: hdfs.hdfsSite,
    smokeTest: hdfs.smokeTest,
    nodeCidrs: section.network.nodeCidrs!,
  });
}

function addSharedVolumes(context: ClusterContext, section: DataProcessingConfig): Map<string, SharedVolume> {
  const volumes = new Map<string, SharedVolume>();
  const shared = section.sharedVolumes;
  if (!shared) return volumes;
  const storageClass = new AzureFilesStorageClass(context.layers.platform, 'shared-volumes-storage-class', {
    name: shared.storageClass.name,
    skuName: shared.storageClass.skuName as AzureFilesSku,
    protocol: shared.storageClass.protocol as AzureFilesProtocol | undefined,
    smbOwnerId: section.spark.runAsUser,
  });
  for (const name of Object.keys(shared.volumes).sort()) {
    const volume = shared.volumes[name];
    volumes.set(name, new SharedVolume(context.layers.platform, `shared-volume-${name}`, {
      name,
      namespace: volume.namespace,
      storageClassName: storageClass.name,
      size: volume.size,
      mountPath: volume.mountPath,
    }));
  }
  return volumes;
}

/**
 * The props every SparkApplication of the cluster shares, batch or streaming: image and application, driver and
 * executor, the namespace's ServiceAccount and pod templates, and the Hadoop settings (fs.defaultFS of the HDFS,
 * and with Azure Storage the ABFS token provider of the cluster's identity mode).
 */
function sparkApplicationProps(context: ClusterContext, job: SparkJobConfig | StreamingJobConfig, rbac: SparkRbac, hdfs: HdfsCluster | undefined,
  identity: PodIdentityBinding | undefined, azureStorage: boolean) {
  const identityConfig = identity && context.platform.identities[identity.identityName];
  const tenantId = context.platform.azure.tenantId;
  return {
    type: job.type as SparkApplicationType,
    image: job.image,
    mainApplicationFile: job.mainApplicationFile,
    mainClass: job.mainClass,
    arguments: job.arguments,
    sparkVersion: job.sparkVersion,
    driver: job.driver,
    executor: job.executor,
    serviceAccountName: rbac.serviceAccountName,
    podTemplates: rbac.podTemplates,
    hadoopConf: {
      ...(hdfs ? { 'fs.defaultFS': hdfs.defaultFs } : {}),
      ...(azureStorage && identityConfig
        ? ((context.cluster.identityMode ?? 'workload-identity') === 'aad-pod-identity'
          ? SparkJob.managedIdentityHadoopConf(identityConfig.clientId, tenantId)
          : SparkJob.workloadIdentityHadoopConf(identityConfig.clientId, tenantId))
        : {}),
    },
    sparkConf: job.sparkConf,
  };
}

function addJob(context: ClusterContext, name: string, job: SparkJobConfig, hdfs: HdfsCluster | undefined, rbac: SparkRbac, volumes: Map<string, SharedVolume>, identity?: PodIdentityBinding): SparkJob {
  const sparkJob = new SparkJob(context.layers.workloads, `spark-job-${name}`, {
    ...sparkApplicationProps(context, job, rbac, hdfs, identity, job.azureStorage === true),
    name,
    namespace: job.namespace,
    schedule: job.schedule,
    networkFlows: rbac.jobFlows,
    volumes: Object.entries(job.volumes ?? {}).sort(([a], [b]) => compareText(a, b))
      .map(([volume, mount]) => volumes.get(volume)!.mount({ readOnly: mount.readOnly, mountPath: mount.mountPath })),
  });
  // Every pod of the namespace runs as the identity's ServiceAccount, so every job carries its labels.
  identity?.bind(sparkJob.resource);
  return sparkJob;
}

/**
 * The data-processing cluster: HDFS (workloads layer) next to Spark; per Spark namespace the RBAC, network
 * policies and pod templates (platform layer), sharing one ServiceAccount with the namespace's identity; the
 * shared Azure Files volumes (platform layer); and one SparkApplication or ScheduledSparkApplication per
 * configured job (workloads layer). Nothing without a `dataProcessing` section.
 */
export const dataProcessingComposition: ClusterComposition = (context) => {
  const section = context.cluster.dataProcessing;
  if (!section) return;
  const hdfs = addHdfs(context, section);
  const volumes = addSharedVolumes(context, section);
  const sparkPool = placement(context, section.spark.nodePool);
  const serviceAccountName = section.spark.serviceAccountName ?? DEFAULT_SPARK_SERVICE_ACCOUNT;

  const namespaces = new Map<string, { rbac: SparkRbac; identity?: PodIdentityBinding }>();
  for (const namespace of Object.keys(section.spark.namespaces).sort()) {
    const identity = section.spark.identity === undefined ? undefined : podIdentityFor(context, {
      namespace,
      identityName: section.spark.identity,
      serviceAccountName,
      automountServiceAccountToken: true, // the driver creates executor pods through the API server
    });
    const rbac = new SparkRbac(context.layers.platform, `spark-rbac-${namespace}`, {
      namespace,
      nodePool: sparkPool,
      azureStorageCidrs: section.network.azureStorageCidrs,
      serviceAccountName: identity ? undefined : serviceAccountName,
      identity,
      coLocateDriverWith: hdfs?.coLocationTarget,
      hdfs: hdfs ? { nodeCidrs: section.network.nodeCidrs!, ports: hdfs.clientPorts } : undefined,
      uiAccessFrom: section.spark.namespaces[namespace].uiAccessFrom,
      runAsUser: section.spark.runAsUser,
    });
    namespaces.set(namespace, { rbac, identity });
    addUiCallerEgress(context, namespace, section.spark.namespaces[namespace].uiAccessFrom?.namespaces ?? []);
  }

  for (const name of Object.keys(section.jobs ?? {}).sort()) {
    const job = section.jobs![name];
    const { rbac, identity } = namespaces.get(job.namespace)!;
    addJob(context, name, job, hdfs, rbac, volumes, identity);
  }

  const streaming = context.cluster.streaming;
  for (const name of Object.keys(streaming?.jobs ?? {}).sort(compareText)) {
    addStreamingJob(context, name, streaming!.jobs![name], hdfs, namespaces, volumes);
  }
};

/**
 * A Spark Structured Streaming job of the streaming section, in its Kafka client's Spark namespace with that
 * namespace's ServiceAccount, pod templates and identity (the config rules guarantee the references).
 */
function addStreamingJob(context: ClusterContext, name: string, job: StreamingJobConfig, hdfs: HdfsCluster | undefined,
  namespaces: Map<string, { rbac: SparkRbac; identity?: PodIdentityBinding }>, volumes: Map<string, SharedVolume>): SparkStreamingJob {
  const streaming = context.cluster.streaming!;
  const client = streaming.clients![job.kafkaClient];
  const { rbac, identity } = namespaces.get(client.namespace)!;
  const checkpointVolume = job.checkpoint.volume === undefined ? undefined : volumes.get(job.checkpoint.volume)!.mount();
  const location = job.checkpoint.abfs ?? `file://${checkpointVolume!.mountPath}/${job.checkpoint.subPath ?? name}`;
  const abfs = job.checkpoint.abfs !== undefined || job.azureStorage === true;
  const streamingJob = new SparkStreamingJob(context.layers.workloads, `spark-streaming-job-${name}`, {
    ...sparkApplicationProps(context, job, rbac, hdfs, identity, abfs),
    name,
    namespace: client.namespace,
    kafka: {
      bootstrapServers: kafkaBootstrapServers(streaming.kafka, context.cluster.clusterDomain),
      username: job.kafkaClient,
      credentialsSecretName: client.credentialsSecret,
      podLabels: kafkaClientPodLabels(job.kafkaClient, client),
    },
    checkpoint: { location, volume: checkpointVolume },
  });
  identity?.bind(streamingJob.job.resource);
  return streamingJob;
}

/**
 * `uiAccessFrom.namespaces` opens the Spark UI (4040) of the drivers to those namespaces; under their own default
 * deny the callers also need egress to it, so each caller namespace gets that egress rule (to the drivers only).
 */
function addUiCallerEgress(context: ClusterContext, sparkNamespace: string, callers: readonly string[]): void {
  const drivers = { [SPARK_ROLE_LABEL]: 'driver' };
  for (const caller of [...new Set(callers)].sort()) {
    if (caller === sparkNamespace) continue; // same namespace: the Spark policies cover it
    allowEgressTo(context.layers.platform, `spark-ui-egress-${caller}-${sparkNamespace}`, {
      name: `spark-ui-${sparkNamespace}`, namespace: caller, podLabels: {}, ports: [SPARK_PORTS.ui],
      peers: [{ namespace: sparkNamespace, podLabels: drivers }],
    });
    declareFlow(context.layers.platform, { purpose: `Spark UI of namespace ${sparkNamespace} from namespace ${caller}`, from: { namespace: caller, podLabels: {} }, to: { namespace: sparkNamespace, podLabels: drivers }, port: SPARK_PORTS.ui });
  }
}
