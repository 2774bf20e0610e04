import { ApiObject, Testing } from 'cdk8s';
import { AKS_AGENT_POOL_LABEL, NodePoolMode, NodePoolPlacement } from '../../lib/core/node-pool';
import { HDFS_CONFIG_CHECKSUM_ANNOTATION, HdfsCluster, HdfsClusterProps } from '../../lib/data-processing/hdfs-cluster';
import { findManifest, Manifest } from '../util';

const pool: NodePoolPlacement = { name: 'spark', mode: NodePoolMode.USER, minCount: 3 };
const required: HdfsClusterProps = {
  namespace: 'hdfs',
  image: 'example.azurecr.io/hadoop:3.4.1',
  nodePool: pool,
  nameNode: { storageClassName: 'managed-csi-premium', storageSize: '64Gi' },
  dataNodes: { dataDirectories: ['/mnt/hdfs-data'] },
};

function synth(props: HdfsClusterProps = required): { hdfs: HdfsCluster; manifests: Manifest[] } {
  const chart = Testing.chart();
  const hdfs = new HdfsCluster(chart, 'hdfs', props);
  return { hdfs, manifests: Testing.synth(chart) as Manifest[] };
}

/** The value of one property of a rendered Hadoop XML file. */
function xmlProperty(xml: string, name: string): string | undefined {
  const match = new RegExp(`<name>${name.replace(/\./g, '\\.')}</name>\\s*<value>([^<]*)</value>`).exec(xml);
  return match?.[1];
}

describe('HdfsCluster', () => {
  test('defaults', () => {
    // GIVEN / WHEN
    const { manifests } = synth();
    // THEN
    expect(manifests).toMatchSnapshot();
  });

  test('all props', () => {
    // GIVEN
    const props: Required<HdfsClusterProps> = {
      ...required,
      nodePool: { ...pool, minCount: 4, taints: ['workload=data:NoSchedule'] },
      nameNode: { storageClassName: 'managed-csi', storageSize: '128Gi', resources: { request: { cpu: '2', memory: '8Gi' }, limit: { cpu: '4', memory: '8Gi' } } },
      dataNodes: { dataDirectories: ['/mnt/disk1', '/mnt/disk2'], resources: { request: { cpu: '1', memory: '4Gi' }, limit: { cpu: '2', memory: '4Gi' } } },
      name: 'lake',
      replication: 4,
      clusterDomain: 'aks.internal',
      coreSite: { 'io.file.buffer.size': '131072' },
      hdfsSite: { 'dfs.blocksize': '268435456' },
      runAsUser: 1001,
      confDir: '/etc/hadoop',
      smokeTest: true,
      nodeCidrs: ['10.224.0.0/16'],
    };
    // WHEN
    const { hdfs, manifests } = synth(props);
    // THEN
    expect(hdfs.defaultFs).toBe('hdfs://lake-namenode-0.lake-namenode.hdfs.svc.aks.internal:8020');
    const config = findManifest(manifests, 'ConfigMap', 'lake-config', 'hdfs');
    expect(xmlProperty(config.data['core-site.xml'], 'io.file.buffer.size')).toBe('131072');
    expect(xmlProperty(config.data['hdfs-site.xml'], 'dfs.blocksize')).toBe('268435456');
    expect(xmlProperty(config.data['hdfs-site.xml'], 'dfs.replication')).toBe('4');
    expect(xmlProperty(config.data['hdfs-site.xml'], 'dfs.datanode.data.dir')).toBe('file:///hadoop/dfs/data0,file:///hadoop/dfs/data1');
    const daemonSet = findManifest(manifests, 'DaemonSet', 'lake-datanode', 'hdfs');
    expect(daemonSet.spec.template.spec.tolerations).toEqual([{ key: 'workload', operator: 'Equal', value: 'data', effect: 'NoSchedule' }]);
    expect(daemonSet.spec.template.spec.volumes.filter((v: any) => v.hostPath).map((v: any) => v.hostPath.path)).toEqual(['/mnt/disk1', '/mnt/disk2']);
    expect(daemonSet.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/hadoop/hdfs-site.xml', subPath: 'hdfs-site.xml', readOnly: true });
    const statefulSet = findManifest(manifests, 'StatefulSet', 'lake-namenode', 'hdfs');
    expect(statefulSet.spec.template.spec.securityContext.runAsUser).toBe(1001);
    expect(statefulSet.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'managed-csi', resources: { requests: { storage: '128Gi' } } });
    expect(manifests.filter((m) => m.kind === 'Job')).toHaveLength(1);
    const policy = findManifest(manifests, 'NetworkPolicy', 'lake-smoke-test-egress', 'hdfs');
    expect(policy.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.224.0.0/16' } }]);
  });

  test('fs.defaultFS is built from the real namespace and cluster domain', () => {
    const { hdfs, manifests } = synth({ ...required, namespace: 'data' });
    const config = findManifest(manifests, 'ConfigMap', 'hdfs-config', 'data');
    expect(xmlProperty(config.data['core-site.xml'], 'fs.defaultFS')).toBe('hdfs://hdfs-namenode-0.hdfs-namenode.data.svc.cluster.local:8020');
    expect(hdfs.defaultFs).toBe(xmlProperty(config.data['core-site.xml'], 'fs.defaultFS'));
  });

  test('rendered hdfs-site.xml uses Hadoop 3 ports and accepts node addresses', () => {
    const { manifests } = synth();
    const xml = findManifest(manifests, 'ConfigMap', 'hdfs-config', 'hdfs').data['hdfs-site.xml'];
    expect(xmlProperty(xml, 'dfs.namenode.rpc-address')).toMatch(/:8020$/);
    expect(xmlProperty(xml, 'dfs.namenode.http-address')).toMatch(/:9870$/);
    expect(xmlProperty(xml, 'dfs.datanode.address')).toBe('0.0.0.0:9866');
    expect(xmlProperty(xml, 'dfs.datanode.http.address')).toBe('0.0.0.0:9864');
    expect(xmlProperty(xml, 'dfs.replication')).toBe('3');
    expect(xmlProperty(xml, 'dfs.namenode.datanode.registration.ip-hostname-check')).toBe('false');
  });

  test('XML values are escaped', () => {
    const { manifests } = synth({ ...required, hdfsSite: { 'dfs.example': 'a<b&c' } });
    const xml = findManifest(manifests, 'ConfigMap', 'hdfs-config', 'hdfs').data['hdfs-site.xml'];
    expect(xml).toContain('<value>a&lt;b&amp;c</value>');
  });

  test('namenode: single replica behind a headless Service that publishes not-ready addresses', () => {
    const { hdfs, manifests } = synth();
    const statefulSet = findManifest(manifests, 'StatefulSet', 'hdfs-namenode', 'hdfs');
    const service = findManifest(manifests, 'Service', 'hdfs-namenode', 'hdfs');
    expect(statefulSet.spec.replicas).toBe(1);
    expect(statefulSet.spec.serviceName).toBe(service.metadata.name);
    expect(service.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: hdfs.nameNodeLabels });
    const container = statefulSet.spec.template.spec.containers[0];
    expect(container.readinessProbe).toBeDefined();
    expect(container.livenessProbe).toBeDefined();
    const pdb = findManifest(manifests, 'PodDisruptionBudget', 'hdfs-namenode', 'hdfs');
    // maxUnavailable 1: drains (AKS upgrades) may evict the single namenode; minAvailable 1 of 1 would block them forever.
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: hdfs.nameNodeLabels } });
  });

  test('namenode formats its metadata directory only when it holds no VERSION file', () => {
    const { manifests } = synth();
    const init = findManifest(manifests, 'StatefulSet', 'hdfs-namenode', 'hdfs').spec.template.spec.initContainers[0];
    const script: string = init.command[2];
    const guard = script.indexOf('current/VERSION');
    const format = script.indexOf('namenode -format');
    expect(guard).toBeGreaterThan(-1);
    expect(format).toBeGreaterThan(guard);
    expect(script).toContain('-nonInteractive');
    expect(script).not.toContain('-force');
  });

  test('datanodes: DaemonSet on the pool with hostNetwork and ClusterFirstWithHostNet', () => {
    const { manifests } = synth();
    const pod = findManifest(manifests, 'DaemonSet', 'hdfs-datanode', 'hdfs').spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.nodeSelector).toEqual({ [AKS_AGENT_POOL_LABEL]: 'spark' });
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'kubernetes.azure.com/mode', operator: 'NotIn', values: ['system'] },
      { key: 'kubernetes.azure.com/accelerator', operator: 'DoesNotExist' },
    ]);
    expect(pod.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false });
  });

  test('every pod template carries the configuration checksum, which changes with the configuration', () => {
    const checksums = (props: HdfsClusterProps) => synth(props).manifests
      .filter((m) => m.kind === 'StatefulSet' || m.kind === 'DaemonSet')
      .map((m) => m.spec.template.metadata.annotations[HDFS_CONFIG_CHECKSUM_ANNOTATION]);
    const before = checksums(required);
    const after = checksums({ ...required, hdfsSite: { 'dfs.blocksize': '268435456' } });
    expect(before).toHaveLength(2);
    expect(new Set(before).size).toBe(1);
    expect(before[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(after[0]).not.toBe(before[0]);
  });

  test('coLocationAffinity targets the namenode pod on the same host', () => {
    const { hdfs } = synth();
    expect(hdfs.coLocationAffinity()).toEqual({
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { labelSelector: { matchLabels: hdfs.nameNodeLabels }, namespaces: ['hdfs'], topologyKey: 'kubernetes.io/hostname' },
      }],
    });
    expect(hdfs.coLocationTarget).toEqual({ namespace: 'hdfs', labels: hdfs.nameNodeLabels });
  });

  test('the smoke test is opt-in and reports which datanode served the read', () => {
    expect(synth().manifests.filter((m) => m.kind === 'Job')).toHaveLength(0);
    const { manifests } = synth({ ...required, smokeTest: true, nodeCidrs: ['10.224.0.0/16'] });
    const job = manifests.find((m) => m.kind === 'Job')!;
    expect(job.metadata.name).toMatch(/^hdfs-smoke-test-[0-9a-f]{8}$/);
    const script: string = job.spec.template.spec.containers[0].command[2];
    expect(script).toContain('-put');
    expect(script).toMatch(/connecting to datanode/i);
    expect(job.spec.template.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  describe('validation', () => {
    const build = (props: Partial<HdfsClusterProps>) => () => new HdfsCluster(Testing.chart(), 'hdfs', { ...required, ...props });
    test('replication larger than the eligible nodes', () => {
      expect(build({ replication: 4 })).toThrow(/HdfsCluster 'hdfs': 'replication' \(4\) must be <= the 3 node\(s\) pool 'spark'/);
    });
    test('replication below 1', () => {
      expect(build({ replication: 0 })).toThrow(/'replication' \(0\) must be a whole number >= 1/);
    });
    test('system pool', () => {
      expect(build({ nodePool: { ...pool, mode: NodePoolMode.SYSTEM } })).toThrow(/'nodePool' \(spark\) is a System pool/);
    });
    test('GPU pool', () => {
      expect(build({ nodePool: { ...pool, gpusPerNode: 1 } })).toThrow(/'nodePool' \(spark\) is a GPU pool/);
    });
    test('bad names', () => {
      expect(build({ namespace: 'HDFS' })).toThrow(/'namespace' \("HDFS"\) must be a DNS label/);
      expect(build({ name: 'a'.repeat(41) })).toThrow(/is longer than 40 characters/);
    });
    test('bad sizes', () => {
      expect(build({ nameNode: { storageClassName: 'x', storageSize: '64GB' } })).toThrow(/'nameNode.storageSize' \("64GB"\) is not a Kubernetes quantity/);
      expect(build({ nameNode: { storageClassName: 'x', storageSize: '100Mi' } })).toThrow(/'nameNode.storageSize' \(100Mi\) is below 1Gi/);
      expect(build({ dataNodes: { dataDirectories: ['/d'], resources: { request: { cpu: 'x', memory: '1Gi' }, limit: { cpu: '1', memory: '1Gi' } } } }))
        .toThrow(/'dataNodes.resources.request.cpu' \("x"\)/);
    });
    test('data directories', () => {
      expect(build({ dataNodes: { dataDirectories: [] } })).toThrow(/'dataNodes.dataDirectories' is empty/);
      expect(build({ dataNodes: { dataDirectories: ['relative'] } })).toThrow(/must be an absolute directory path/);
      expect(build({ dataNodes: { dataDirectories: ['/d', '/d'] } })).toThrow(/lists a directory twice/);
    });
    test('site properties the construct owns', () => {
      expect(build({ hdfsSite: { 'dfs.replication': '1' } })).toThrow(/'hdfsSite' sets dfs.replication, which the construct sets itself/);
      expect(build({ coreSite: { 'fs.defaultFS': 'hdfs://x' } })).toThrow(/'coreSite' sets fs.defaultFS/);
    });
    test('smoke test without node CIDRs', () => {
      expect(build({ smokeTest: true })).toThrow(/'smokeTest' needs 'nodeCidrs'/);
    });
  });

  test('escape hatch', () => {
    const { hdfs } = synth();
    expect(ApiObject.of(hdfs).kind).toBe('StatefulSet');
    expect(hdfs.resource.name).toBe('hdfs-namenode');
  });
});
