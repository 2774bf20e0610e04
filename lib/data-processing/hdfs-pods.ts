/** Pod specs of an `HdfsCluster`: namenode, datanode and the locality smoke test. */
import { nonRootPodSecurity, restrictedContainerSecurity, toResourceRequirements, ContainerResources } from '../core/container-security';
import { dataDirMountPath, HDFS_PORTS, NAME_DIR, NAME_VOLUME_MOUNT } from './hdfs-config';
import * as k8s from '../core/k8s';
import { parseQuantity } from '../core/quantity';
import { notOnSystemOrGpuNodes, NodePoolPlacement, poolNodeSelector, poolTolerations } from '../core/node-pool';

/** What every HDFS pod shares. */
export interface HdfsPodInputs {
  readonly image: string;
  readonly uid: number;
  readonly confDir: string;
  readonly configMapName: string;
  readonly nodePool: NodePoolPlacement;
  readonly clusterId: string;
}

/** Name of the namenode's volume claim template. */
export const NAME_VOLUME = 'metadata';

/** Resources of the HDFS pods' init containers. */
export const HDFS_INIT_RESOURCES: ContainerResources = { request: { cpu: '100m', memory: '256Mi' }, limit: { cpu: '500m', memory: '512Mi' } };
const int = (port: number) => k8s.IntOrString.fromNumber(port);

function configMounts(inputs: HdfsPodInputs): k8s.VolumeMount[] {
  return ['core-site.xml', 'hdfs-site.xml'].map((file) => ({ name: 'config', mountPath: `${inputs.confDir}/${file}`, subPath: file, readOnly: true }));
}

function commonVolumes(inputs: HdfsPodInputs): k8s.Volume[] {
  return [
    { name: 'config', configMap: { name: inputs.configMapName } },
    { name: 'tmp', emptyDir: {} },
  ];
}

/** Pod settings of every HDFS daemon: node addresses (hostNetwork), the pool, never system or GPU nodes. */
function daemonPodBase(inputs: HdfsPodInputs): Partial<k8s.PodSpec> {
  return {
    hostNetwork: true,
    dnsPolicy: 'ClusterFirstWithHostNet',
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    nodeSelector: poolNodeSelector(inputs.nodePool),
    tolerations: poolTolerations(inputs.nodePool),
    securityContext: nonRootPodSecurity(inputs.uid),
  };
}

function daemonContainer(inputs: HdfsPodInputs, name: string, resources: ContainerResources): k8s.Container {
  return {
    name,
    image: inputs.image,
    env: [{ name: 'HADOOP_LOG_DIR', value: '/tmp/logs' }],
    resources: toResourceRequirements(resources),
    securityContext: restrictedContainerSecurity({ readOnlyRootFilesystem: true }),
  };
}

/**
 * The namenode pod: formats the metadata directory only when it holds no `current/VERSION` (a restart never
 * reformats; a half-formatted directory stops the pod for a human), then runs the namenode.
 */
export function nameNodePodSpec(inputs: HdfsPodInputs, resources: ContainerResources): k8s.PodSpec {
  const mounts = [...configMounts(inputs), { name: NAME_VOLUME, mountPath: NAME_VOLUME_MOUNT }, { name: 'tmp', mountPath: '/tmp' }];
  const format = [
    'set -eu',
    `if [ -f "${NAME_DIR}/current/VERSION" ]; then echo "namenode metadata found; not formatting"; exit 0; fi`,
    `exec hdfs namenode -format -nonInteractive -clusterId ${inputs.clusterId}`,
  ].join('\n');
  return {
    ...daemonPodBase(inputs),
    affinity: { nodeAffinity: notOnSystemOrGpuNodes() },
    initContainers: [{
      ...daemonContainer(inputs, 'format-if-empty', HDFS_INIT_RESOURCES),
      command: ['sh', '-c', format],
      volumeMounts: mounts,
    }],
    containers: [{
      ...daemonContainer(inputs, 'namenode', resources),
      command: ['hdfs', 'namenode'],
      ports: [
        { name: 'rpc', containerPort: HDFS_PORTS.nameNodeRpc },
        { name: 'http', containerPort: HDFS_PORTS.nameNodeHttp },
      ],
      volumeMounts: mounts,
      startupProbe: { tcpSocket: { port: int(HDFS_PORTS.nameNodeRpc) }, periodSeconds: 10, failureThreshold: 30 },
      readinessProbe: { tcpSocket: { port: int(HDFS_PORTS.nameNodeRpc) }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/', port: int(HDFS_PORTS.nameNodeHttp) }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
    }],
    volumes: commonVolumes(inputs),
  };
}

/**
 * The datanode pod. An init container (root with only CAP_CHOWN) hands the host data directories to the
 * Hadoop user, since hostPath directories are created owned by root.
 */
/**
 * What one datanode pod takes of its node's allocatable (the DaemonSet runs one on every node of the HDFS pool): the
 * larger of its container's and its init container's requests (kubernetes v1.31 effective pod request: max of the
 * init containers and the sum of the containers), in cores and bytes.
 */
export function dataNodePodRequest(resources: ContainerResources): { cpu: number; memory: number } {
  return {
    cpu: Math.max(parseQuantity(resources.request.cpu), parseQuantity(HDFS_INIT_RESOURCES.request.cpu)),
    memory: Math.max(parseQuantity(resources.request.memory), parseQuantity(HDFS_INIT_RESOURCES.request.memory)),
  };
}

export function dataNodePodSpec(inputs: HdfsPodInputs, resources: ContainerResources, dataDirectories: readonly string[]): k8s.PodSpec {
  const dataMounts = dataDirectories.map((_, i) => ({ name: `data${i}`, mountPath: dataDirMountPath(i) }));
  const chown = `chown ${inputs.uid}:${inputs.uid} ${dataMounts.map((mount) => mount.mountPath).join(' ')}`;
  return {
    ...daemonPodBase(inputs),
    affinity: { nodeAffinity: notOnSystemOrGpuNodes() },
    terminationGracePeriodSeconds: 60,
    initContainers: [{
      name: 'own-data-directories',
      image: inputs.image,
      command: ['sh', '-c', chown],
      resources: toResourceRequirements(HDFS_INIT_RESOURCES),
      securityContext: {
        runAsUser: 0,
        runAsNonRoot: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'], add: ['CHOWN'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumeMounts: dataMounts,
    }],
    containers: [{
      ...daemonContainer(inputs, 'datanode', resources),
      command: ['hdfs', 'datanode'],
      ports: [
        { name: 'data', containerPort: HDFS_PORTS.dataNodeData },
        { name: 'http', containerPort: HDFS_PORTS.dataNodeHttp },
        { name: 'ipc', containerPort: HDFS_PORTS.dataNodeIpc },
      ],
      volumeMounts: [...configMounts(inputs), ...dataMounts, { name: 'tmp', mountPath: '/tmp' }],
      readinessProbe: { tcpSocket: { port: int(HDFS_PORTS.dataNodeData) }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/', port: int(HDFS_PORTS.dataNodeHttp) }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5 },
    }],
    volumes: [
      ...commonVolumes(inputs),
      ...dataDirectories.map((path, i) => ({ name: `data${i}`, hostPath: { path, type: 'DirectoryOrCreate' } })),
    ],
  };
}

/**
 * The smoke-test pod (pod network, restricted): writes a file with one replica from this node, reads it back
 * and prints the block locations and the datanode that served the read, so a reader can compare it with the
 * node the pod ran on (`NODE_IP`).
 */
export function smokeTestPodSpec(inputs: HdfsPodInputs): k8s.PodSpec {
  const script = [
    'set -eu',
    'file=/tmp/smoke-test/$(hostname)',
    'echo "smoke test pod on node ${NODE_NAME} (${NODE_IP})"',
    'hdfs dfs -mkdir -p /tmp/smoke-test',
    'date | hdfs dfs -D dfs.replication=1 -put -f - "$file"',
    'hdfs fsck "$file" -files -blocks -locations',
    'hadoop --loglevel DEBUG fs -cat "$file" 2>&1 | grep -iE "connecting to datanode|readblock" || true',
    'hdfs dfs -rm -skipTrash "$file"',
  ].join('\n');
  const fieldEnv = (name: string, fieldPath: string): k8s.EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  return {
    restartPolicy: 'Never',
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    nodeSelector: poolNodeSelector(inputs.nodePool),
    tolerations: poolTolerations(inputs.nodePool),
    securityContext: nonRootPodSecurity(inputs.uid),
    containers: [{
      ...daemonContainer(inputs, 'smoke-test', HDFS_INIT_RESOURCES),
      command: ['sh', '-c', script],
      env: [{ name: 'HADOOP_LOG_DIR', value: '/tmp/logs' }, fieldEnv('NODE_NAME', 'spec.nodeName'), fieldEnv('NODE_IP', 'status.hostIP')],
      volumeMounts: [...configMounts(inputs), { name: 'tmp', mountPath: '/tmp' }],
    }],
    volumes: commonVolumes(inputs),
  };
}
