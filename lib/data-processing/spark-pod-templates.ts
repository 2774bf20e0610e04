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

function template(inputs: SparkPodTemplateInputs, containerName: string, podAffinity?: k8s.PodAffinity): { [key: string]: any } {
  const spec: k8s.PodTemplateSpec = {
    metadata: { labels: Object.keys(inputs.podLabels).length > 0 ? { ...inputs.podLabels } : undefined },
    spec: {
      nodeSelector: poolNodeSelector(inputs.nodePool),
      tolerations: poolTolerations(inputs.nodePool),
      affinity: { nodeAffinity: notOnSystemOrGpuNodes(), podAffinity },
      securityContext: nonRootPodSecurity(inputs.runAsUser),
      enableServiceLinks: false,
      containers: [{ name: containerName, securityContext: restrictedContainerSecurity() }],
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
