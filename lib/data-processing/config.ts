/**
 * The data-processing section of a cluster: HDFS next to Spark, Spark RBAC and network access, Spark jobs
 * (run by the Spark operator) and shared RWX volumes for lookup tables and results.
 */
import { REMOVED_API_SERVER_CIDRS_DESCRIPTION } from '../core/api-server-config';
import { Closed, ContainerImage, DNS_LABEL_PATTERN, DnsLabel, NameMap, Pattern, Quantity, StringEnum, Type, Static } from '../config/schema-helpers';

const CIDR_PATTERN = '^([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$';
const Cidrs = (description: string) => Type.Array(Pattern(CIDR_PATTERN, 'an IPv4 CIDR such as 10.224.0.0/16'), { minItems: 1, description });
const NodePoolName = (description: string) => Pattern('^[a-z][a-z0-9]{0,11}$', `${description}: the name of a pool under nodePools`);
const Image = ContainerImage;
const AbsolutePath = (description: string) => Pattern('^/[^\\s]*$', `${description}: an absolute path`);

const ResourcesSchema = Closed({
  request: Closed({ cpu: Quantity('CPU request'), memory: Quantity('memory request') }),
  limit: Closed({ cpu: Quantity('CPU limit'), memory: Quantity('memory limit') }),
}, { description: 'container requests and limits' });

const HadoopPropertiesSchema = Type.Record(Type.String({ pattern: '^[a-zA-Z0-9][-a-zA-Z0-9_.]*$' }), Type.String(), {
  additionalProperties: false,
  description: 'extra Hadoop properties (name to value) added to the rendered XML file',
});

/** Network facts that NetworkPolicies need, since they cannot match host names. */
export const DataProcessingNetworkSchema = Closed({
  nodeCidrs: Type.Optional(Cidrs('address ranges of the cluster nodes (the AKS node subnet); HDFS runs on node addresses (hostNetwork). Required with hdfs')),
  apiServerCidrs: Type.Optional(Type.Array(Type.String(), { description: REMOVED_API_SERVER_CIDRS_DESCRIPTION })),
  azureStorageCidrs: Type.Optional(Cidrs('address ranges reached over 443 by Spark pods: Azure Storage (or its private endpoints) and Microsoft Entra ID for the Workload Identity token exchange. Default: ["0.0.0.0/0"]')),
}, { description: 'addresses that the Spark and HDFS network policies allow' });

export const HdfsSchema = Closed({
  namespace: DnsLabel('namespace that runs HDFS (must be listed under namespaces with Pod Security level privileged)'),
  image: Image('Hadoop 3 image that has the hdfs command'),
  nodePool: NodePoolName('pool that runs the namenode and one datanode per node (a User pool without GPUs)'),
  replication: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'HDFS block replication (dfs.replication). Default: 3' })),
  nameNode: Closed({
    storageClass: DnsLabel('storage class of the namenode metadata volume, such as managed-csi-premium'),
    storageSize: Quantity('size of the namenode metadata volume'),
    resources: Type.Optional(ResourcesSchema),
  }, { description: 'the namenode' }),
  dataNodes: Closed({
    dataDirectories: Type.Array(AbsolutePath('node directory that holds HDFS blocks'), { minItems: 1, description: 'node directories that hold HDFS blocks (hostPath, such as the local NVMe or temp disk)' }),
    resources: Type.Optional(ResourcesSchema),
  }, { description: 'the datanodes (one per node of the pool)' }),
  coreSite: Type.Optional(HadoopPropertiesSchema),
  hdfsSite: Type.Optional(HadoopPropertiesSchema),
  smokeTest: Type.Optional(Type.Boolean({ description: 'add a Job that writes a file and reports which datanode served the read. Default: false' })),
}, { description: 'HDFS: namenode, datanodes and their configuration. Optional: without it Spark reads and writes Azure Storage (ABFS) only, with no privileged namespace' });

export const SparkNamespaceSchema = Closed({
  uiAccessFrom: Type.Optional(Closed({
    namespaces: Type.Optional(Type.Array(DnsLabel(), { description: 'namespaces whose pods may open the Spark UI (4040)' })),
    cidrs: Type.Optional(Cidrs('address ranges that may open the Spark UI (4040)')),
  }, { description: 'who may reach the Spark UI of drivers in this namespace. Default: nobody' })),
}, { description: 'a namespace that runs Spark jobs' });

export const SparkSchema = Closed({
  namespaces: NameMap(SparkNamespaceSchema, DNS_LABEL_PATTERN, 'namespaces that run Spark jobs (each listed under the cluster namespaces)'),
  nodePool: NodePoolName('pool that runs Spark drivers and executors'),
  serviceAccountName: Type.Optional(DnsLabel('ServiceAccount of Spark drivers in every Spark namespace. Default: spark')),
  identity: Type.Optional(DnsLabel('identity (a key of the top-level identities) that Spark jobs with azureStorage use')),
  runAsUser: Type.Optional(Type.Integer({ minimum: 1, description: 'non-root user ID of the Spark images. Default: 185 (the apache/spark images)' })),
}, { description: 'Spark on Kubernetes: namespaces, placement and identity' });

const SparkPodSchema = (what: string) => Closed({
  cores: Type.Integer({ minimum: 1, maximum: 64, description: `CPU cores of the ${what}` }),
  memory: Pattern('^[1-9][0-9]*[kmgt]$', `JVM heap of the ${what}, such as 2g or 512m`),
}, { description: `the ${what}` });

export const SparkJobSchema = Closed({
  namespace: DnsLabel('Spark namespace of the job (a key of spark.namespaces)'),
  type: StringEnum(['Python', 'Scala', 'Java', 'R'] as const, 'application language'),
  image: Image('Spark image of the job'),
  mainApplicationFile: Pattern('^(local|hdfs|abfss|wasbs|https|s3a|file)://[^\\s]+$', 'main application file URI, such as local:///opt/app/job.py'),
  mainClass: Type.Optional(Type.String({ minLength: 1, description: 'main class (Scala and Java jobs)' })),
  arguments: Type.Optional(Type.Array(Type.String(), { description: 'application arguments' })),
  sparkVersion: Pattern('^[3-9]\\.[0-9]+\\.[0-9]+$', 'Spark version of the image, such as 3.5.3 (3.0 or later: pod templates)'),
  schedule: Type.Optional(Pattern('^(@(hourly|daily|weekly|monthly|yearly)|(\\S+\\s+){4}\\S+)$', 'cron schedule with five fields, such as "0 2 * * *"; the job then runs as a ScheduledSparkApplication')),
  driver: SparkPodSchema('driver'),
  executor: Closed({
    instances: Type.Integer({ minimum: 1, maximum: 500, description: 'number of executors' }),
    cores: Type.Integer({ minimum: 1, maximum: 64, description: 'CPU cores per executor' }),
    memory: Pattern('^[1-9][0-9]*[kmgt]$', 'JVM heap per executor, such as 8g'),
  }, { description: 'the executors' }),
  azureStorage: Type.Optional(Type.Boolean({ description: 'the job reads or writes Azure Storage through the spark.identity (Workload Identity). Default: false' })),
  volumes: Type.Optional(NameMap(Closed({
    readOnly: Type.Optional(Type.Boolean({ description: 'mount read-only. Default: false' })),
    mountPath: Type.Optional(AbsolutePath('mount path; default: the volume mountPath')),
  }, { description: 'a shared volume mount' }), DNS_LABEL_PATTERN, 'shared volume names (keys of sharedVolumes.volumes)')),
  sparkConf: Type.Optional(Type.Record(Type.String({ pattern: '^spark\\.[-a-zA-Z0-9_.]+$' }), Type.String(), {
    additionalProperties: false,
    description: 'extra Spark properties (spark.*)',
  })),
}, { description: 'a Spark job run by the Spark operator' });

export const SharedVolumesSchema = Closed({
  storageClass: Closed({
    name: DnsLabel('name of the Azure Files storage class'),
    skuName: StringEnum(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Premium_LRS', 'Premium_ZRS'] as const, 'Azure Files SKU'),
    protocol: Type.Optional(StringEnum(['smb', 'nfs'] as const, 'file share protocol (nfs needs a Premium SKU). Default: smb')),
  }, { description: 'the Azure Files CSI storage class of the shared volumes' }),
  volumes: NameMap(Closed({
    namespace: DnsLabel('namespace of the claim (pods mount it from there)'),
    size: Quantity('size of the share'),
    mountPath: AbsolutePath('where pods mount the volume'),
  }, { description: 'a shared RWX volume' }), DNS_LABEL_PATTERN, 'volume names (DNS labels)'),
}, { description: 'shared ReadWriteMany volumes on Azure Files' });

/**
 * Names of Spark jobs, batch and streaming (each a SparkApplication): DNS labels of at most 40 characters, since
 * the operator derives pod and Service names from them.
 */
export const SPARK_JOB_NAME_PATTERN = '^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$';

export const DataProcessingSchema = Closed({
  network: DataProcessingNetworkSchema,
  hdfs: Type.Optional(HdfsSchema),
  spark: SparkSchema,
  jobs: Type.Optional(NameMap(SparkJobSchema, SPARK_JOB_NAME_PATTERN, 'Spark job names (DNS labels of at most 40 characters: pod and Service names are derived from them)')),
  sharedVolumes: Type.Optional(SharedVolumesSchema),
}, { description: 'data processing: Spark jobs (on Azure Storage through Workload Identity, and on HDFS when hdfs is set), HDFS, shared volumes' });

export type DataProcessingConfig = Static<typeof DataProcessingSchema>;
export type HdfsConfig = Static<typeof HdfsSchema>;
export type SparkConfig = Static<typeof SparkSchema>;
export type SparkJobConfig = Static<typeof SparkJobSchema>;
export type SharedVolumesConfig = Static<typeof SharedVolumesSchema>;

/** ServiceAccount of Spark drivers when the config names none. */
export const DEFAULT_SPARK_SERVICE_ACCOUNT = 'spark';

/** What the Spark operator install needs to agree with the data-processing section. */
export interface SparkOperatorSettings {
  /** Namespaces the operator watches (Helm value `spark.jobNamespaces`). */
  readonly jobNamespaces: readonly string[];
  /** ServiceAccount the jobs use; it and its Role are created by `SparkRbac`, so the chart must not create them. */
  readonly serviceAccountName: string;
}

/**
 * The Spark operator settings of a cluster's data-processing section, for the operator's HelmRelease:
 * `spark.jobNamespaces` = `jobNamespaces`, `spark.serviceAccount.create: false`, `spark.rbac.create: false`
 * (the ServiceAccount `serviceAccountName` and its Role come from `SparkRbac`).
 * Returns undefined when the cluster has no data-processing section.
 */
export function sparkOperatorSettings(section: DataProcessingConfig | undefined): SparkOperatorSettings | undefined {
  if (!section) return undefined;
  return {
    jobNamespaces: Object.keys(section.spark.namespaces).sort(),
    serviceAccountName: section.spark.serviceAccountName ?? DEFAULT_SPARK_SERVICE_ACCOUNT,
  };
}
