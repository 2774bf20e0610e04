import { Construct } from 'constructs';
import { declareFlows } from '../core/flows';
import { ContainerResources } from '../core/container-security';
import { configChecksum, HDFS_PORTS, managedCoreSite, managedHdfsSite, renderSiteFiles, HdfsSiteInputs } from './hdfs-config';
import { dataNodePodSpec, HdfsPodInputs, nameNodePodSpec, NAME_VOLUME, smokeTestPodSpec } from './hdfs-pods';
import * as k8s from '../core/k8s';
import { RERUN_ANNOTATION } from '../core/labels';
import { isSystemOrGpuPool, NodePoolPlacement, preferredCoLocation } from '../core/node-pool';
import { isQuantity, parseQuantity } from '../core/quantity';
import { declareFolderPlacement } from '../core/folder-placement';

/** Pod annotation with the SHA-256 of the Hadoop configuration: a change rolls the pods. */
export const HDFS_CONFIG_CHECKSUM_ANNOTATION = 'platform.ml/hdfs-config-checksum';

/** Properties of the namenode of an `HdfsCluster`. */
export interface HdfsNameNodeProps {
  /** Storage class of the metadata volume, such as `managed-csi-premium`. */
  readonly storageClassName: string;
  /** Size of the metadata volume, such as `64Gi`. */
  readonly storageSize: string;
  /**
   * Requests and limits of the namenode container.
   * @default - 1 CPU and 4Gi requested, 2 CPUs and 4Gi limit
   */
  readonly resources?: ContainerResources;
}

/** Properties of the datanodes of an `HdfsCluster`. */
export interface HdfsDataNodeProps {
  /** Node directories that hold HDFS blocks (hostPath), such as the local NVMe or temp disk. */
  readonly dataDirectories: readonly string[];
  /**
   * Requests and limits of each datanode container.
   * @default - 500m CPU and 2Gi requested, 2 CPUs and 2Gi limit
   */
  readonly resources?: ContainerResources;
}

/** Properties for `HdfsCluster`. */
export interface HdfsClusterProps {
  /** Namespace of every HDFS object; it must run at Pod Security level privileged (hostNetwork, hostPath). */
  readonly namespace: string;
  /** Hadoop 3 image with the `hdfs` command, such as `apache/hadoop:3.4.1`. */
  readonly image: string;
  /** The pool that runs the namenode and one datanode per node: a User pool without GPUs. */
  readonly nodePool: NodePoolPlacement;
  /** The namenode. */
  readonly nameNode: HdfsNameNodeProps;
  /** The datanodes. */
  readonly dataNodes: HdfsDataNodeProps;
  /**
   * Prefix of every object name (`<name>-namenode`, `<name>-datanode`, `<name>-config`) and the HDFS cluster ID.
   * @default 'hdfs'
   */
  readonly name?: string;
  /**
   * Block replication (`dfs.replication`); at most the pool's minimum node count.
   * @default 3
   */
  readonly replication?: number;
  /**
   * Cluster DNS domain, part of `fs.defaultFS`.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Extra `core-site.xml` properties; properties the construct sets (`fs.defaultFS`) are refused.
   * @default - none
   */
  readonly coreSite?: { readonly [name: string]: string };
  /**
   * Extra `hdfs-site.xml` properties; properties the construct sets (replication, directories, addresses) are refused.
   * @default - none
   */
  readonly hdfsSite?: { readonly [name: string]: string };
  /**
   * User ID the image runs Hadoop as (the `hadoop` user of the apache/hadoop images).
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * Hadoop configuration directory of the image, where the site files are mounted.
   * @default '/opt/hadoop/etc/hadoop'
   */
  readonly confDir?: string;
  /**
   * Add a Job that writes a file and reports which datanode served the read (needs `nodeCidrs`).
   * @default false
   */
  readonly smokeTest?: boolean;
  /**
   * Address ranges of the nodes (HDFS listens on node addresses); the smoke test's NetworkPolicy allows them.
   * @default - none (required with `smokeTest`)
   */
  readonly nodeCidrs?: readonly string[];
}

/** Which pods a workload should run next to: a namespace and a label selector. */
export interface CoLocationTarget {
  /** Namespace of the target pods. */
  readonly namespace: string;
  /** Labels that select the target pods. */
  readonly labels: { readonly [key: string]: string };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Namenode resources when the config sets none. */
export const DEFAULT_NAME_NODE_RESOURCES: ContainerResources = { request: { cpu: '1', memory: '4Gi' }, limit: { cpu: '2', memory: '4Gi' } };
/** Datanode resources when the config sets none. */
export const DEFAULT_DATA_NODE_RESOURCES: ContainerResources = { request: { cpu: '500m', memory: '2Gi' }, limit: { cpu: '2', memory: '2Gi' } };

/**
 * HDFS on Kubernetes for Spark jobs that read local blocks.
 *
 * A single namenode (StatefulSet, metadata on a PersistentVolumeClaim, headless Service that publishes
 * not-ready addresses, PodDisruptionBudget) and one datanode per node of a User pool (DaemonSet). Both use
 * hostNetwork so the namenode sees node addresses and can hand clients the datanode on their own node. The
 * site files are rendered into a ConfigMap; a checksum annotation rolls the pods when they change.
 *
 * Clients read `defaultFs`, and run next to the namenode with `coLocationAffinity()` (pod affinity on the
 * short-lived Spark driver towards the long-lived namenode, same `kubernetes.io/hostname`).
 */
export class HdfsCluster extends Construct {
  /** The namenode StatefulSet (the default child). */
  public readonly resource: k8s.KubeStatefulSet;
  /** Namespace of the HDFS objects. */
  public readonly namespace: string;
  /** Prefix of the object names and the HDFS cluster ID. */
  public readonly name: string;
  /** Block replication. */
  public readonly replication: number;
  /** `fs.defaultFS`: `hdfs://<namenode-0>.<service>.<namespace>.svc.<domain>:8020`. */
  public readonly defaultFs: string;
  /** Labels of the namenode pod. */
  public readonly nameNodeLabels: { readonly [key: string]: string };
  /** Ports HDFS clients connect to on node addresses (namenode RPC, datanode block transfer). */
  public readonly clientPorts: readonly number[];
  /** The headless namenode Service. */
  public readonly nameNodeService: k8s.KubeService;
  /** The ConfigMap with `core-site.xml` and `hdfs-site.xml`. */
  public readonly config: k8s.KubeConfigMap;
  /** The datanode DaemonSet. */
  public readonly dataNodes: k8s.KubeDaemonSet;
  /** The namenode's PodDisruptionBudget. */
  public readonly nameNodeDisruptionBudget: k8s.KubePodDisruptionBudget;
  /** The smoke-test Job, when enabled. */
  public readonly smokeTest?: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: HdfsClusterProps) {
    super(scope, id);
    declareFolderPlacement(this, 'service');
    this.namespace = props.namespace;
    this.name = props.name ?? 'hdfs';
    this.replication = props.replication ?? 3;
    this.validateProps(id, props);

    const namespace = this.namespace;
    const serviceName = `${this.name}-namenode`;
    const nameNodeHost = `${serviceName}-0.${serviceName}.${namespace}.svc.${props.clusterDomain ?? 'cluster.local'}`;
    this.defaultFs = `hdfs://${nameNodeHost}:${HDFS_PORTS.nameNodeRpc}`;
    this.clientPorts = [HDFS_PORTS.nameNodeRpc, HDFS_PORTS.dataNodeData];
    const labels = (component: string) => ({ 'app.kubernetes.io/name': 'hdfs', 'app.kubernetes.io/instance': this.name, 'app.kubernetes.io/component': component });
    this.nameNodeLabels = labels('namenode');

    const files = renderSiteFiles(this.siteInputs(props, nameNodeHost));
    const checksum = { [HDFS_CONFIG_CHECKSUM_ANNOTATION]: configChecksum(files) };
    this.config = new k8s.KubeConfigMap(this, 'config', { metadata: { name: `${this.name}-config`, namespace }, data: files });

    const pods: HdfsPodInputs = {
      image: props.image,
      uid: props.runAsUser ?? 1000,
      confDir: props.confDir ?? '/opt/hadoop/etc/hadoop',
      configMapName: this.config.name,
      nodePool: props.nodePool,
      clusterId: this.name,
    };

    this.nameNodeService = new k8s.KubeService(this, 'namenode-service', {
      metadata: { name: serviceName, namespace, labels: this.nameNodeLabels },
      spec: {
        clusterIp: 'None',
        publishNotReadyAddresses: true,
        selector: this.nameNodeLabels,
        ports: [
          { name: 'rpc', port: HDFS_PORTS.nameNodeRpc, targetPort: k8s.IntOrString.fromNumber(HDFS_PORTS.nameNodeRpc) },
          { name: 'http', port: HDFS_PORTS.nameNodeHttp, targetPort: k8s.IntOrString.fromNumber(HDFS_PORTS.nameNodeHttp) },
        ],
      },
    });

    this.resource = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: serviceName, namespace, labels: this.nameNodeLabels },
      spec: {
        serviceName,
        replicas: 1,
        selector: { matchLabels: this.nameNodeLabels },
        template: {
          metadata: { labels: this.nameNodeLabels, annotations: checksum },
          spec: nameNodePodSpec(pods, props.nameNode.resources ?? DEFAULT_NAME_NODE_RESOURCES),
        },
        volumeClaimTemplates: [{
          metadata: { name: NAME_VOLUME },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.nameNode.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(props.nameNode.storageSize) } },
          },
        }],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });

    // A single namenode: `maxUnavailable: 1` lets drains (AKS upgrades, node maintenance) evict it, one at a time.
    // `minAvailable: 1` of 1 replica allows 0 disruptions forever: every drain of its node would be refused until
    // AKS's drainTimeoutInMinutes (default 30) fails the upgrade (AgentPoolUpgradeSettings, arm-containerservice).
    this.nameNodeDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'namenode-pdb', {
      metadata: { name: serviceName, namespace, labels: this.nameNodeLabels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.nameNodeLabels } },
    });

    const dataNodeLabels = labels('datanode');
    this.dataNodes = new k8s.KubeDaemonSet(this, 'datanodes', {
      metadata: { name: `${this.name}-datanode`, namespace, labels: dataNodeLabels },
      spec: {
        selector: { matchLabels: dataNodeLabels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels: dataNodeLabels, annotations: checksum },
          spec: dataNodePodSpec(pods, props.dataNodes.resources ?? DEFAULT_DATA_NODE_RESOURCES, props.dataNodes.dataDirectories),
        },
      },
    });

    if (props.smokeTest) this.smokeTest = this.addSmokeTest(pods, labels('smoke-test'), props.nodeCidrs ?? [], checksum[HDFS_CONFIG_CHECKSUM_ANNOTATION]);
  }

  /** Where co-located pods must run: the namenode pod. */
  public get coLocationTarget(): CoLocationTarget {
    return { namespace: this.namespace, labels: this.nameNodeLabels };
  }

  /** Preferred pod affinity onto the namenode's node (for the short-lived Spark driver, never the other way round). */
  public coLocationAffinity(): k8s.PodAffinity {
    return preferredCoLocation(this.coLocationTarget);
  }

  private siteInputs(props: HdfsClusterProps, nameNodeHost: string): HdfsSiteInputs {
    return {
      defaultFs: this.defaultFs,
      nameNodeHost,
      replication: this.replication,
      dataDirectoryCount: props.dataNodes.dataDirectories.length,
      coreSite: props.coreSite ?? {},
      hdfsSite: props.hdfsSite ?? {},
    };
  }

  private addSmokeTest(pods: HdfsPodInputs, labels: Record<string, string>, nodeCidrs: readonly string[], checksum: string): k8s.KubeJob {
    const port = (p: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) });
    for (const cidr of nodeCidrs) {
      declareFlows(this, { purpose: 'hdfs smoke test to the namenode and datanodes (host network)', from: { namespace: this.namespace, podLabels: labels }, to: { cidr } },
        [HDFS_PORTS.nameNodeRpc, HDFS_PORTS.dataNodeData]);
    }
    new k8s.KubeNetworkPolicy(this, 'smoke-test-egress', {
      metadata: { name: `${this.name}-smoke-test-egress`, namespace: this.namespace },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Egress'],
        egress: [{
          to: nodeCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [HDFS_PORTS.nameNodeRpc, HDFS_PORTS.dataNodeData].map(port),
        }],
      },
    });
    // Job templates are immutable: the name carries a checksum of the pod and the configuration, so any change
    // creates a new Job (and Flux prunes the old one) instead of failing to apply.
    const spec = smokeTestPodSpec(pods);
    const hash = configChecksum({ pod: JSON.stringify(k8s.toJson_PodSpec(spec)), config: checksum });
    return new k8s.KubeJob(this, 'smoke-test', {
      metadata: {
        name: `${this.name}-smoke-test-${hash.slice(0, 8)}`, namespace: this.namespace, labels,
        annotations: { [RERUN_ANNOTATION]: `runs again when the HDFS pods or configuration change (the name carries their checksum); to run it now, delete the Job: Flux re-creates it at its next reconcile` },
      },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 900,
        template: { metadata: { labels }, spec },
      },
    });
  }

  private validateProps(id: string, props: HdfsClusterProps): void {
    const prefix = `HdfsCluster '${id}'`;
    const fail = (message: string) => { throw new Error(`${prefix}: ${message}`); };
    for (const [prop, value] of [['namespace', props.namespace], ['name', this.name]] as const) {
      if (!DNS_LABEL.test(value)) fail(`'${prop}' ("${value}") must be a DNS label: lowercase letters, digits and '-', at most 63 characters`);
    }
    if (this.name.length > 40) fail(`'name' ("${this.name}") is longer than 40 characters; object names such as '<name>-namenode-0' must stay short, use a shorter name`);
    const pool = props.nodePool;
    if (isSystemOrGpuPool(pool)) {
      fail(`'nodePool' (${pool.name}) is a ${pool.mode === 'System' ? 'System' : 'GPU'} pool; datanodes hold data on every node of the pool, so use a User pool without GPUs`);
    }
    if (!Number.isInteger(this.replication) || this.replication < 1) fail(`'replication' (${this.replication}) must be a whole number >= 1`);
    if (this.replication > pool.minCount) {
      fail(`'replication' (${this.replication}) must be <= the ${pool.minCount} node(s) pool '${pool.name}' keeps at minimum (one datanode per node); lower 'replication' or raise the pool's minCount`);
    }
    const quantities: [string, string][] = [['nameNode.storageSize', props.nameNode.storageSize]];
    for (const [what, resources] of [['nameNode', props.nameNode.resources], ['dataNodes', props.dataNodes.resources]] as const) {
      if (!resources) continue;
      for (const kind of ['cpu', 'memory'] as const) {
        quantities.push([`${what}.resources.request.${kind}`, resources.request[kind]], [`${what}.resources.limit.${kind}`, resources.limit[kind]]);
      }
    }
    for (const [prop, value] of quantities) {
      if (!isQuantity(value)) fail(`'${prop}' ("${value}") is not a Kubernetes quantity; use a value such as 500m, 2 or 64Gi`);
    }
    if (parseQuantity(props.nameNode.storageSize) < 2 ** 30) fail(`'nameNode.storageSize' (${props.nameNode.storageSize}) is below 1Gi; namenode metadata and edit logs need room, use at least 1Gi`);
    const dirs = props.dataNodes.dataDirectories;
    if (dirs.length === 0) fail('\'dataNodes.dataDirectories\' is empty; give at least one node directory such as /mnt/hdfs');
    for (const dir of dirs) {
      if (!/^\/[^\s]*[^/\s]$/.test(dir)) fail(`'dataNodes.dataDirectories' ("${dir}") must be an absolute directory path other than /, without a trailing slash`);
    }
    if (new Set(dirs).size !== dirs.length) fail(`'dataNodes.dataDirectories' (${dirs.join(', ')}) lists a directory twice`);
    const managed = this.siteInputs(props, 'namenode');
    for (const [file, user, own] of [['coreSite', props.coreSite, managedCoreSite(managed)], ['hdfsSite', props.hdfsSite, managedHdfsSite(managed)]] as const) {
      const clash = Object.keys(user ?? {}).filter((key) => key in own);
      if (clash.length > 0) fail(`'${file}' sets ${clash.join(', ')}, which the construct sets itself; use the matching prop (replication, dataNodes, clusterDomain) instead`);
    }
    if (props.smokeTest && (props.nodeCidrs ?? []).length === 0) fail('\'smokeTest\' needs \'nodeCidrs\' (the node address ranges HDFS listens on) for its NetworkPolicy');
  }
}
