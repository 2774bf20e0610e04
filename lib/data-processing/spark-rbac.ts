import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import * as k8s from '../core/k8s';
import { isSystemOrGpuPool, NodePoolPlacement } from '../core/node-pool';
import { addSparkNetworkPolicies, HdfsClientAccess, SPARK_PORTS, SPARK_ROLE_LABEL, sparkJobFlows, SparkUiAccess } from './spark-network-policies';
import type { DeclaredFlow } from '../core/flows';
import { podTemplateFile, sparkPodTemplates, SparkPodTemplates } from './spark-pod-templates';
import { CoLocationTarget } from './hdfs-cluster';

export { HdfsClientAccess, SparkUiAccess, SPARK_PORTS, SPARK_ROLE_LABEL } from './spark-network-policies';
export { SparkPodTemplates, SPARK_CONTAINER_NAMES } from './spark-pod-templates';

/**
 * What the Spark driver needs in its namespace: executor pods, the driver's headless Service, ConfigMaps for
 * its configuration and pod templates, and on-demand PersistentVolumeClaims; with the verbs Spark (and the
 * Spark operator's own chart) use. Nothing else: no secrets, no wildcards, no other API groups.
 */
export const SPARK_DRIVER_RULES: readonly k8s.PolicyRule[] = [{
  apiGroups: [''],
  resources: ['configmaps', 'persistentvolumeclaims', 'pods', 'services'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
}];

/** Label that makes a client-mode driver pod the one its headless Service selects. */
export const SPARK_CLIENT_DRIVER_LABEL = 'platform.ml/spark-client-driver';

/** An identity whose ServiceAccount the Spark pods run as (a `PodIdentityBinding` fits). */
export interface SparkIdentity {
  /** Name of the ServiceAccount the identity created. */
  readonly serviceAccountName: string;
  /** Labels the pods need for the identity. */
  readonly podLabels: { readonly [key: string]: string };
}

/** Properties for `SparkRbac`. */
export interface SparkRbacProps {
  /** The Spark namespace. */
  readonly namespace: string;
  /** The pool that runs drivers and executors (a User pool without GPUs). */
  readonly nodePool: NodePoolPlacement;
  /**
   * Name of the ServiceAccount the drivers run as; created here unless `identity` is given.
   * @default 'spark'
   */
  readonly serviceAccountName?: string;
  /**
   * Azure identity of the Spark pods: its ServiceAccount is the drivers' ServiceAccount (bound to the Role,
   * not created again here) and its pod labels go into both pod templates.
   * @default - no identity; a plain ServiceAccount is created
   */
  readonly identity?: SparkIdentity;
  /**
   * Pods the driver must run next to (the HDFS namenode): required pod affinity in the driver template.
   * @default - no co-location
   */
  readonly coLocateDriverWith?: CoLocationTarget;
  /**
   * HDFS that drivers and executors may reach.
   * @default - no HDFS access
   */
  readonly hdfs?: HdfsClientAccess;
  /**
   * Address ranges of Azure Storage (or its private endpoints), reached over 443.
   * @default ['0.0.0.0/0']
   */
  readonly azureStorageCidrs?: readonly string[];
  /**
   * Who may open the Spark UI (4040) of the drivers.
   * @default - nobody
   */
  readonly uiAccessFrom?: SparkUiAccess;
  /**
   * Non-root user ID of the Spark images.
   * @default 185
   */
  readonly runAsUser?: number;
  /**
   * Add the headless Service a client-mode driver (a notebook or an Airflow worker) needs so executors reach it.
   * @default true
   */
  readonly clientModeService?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CIDR = /^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/;
const CLIENT_DRIVER_SERVICE = 'spark-client-driver';
const POD_TEMPLATES_CONFIG_MAP = 'spark-pod-templates';

/**
 * Everything a namespace needs to run Spark on Kubernetes, with the least privilege that works.
 *
 * A ServiceAccount (or the identity's), a namespaced Role with `SPARK_DRIVER_RULES` and its RoleBinding (never a
 * ClusterRole); a headless Service for a client-mode driver that selects only that driver; NetworkPolicies for
 * driver and executor traffic (7078, 7079), the UI (4040) from configured peers, the API server, HDFS and Azure
 * Storage; and driver and executor pod templates (placement, co-location, identity labels, restricted security)
 * as a ConfigMap for `spark-submit` and as `podTemplates` for the Spark operator.
 */
export class SparkRbac extends Construct {
  /** The Role (the default child). */
  public readonly resource: k8s.KubeRole;
  /** The Spark namespace. */
  public readonly namespace: string;
  /** ServiceAccount the drivers (and executors) run as. */
  public readonly serviceAccountName: string;
  /** The ServiceAccount, unless it comes from the identity. */
  public readonly serviceAccount?: k8s.KubeServiceAccount;
  /** The RoleBinding. */
  public readonly roleBinding: k8s.KubeRoleBinding;
  /** The driver and executor pod templates. */
  public readonly podTemplates: SparkPodTemplates;
  /** The ConfigMap with `driver.yaml` and `executor.yaml` for `spark.kubernetes.{driver,executor}.podTemplateFile`. */
  public readonly podTemplatesConfigMap: k8s.KubeConfigMap;
  /** The NetworkPolicies. */
  public readonly networkPolicies: readonly k8s.KubeNetworkPolicy[];
  /** The flows the namespace's jobs need (each `SparkJob` declares them; the policies allow them). */
  public readonly jobFlows: readonly DeclaredFlow[];
  /**
   * The pod template of a client-mode driver (`client-driver.yaml` in the pod-templates ConfigMap): the driver
   * template plus `clientModeDriverLabels` (`spark-role: driver`, `platform.ml/spark-client-driver`), when the
   * client-mode Service is enabled.
   */
  public readonly clientDriverPodTemplate?: { readonly [key: string]: any };
  /** The client-mode driver Service, when enabled. */
  public readonly clientModeService?: k8s.KubeService;

  constructor(scope: Construct, id: string, props: SparkRbacProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.serviceAccountName = props.identity?.serviceAccountName ?? props.serviceAccountName ?? 'spark';
    this.validateProps(id, props);
    const namespace = this.namespace;

    if (!props.identity) {
      this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
        metadata: { name: this.serviceAccountName, namespace },
        automountServiceAccountToken: true,
      });
    }
    this.resource = new k8s.KubeRole(this, 'Resource', {
      metadata: { name: 'spark-driver', namespace },
      rules: SPARK_DRIVER_RULES.map((rule) => ({ ...rule, apiGroups: [...rule.apiGroups!], resources: [...rule.resources!], verbs: [...rule.verbs] })),
    });
    this.roleBinding = new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: { name: 'spark-driver', namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.resource.name },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace }],
    });

    this.podTemplates = sparkPodTemplates({
      nodePool: props.nodePool,
      runAsUser: props.runAsUser ?? 185,
      podLabels: props.identity?.podLabels ?? {},
      coLocateDriverWith: props.coLocateDriverWith,
    });
    const dump = (template: object) => yaml.dump(podTemplateFile(template), { lineWidth: -1, noRefs: true, sortKeys: true });
    const clientMode = props.clientModeService ?? true;
    if (clientMode) {
      // A client-mode driver (a notebook or an Airflow worker) is a pod Spark does not create: it must carry the
      // labels the headless driver Service selects. `client-driver.yaml` is the driver template with them.
      const template = JSON.parse(JSON.stringify(this.podTemplates.driver));
      template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), ...this.clientModeDriverLabels } };
      this.clientDriverPodTemplate = template;
    }
    this.podTemplatesConfigMap = new k8s.KubeConfigMap(this, 'pod-templates', {
      metadata: { name: POD_TEMPLATES_CONFIG_MAP, namespace },
      data: {
        'driver.yaml': dump(this.podTemplates.driver),
        'executor.yaml': dump(this.podTemplates.executor),
        ...(this.clientDriverPodTemplate ? { 'client-driver.yaml': dump(this.clientDriverPodTemplate) } : {}),
      },
    });

    const network = {
      namespace,
      azureStorageCidrs: props.azureStorageCidrs ?? ['0.0.0.0/0'],
      hdfs: props.hdfs,
      uiAccessFrom: props.uiAccessFrom,
    };
    this.networkPolicies = addSparkNetworkPolicies(this, network);
    this.jobFlows = sparkJobFlows(network);

    if (clientMode) {
      this.clientModeService = new k8s.KubeService(this, 'client-driver-service', {
        metadata: { name: CLIENT_DRIVER_SERVICE, namespace },
        spec: {
          clusterIp: 'None',
          selector: this.clientModeDriverLabels,
          ports: [
            { name: 'driver-rpc-port', port: SPARK_PORTS.driverRpc, targetPort: k8s.IntOrString.fromNumber(SPARK_PORTS.driverRpc) },
            { name: 'blockmanager', port: SPARK_PORTS.blockManager, targetPort: k8s.IntOrString.fromNumber(SPARK_PORTS.blockManager) },
            { name: 'spark-ui', port: SPARK_PORTS.ui, targetPort: k8s.IntOrString.fromNumber(SPARK_PORTS.ui) },
          ],
        },
      });
    }
  }

  /** Labels a client-mode driver pod must carry: the Service selects only the pod with both. */
  public get clientModeDriverLabels(): { readonly [key: string]: string } {
    return { [SPARK_ROLE_LABEL]: 'driver', [SPARK_CLIENT_DRIVER_LABEL]: CLIENT_DRIVER_SERVICE };
  }

  /**
   * Spark properties of a client-mode driver in this namespace, to use together with `clientModeDriverLabels`.
   * @param driverPodName name of the driver pod, so executors get it as owner and are deleted with it
   */
  public clientModeSparkConf(driverPodName: string): { readonly [key: string]: string } {
    return {
      'spark.driver.host': `${CLIENT_DRIVER_SERVICE}.${this.namespace}.svc`,
      'spark.driver.port': String(SPARK_PORTS.driverRpc),
      'spark.driver.blockManager.port': String(SPARK_PORTS.blockManager),
      'spark.driver.bindAddress': '0.0.0.0',
      'spark.kubernetes.driver.pod.name': driverPodName,
      'spark.kubernetes.namespace': this.namespace,
      'spark.kubernetes.authenticate.driver.serviceAccountName': this.serviceAccountName,
      'spark.kubernetes.executor.podTemplateFile': '/opt/spark/conf/pod-templates/executor.yaml',
    };
  }

  private validateProps(id: string, props: SparkRbacProps): void {
    const prefix = `SparkRbac '${id}'`;
    const fail = (message: string) => { throw new Error(`${prefix}: ${message}`); };
    for (const [prop, value] of [['namespace', props.namespace], ['serviceAccountName', this.serviceAccountName]] as const) {
      if (!DNS_LABEL.test(value)) fail(`'${prop}' ("${value}") must be a DNS label: lowercase letters, digits and '-', at most 63 characters`);
    }
    if (props.identity && props.serviceAccountName !== undefined && props.serviceAccountName !== props.identity.serviceAccountName) {
      fail(`'serviceAccountName' (${props.serviceAccountName}) and 'identity' (ServiceAccount ${props.identity.serviceAccountName}) are mutually exclusive; the identity's ServiceAccount is the drivers' ServiceAccount`);
    }
    if (isSystemOrGpuPool(props.nodePool)) {
      fail(`'nodePool' (${props.nodePool.name}) is a ${props.nodePool.mode === 'System' ? 'System' : 'GPU'} pool; run Spark on a User pool without GPUs`);
    }
    const cidrs = [
      ...(props.azureStorageCidrs ?? []).map((cidr) => ['azureStorageCidrs', cidr]),
      ...(props.hdfs?.nodeCidrs ?? []).map((cidr) => ['hdfs.nodeCidrs', cidr]),
      ...(props.uiAccessFrom?.cidrs ?? []).map((cidr) => ['uiAccessFrom.cidrs', cidr]),
    ];
    for (const [prop, cidr] of cidrs) {
      if (!CIDR.test(cidr)) fail(`'${prop}' ("${cidr}") is not an IPv4 CIDR; use a value such as 10.224.0.0/16`);
    }
    if (props.hdfs && (props.hdfs.nodeCidrs.length === 0 || props.hdfs.ports.length === 0)) {
      fail('\'hdfs\' needs at least one node CIDR and one port; pass HdfsCluster.clientPorts and the node subnet');
    }
    if (props.runAsUser !== undefined && (!Number.isInteger(props.runAsUser) || props.runAsUser < 1)) {
      fail(`'runAsUser' (${props.runAsUser}) must be a non-root user ID (a whole number >= 1)`);
    }
  }
}
