/** Spark driver and executor pod templates: placement, co-location with the namenode, identity labels, security. */
import { nonRootPodSecurity, restrictedContainerSecurity } from '../core/container-security';
import * as k8s from '../core/k8s';
import { notOnSystemOrGpuNodes, NodePoolPlacement, poolNodeSelector, poolTolerations, preferredCoLocation } from '../core/node-pool';

/** Container names Spark gives its pods; a template's container of that name receives the Spark settings. */
export const SPARK_CONTAINER_NAMES = { driver: 'spark-kubernetes-driver', executor: 'spark-kubernetes-executor' } as const;

/** Driver and executor pod templates as plain JSON (`metadata` + `spec` of a pod). */
export interface SparkPodTemplates {
  /** The driver's pod template. */
  readonly driver: { readonly [key: string]: any };
  /** The executors' pod template. */
  readonly executor: { readonly [key: string]: any };
}

/** What the templates are built from. */
export interface SparkPodTemplateInputs {
  readonly nodePool: NodePoolPlacement;
  readonly runAsUser: number;
  readonly podLabels: { readonly [key: string]: string };
  readonly coLocateDriverWith?: { readonly namespace: string; readonly labels: { readonly [key: string]: string } };
}

/**
 * Writable folders of a Spark pod whose root file system is read-only (apache/spark images, Spark 3.x/4.x):
 * - /tmp: the JVM (hsperfdata), spark-submit in the driver (spark-* upload folders) and PySpark workers;
 * - /opt/spark/work-dir: the image's WORKDIR (resource-managers/kubernetes/docker/.../Dockerfile: `WORKDIR
 *   /opt/spark/work-dir`, made group-writable), where executors fetch the job's files (SparkFiles root on
 *   executors is the working directory).
 * Spark itself adds an emptyDir for its local directories (`spark-local-dir-1`, SPARK_LOCAL_DIRS), and the
 * entrypoint only appends to /etc/passwd when it is writable (`[ -w /etc/passwd ]`), so a read-only root is fine.
 */
export const SPARK_WRITABLE_PATHS: { readonly [volume: string]: string } = { 'spark-tmp': '/tmp', 'spark-work-dir': '/opt/spark/work-dir' };

function template(inputs: SparkPodTemplateInputs, containerName: string, podAffinity?: k8s.PodAffinity): { [key: string]: any } {
  const spec: k8s.PodTemplateSpec = {
    metadata: { labels: Object.keys(inputs.podLabels).length > 0 ? { ...inputs.podLabels } : undefined },
    spec: {
      nodeSelector: poolNodeSelector(inputs.nodePool),
      tolerations: poolTolerations(inputs.nodePool),
      affinity: { nodeAffinity: notOnSystemOrGpuNodes(), podAffinity },
      securityContext: nonRootPodSecurity(inputs.runAsUser),
      enableServiceLinks: false,
      containers: [{
        name: containerName,
        securityContext: restrictedContainerSecurity({ readOnlyRootFilesystem: true }),
        volumeMounts: Object.entries(SPARK_WRITABLE_PATHS).map(([name, mountPath]) => ({ name, mountPath })),
      }],
      volumes: Object.keys(SPARK_WRITABLE_PATHS).map((name) => ({ name, emptyDir: {} })),
    },
  };
  return k8s.toJson_PodTemplateSpec(spec)!;
}

/**
 * The driver template (with preferred pod affinity onto the co-location target's node: locality when it fits,
 * never a Pending driver because one node is full) and the executor template.
 */
export function sparkPodTemplates(inputs: SparkPodTemplateInputs): SparkPodTemplates {
  const driverAffinity = inputs.coLocateDriverWith ? preferredCoLocation(inputs.coLocateDriverWith) : undefined;
  return {
    driver: template(inputs, SPARK_CONTAINER_NAMES.driver, driverAffinity),
    executor: template(inputs, SPARK_CONTAINER_NAMES.executor),
  };
}

/** A pod template as the YAML file `spark.kubernetes.{driver,executor}.podTemplateFile` reads (a Pod). */
export function podTemplateFile(podTemplate: { readonly [key: string]: any }): object {
  return { apiVersion: 'v1', kind: 'Pod', ...podTemplate };
}
