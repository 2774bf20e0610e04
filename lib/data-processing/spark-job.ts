import { ApiObject } from 'cdk8s';
import { DeclaredFlow, declareFlow } from '../core/flows';
import { Construct } from 'constructs';
import * as spark from '../../imports/sparkoperator.k8s.io';
import { RERUN_ANNOTATION } from '../core/labels';
import { SPARK_PORTS } from './spark-network-policies';
import { SparkPodTemplates } from './spark-pod-templates';
import { SharedVolumeMount } from './shared-volume';

/** Application languages, each value as the SparkApplication `type` field spells it. */
export enum SparkApplicationType {
  /** PySpark. */
  PYTHON = 'Python',
  /** Scala (needs `mainClass`). */
  SCALA = 'Scala',
  /** Java (needs `mainClass`). */
  JAVA = 'Java',
  /** SparkR. */
  R = 'R',
}

/** Size of the driver. */
export interface SparkDriverProps {
  /** CPU cores (request and limit). */
  readonly cores: number;
  /** JVM heap in Spark's notation, such as `2g` (Spark adds the memory overhead to the pod). */
  readonly memory: string;
}

/** Size and number of the executors. */
export interface SparkExecutorProps extends SparkDriverProps {
  /** Number of executors. */
  readonly instances: number;
}

/** Properties for `SparkJob`. */
export interface SparkJobProps {
  /** Name of the SparkApplication (at most 40 characters: pod and Service names are derived from it). */
  readonly name: string;
  /** Spark namespace of the job. */
  readonly namespace: string;
  /** Application language. */
  readonly type: SparkApplicationType;
  /** Spark image. */
  readonly image: string;
  /** Main application file, such as `local:///opt/app/job.py`. */
  readonly mainApplicationFile: string;
  /** Spark version of the image (3.0 or later, for pod templates). */
  readonly sparkVersion: string;
  /** The driver. */
  readonly driver: SparkDriverProps;
  /** The executors. */
  readonly executor: SparkExecutorProps;
  /** ServiceAccount of driver and executors (`SparkRbac.serviceAccountName`). */
  readonly serviceAccountName: string;
  /** Driver and executor pod templates (`SparkRbac.podTemplates`): placement, co-location, identity labels. */
  readonly podTemplates: SparkPodTemplates;
  /**
   * Network flows the job's pods need (`SparkRbac.jobFlows`), declared for the verifier's network-flows rule.
   * @default - none
   */
  readonly networkFlows?: readonly DeclaredFlow[];
  /**
   * Main class (Scala and Java).
   * @default - none
   */
  readonly mainClass?: string;
  /**
   * Application arguments.
   * @default - none
   */
  readonly arguments?: readonly string[];
  /**
   * Cron schedule (five fields or a macro such as `@daily`): the job becomes a ScheduledSparkApplication.
   * @default - runs once, as a SparkApplication
   */
  readonly schedule?: string;
  /**
   * Hadoop properties, such as `fs.defaultFS` of an `HdfsCluster` or `SparkJob.workloadIdentityHadoopConf()`.
   * @default - none
   */
  readonly hadoopConf?: { readonly [name: string]: string };
  /**
   * Extra Spark properties (`spark.*`); the driver and block manager ports are set by the job.
   * @default - none
   */
  readonly sparkConf?: { readonly [name: string]: string };
  /**
   * Shared volumes mounted into driver and executors (`SharedVolume.mount()`).
   * @default - none
   */
  readonly volumes?: readonly SharedVolumeMount[];
  /**
   * Seconds a finished application is kept before the operator deletes it. Only for scheduled jobs (the
   * operator deletes the runs, which are not in Git); on a one-shot SparkApplication Flux would re-create the
   * deleted object and the job would run again (the verifier reports it).
   * @default - 86400 for scheduled jobs; never for one-shot jobs and for restart policy Always (never finished)
   */
  readonly timeToLiveSeconds?: number;
  /**
   * `OnFailure`: a batch job, retried twice. `Always`: a long-running application (Structured Streaming) that the
   * operator resubmits whenever it ends, with a linear back-off of attempts x the retry interval
   * (spark-operator v2.5.2 pkg/util/sparkapplication.go ShouldRetry and TimeUntilNextRetryDue); not with a schedule.
   * @default 'OnFailure'
   */
  readonly restartPolicy?: 'OnFailure' | 'Always';
}

const JOB_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
const SPARK_MEMORY = /^[1-9][0-9]*[kmgt]$/;
const CRON = /^(@(hourly|daily|weekly|monthly|yearly)|(\S+\s+){4}\S+)$/;
/** Spark properties the job fixes (the namespace's NetworkPolicies open exactly these ports). */
export const MANAGED_SPARK_CONF = ['spark.driver.port', 'spark.driver.blockManager.port', 'spark.blockManager.port'];

/**
 * A Spark job run by the Spark operator: a `SparkApplication` (`sparkoperator.k8s.io/v1beta2`), or a
 * `ScheduledSparkApplication` when it has a schedule. Driver and executors use the namespace's ServiceAccount
 * and pod templates (so the driver lands on the namenode's node, both stay on the Spark pool, and both carry
 * the identity labels), fixed Spark ports that the namespace's NetworkPolicies allow, CPU limits equal to the
 * cores, and the shared volumes. Bind an identity afterwards with `PodIdentityBinding.bind(job.resource)`.
 */
export class SparkJob extends Construct {
  /**
   * Hadoop properties for ABFS (ADLS Gen2) with Azure Workload Identity: the token the webhook projects is
   * exchanged for the managed identity's token.
   */
  public static workloadIdentityHadoopConf(clientId: string, tenantId: string): { readonly [name: string]: string } {
    return {
      'fs.azure.account.auth.type': 'OAuth',
      'fs.azure.account.oauth.provider.type': 'org.apache.hadoop.fs.azurebfs.oauth2.WorkloadIdentityTokenProvider',
      'fs.azure.account.oauth2.client.id': clientId,
      'fs.azure.account.oauth2.msi.tenant': tenantId,
      // Hadoop Configuration expands ${env.NAME} (apache/hadoop Configuration.substituteVars, 3.0+); the webhook sets
      // AZURE_FEDERATED_TOKEN_FILE in every container, and its path moved in v1.6.0 (azure-workload-identity pkg/webhook/consts.go).
      'fs.azure.account.oauth2.token.file': '${env.AZURE_FEDERATED_TOKEN_FILE}',
    };
  }

  /**
   * Hadoop properties for ABFS with a managed identity through the instance metadata endpoint (`MsiTokenProvider`),
   * for the legacy aad-pod-identity mode: NMI answers the driver's and executors' IMDS calls with the token of the
   * identity bound to their `aadpodidbinding` label; there is no projected token file there, so the Workload Identity
   * provider would fail. The client ID selects the identity when a node holds several (hadoop-azure abfs.md, "Azure
   * Managed Identity": fs.azure.account.oauth2.msi.tenant / .client.id, endpoint default
   * http://169.254.169.254/metadata/identity/oauth2/token).
   */
  public static managedIdentityHadoopConf(clientId: string, tenantId: string): { readonly [name: string]: string } {
    return {
      'fs.azure.account.auth.type': 'OAuth',
      'fs.azure.account.oauth.provider.type': 'org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider',
      'fs.azure.account.oauth2.client.id': clientId,
      'fs.azure.account.oauth2.msi.tenant': tenantId,
    };
  }

  /** The SparkApplication or ScheduledSparkApplication (the default child). */
  public readonly resource: ApiObject;
  /** Name of the application. */
  public readonly name: string;
  /** Namespace of the application. */
  public readonly namespace: string;
  /** True when the job runs on a schedule. */
  public readonly scheduled: boolean;

  constructor(scope: Construct, id: string, props: SparkJobProps) {
    super(scope, id);
    this.validateProps(id, props);
    this.name = props.name;
    this.namespace = props.namespace;
    this.scheduled = props.schedule !== undefined;
    for (const flow of props.networkFlows ?? []) declareFlow(this, flow);
    const metadata = { name: props.name, namespace: props.namespace };
    const template = this.applicationSpec(props);
    if (props.schedule === undefined) {
      // A long-running application (restart policy Always) never finishes, so it needs no way to run again.
      const annotations = props.restartPolicy === 'Always' ? undefined : { [RERUN_ANNOTATION]: `a finished SparkApplication stays finished: to run it again, delete it (kubectl delete sparkapplication ${props.name} -n ${props.namespace}) and Flux re-creates it at its next reconcile, or give it a schedule` };
      this.resource = new spark.SparkApplication(this, 'Resource', { metadata: { ...metadata, annotations }, spec: template });
    } else {
      this.resource = new spark.ScheduledSparkApplication(this, 'Resource', {
        metadata,
        spec: {
          schedule: props.schedule,
          concurrencyPolicy: 'Forbid',
          successfulRunHistoryLimit: 3,
          failedRunHistoryLimit: 3,
          // The two generated spec types are the same schema under different names.
          template: template as unknown as spark.ScheduledSparkApplicationSpecTemplate,
        },
      });
    }
  }

  private applicationSpec(props: SparkJobProps): spark.SparkApplicationSpec {
    const volumes = props.volumes ?? [];
    return {
      type: props.type as string as spark.SparkApplicationSpecType,
      mode: spark.SparkApplicationSpecMode.CLUSTER,
      sparkVersion: props.sparkVersion,
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      mainApplicationFile: props.mainApplicationFile,
      mainClass: props.mainClass,
      arguments: props.arguments ? [...props.arguments] : undefined,
      sparkConf: {
        ...props.sparkConf,
        'spark.driver.port': String(SPARK_PORTS.driverRpc),
        'spark.driver.blockManager.port': String(SPARK_PORTS.blockManager),
        'spark.blockManager.port': String(SPARK_PORTS.blockManager),
      },
      hadoopConf: props.hadoopConf ? { ...props.hadoopConf } : undefined,
      restartPolicy: props.restartPolicy === 'Always'
        ? {
          type: spark.SparkApplicationSpecRestartPolicyType.ALWAYS,
          onFailureRetryInterval: 30,
          onSubmissionFailureRetryInterval: 60,
        }
        : {
          type: spark.SparkApplicationSpecRestartPolicyType.ON_FAILURE,
          onFailureRetries: 2,
          onFailureRetryInterval: 60,
          onSubmissionFailureRetries: 3,
          onSubmissionFailureRetryInterval: 60,
        },
      timeToLiveSeconds: props.restartPolicy === 'Always' ? undefined : props.timeToLiveSeconds ?? (props.schedule === undefined ? undefined : 86400),
      driver: {
        cores: props.driver.cores,
        coreLimit: String(props.driver.cores),
        memory: props.driver.memory,
        memoryOverhead: `${memoryOverheadMiB(props.type, props.driver.memory)}m`,
        serviceAccount: props.serviceAccountName,
        template: podTemplate(props.podTemplates.driver, volumes, props.type, props.driver),
      },
      executor: {
        instances: props.executor.instances,
        cores: props.executor.cores,
        coreLimit: String(props.executor.cores),
        memory: props.executor.memory,
        memoryOverhead: `${memoryOverheadMiB(props.type, props.executor.memory)}m`,
        serviceAccount: props.serviceAccountName,
        template: podTemplate(props.podTemplates.executor, volumes, props.type, props.executor),
      },
    };
  }

  private validateProps(id: string, props: SparkJobProps): void {
    const prefix = `SparkJob '${id}'`;
    const fail = (message: string) => { throw new Error(`${prefix}: ${message}`); };
    if (!JOB_NAME.test(props.name)) {
      fail(`'name' ("${props.name}") must be a DNS label of at most 40 characters starting with a letter; Spark derives pod and Service names (<name>-<run>-driver, <name>-ui-svc) from it`);
    }
    if (!/^[3-9]\.[0-9]+\.[0-9]+$/.test(props.sparkVersion)) fail(`'sparkVersion' ("${props.sparkVersion}") must be a Spark version of 3.0.0 or later (pod templates need Spark 3)`);
    if ((props.type === SparkApplicationType.SCALA || props.type === SparkApplicationType.JAVA) && !props.mainClass) {
      fail(`'mainClass' is required for a ${props.type} application`);
    }
    for (const [prop, size] of [['driver', props.driver], ['executor', props.executor]] as const) {
      if (!Number.isInteger(size.cores) || size.cores < 1) fail(`'${prop}.cores' (${size.cores}) must be a whole number >= 1`);
      if (!SPARK_MEMORY.test(size.memory)) fail(`'${prop}.memory' ("${size.memory}") must be a JVM size such as 512m or 4g`);
    }
    if (!Number.isInteger(props.executor.instances) || props.executor.instances < 1) fail(`'executor.instances' (${props.executor.instances}) must be a whole number >= 1`);
    if (props.restartPolicy === 'Always' && props.schedule !== undefined) fail(`'restartPolicy' Always runs the application forever; it cannot also have a 'schedule' ("${props.schedule}")`);
    if (props.restartPolicy === 'Always' && props.timeToLiveSeconds !== undefined) fail(`'timeToLiveSeconds' (${props.timeToLiveSeconds}) would delete a long-running application; remove it with restart policy Always`);
    if (props.schedule !== undefined && !CRON.test(props.schedule.trim())) fail(`'schedule' ("${props.schedule}") must be a cron expression with five fields, such as "0 2 * * *", or a macro such as @daily`);
    const clash = Object.keys(props.sparkConf ?? {}).filter((key) => MANAGED_SPARK_CONF.includes(key));
    if (clash.length > 0) fail(`'sparkConf' sets ${clash.join(', ')}, which the job fixes so the namespace's NetworkPolicies match; remove them`);
    const paths = (props.volumes ?? []).map((volume) => volume.mountPath);
    const names = (props.volumes ?? []).map((volume) => volume.volumeName);
    if (new Set(paths).size !== paths.length || new Set(names).size !== names.length) {
      fail(`'volumes' (${names.join(', ')}) mounts a volume or a path twice`);
    }
  }
}

const MIB_PER_UNIT: { readonly [unit: string]: number } = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/** A JVM size (`512m`, `4g`) in MiB, rounded up. */
function sparkMemoryMiB(size: string): number {
  return Math.ceil(Number(size.slice(0, -1)) * MIB_PER_UNIT[size.slice(-1)]);
}

/**
 * Memory Spark adds to the heap for the pod: Spark's own default (10% for JVM applications, 40% for Python and
 * R, at least 384 MiB), set explicitly so the pod size is known here and written into the template.
 */
function memoryOverheadMiB(type: SparkApplicationType, memory: string): number {
  const factor = type === SparkApplicationType.PYTHON || type === SparkApplicationType.R ? 0.4 : 0.1;
  return Math.max(384, Math.ceil(sparkMemoryMiB(memory) * factor));
}

/** Memory of a Spark pod (heap plus overhead, what `podTemplate` sets as request and limit), in MiB. */
export function sparkPodMemoryMiB(type: SparkApplicationType, memory: string): number {
  return sparkMemoryMiB(memory) + memoryOverheadMiB(type, memory);
}

/**
 * A copy of a pod template with the shared volumes added to the pod, and the volume mounts and resources added
 * to its (first, Spark's) container. The resources are the ones Spark sets itself (cores as CPU request and
 * limit, heap plus overhead as memory request and limit), so the manifest shows what the pod will get.
 */
function podTemplate(template: { readonly [key: string]: any }, volumes: readonly SharedVolumeMount[], type: SparkApplicationType, size: SparkDriverProps): { [key: string]: any } {
  const copy = JSON.parse(JSON.stringify(template));
  const container = copy.spec.containers[0];
  const memory = `${sparkPodMemoryMiB(type, size.memory)}Mi`;
  container.resources = { requests: { cpu: String(size.cores), memory }, limits: { cpu: String(size.cores), memory } };
  if (volumes.length === 0) return copy;
  copy.spec.volumes = [...(copy.spec.volumes ?? []), ...volumes.map((v) => ({ name: v.volumeName, persistentVolumeClaim: { claimName: v.claimName } }))];
  container.volumeMounts = [...(container.volumeMounts ?? []), ...volumes.map((v) => ({ name: v.volumeName, mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) }))];
  return copy;
}
