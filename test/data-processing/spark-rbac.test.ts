import { ApiObject, Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import { NodePoolMode, NodePoolPlacement } from '../../lib/core/node-pool';
import { SPARK_CLIENT_DRIVER_LABEL, SPARK_DRIVER_RULES, SparkRbac, SparkRbacProps } from '../../lib/data-processing/spark-rbac';
import { findManifest, Manifest } from '../util';

const pool: NodePoolPlacement = { name: 'spark', mode: NodePoolMode.USER, minCount: 3 };
const required: SparkRbacProps = { namespace: 'spark', nodePool: pool };
const nameNode = { namespace: 'hdfs', labels: { 'app.kubernetes.io/name': 'hdfs', 'app.kubernetes.io/component': 'namenode' } };

function synth(props: SparkRbacProps = required): { rbac: SparkRbac; manifests: Manifest[] } {
  const chart = Testing.chart();
  const rbac = new SparkRbac(chart, 'spark', props);
  return { rbac, manifests: Testing.synth(chart) as Manifest[] };
}

/** Ports of the first rule of a NetworkPolicy's ingress or egress list. */
const ports = (rules: any[]) => rules.flatMap((rule) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`));

describe('SparkRbac', () => {
  test('defaults', () => {
    // GIVEN / WHEN
    const { manifests } = synth();
    // THEN
    expect(manifests).toMatchSnapshot();
  });

  test('all props', () => {
    // GIVEN
    const props: Required<SparkRbacProps> = {
      ...required,
      nodePool: { ...pool, taints: ['workload=spark:NoSchedule'] },
      serviceAccountName: 'spark-jobs',
      identity: { serviceAccountName: 'spark-jobs', podLabels: { 'azure.workload.identity/use': 'true' } },
      coLocateDriverWith: nameNode,
      hdfs: { nodeCidrs: ['10.224.0.0/16'], ports: [8020, 9866] },
      azureStorageCidrs: ['10.1.0.0/24'],
      uiAccessFrom: { namespaces: ['ingress'], cidrs: ['10.2.0.0/16'] },
      runAsUser: 1000,
      clientModeService: false,
    };
    // WHEN
    const { rbac, manifests } = synth(props);
    // THEN the identity's ServiceAccount is the drivers' one, not created a second time
    expect(manifests.filter((m) => m.kind === 'ServiceAccount')).toHaveLength(0);
    expect(findManifest(manifests, 'RoleBinding', 'spark-driver', 'spark').subjects).toEqual([{ kind: 'ServiceAccount', name: 'spark-jobs', namespace: 'spark' }]);
    expect(rbac.podTemplates.driver.metadata.labels).toEqual({ 'azure.workload.identity/use': 'true' });
    expect(rbac.podTemplates.executor.spec.tolerations).toEqual([{ key: 'workload', operator: 'Equal', value: 'spark', effect: 'NoSchedule' }]);
    expect(rbac.podTemplates.executor.spec.securityContext.runAsUser).toBe(1000);
    expect(manifests.filter((m) => m.kind === 'Service')).toHaveLength(0);
    const ui = findManifest(manifests, 'NetworkPolicy', 'spark-allow-ui', 'spark');
    expect(ui.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } },
      { ipBlock: { cidr: '10.2.0.0/16' } },
    ]);
    expect(findManifest(manifests, 'NetworkPolicy', 'spark-allow-azure-storage', 'spark').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.1.0.0/24' } }]);
  });

  test('the Role grants exactly what Spark needs, namespaced, and nothing else', () => {
    const { manifests } = synth();
    expect(manifests.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding')).toHaveLength(0);
    const role = findManifest(manifests, 'Role', 'spark-driver', 'spark');
    expect(role.rules).toEqual([{
      apiGroups: [''],
      resources: ['configmaps', 'persistentvolumeclaims', 'pods', 'services'],
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    }]);
    const granted = role.rules.flatMap((rule: any) => [...rule.apiGroups, ...rule.resources, ...rule.verbs]);
    for (const forbidden of ['*', 'secrets', 'escalate', 'bind', 'impersonate', 'roles', 'rolebindings', 'nodes']) expect(granted).not.toContain(forbidden);
    expect(role.rules).toEqual(SPARK_DRIVER_RULES);
    const binding = findManifest(manifests, 'RoleBinding', 'spark-driver', 'spark');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'spark-driver' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'spark', namespace: 'spark' }]);
    expect(findManifest(manifests, 'ServiceAccount', 'spark', 'spark').automountServiceAccountToken).toBe(true);
  });

  test('the client-mode Service is headless and selects only the driver', () => {
    const { rbac, manifests } = synth();
    const service = findManifest(manifests, 'Service', 'spark-client-driver', 'spark');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual({ 'spark-role': 'driver', [SPARK_CLIENT_DRIVER_LABEL]: 'spark-client-driver' });
    expect(service.spec.selector).toEqual(rbac.clientModeDriverLabels);
    expect(service.spec.ports.map((p: any) => p.port)).toEqual([7078, 7079, 4040]);
    expect(rbac.clientModeSparkConf('notebook-0')).toMatchObject({
      'spark.driver.host': 'spark-client-driver.spark.svc',
      'spark.driver.port': '7078',
      'spark.kubernetes.driver.pod.name': 'notebook-0',
    });
  });

  test('network policies: executors reach the driver on 7078/7079, driver and executors the executors on 7079; the API server, HDFS and storage are reachable', () => {
    const { rbac, manifests } = synth({ ...required, hdfs: { nodeCidrs: ['10.224.0.0/16'], ports: [8020, 9866] } });
    const role = (...values: string[]) => ({ matchExpressions: [{ key: 'spark-role', operator: 'In', values }] });
    const driver = findManifest(manifests, 'NetworkPolicy', 'spark-allow-driver-executor', 'spark');
    expect(driver.spec.podSelector).toEqual(role('driver'));
    expect(driver.spec.ingress).toEqual([{ from: [{ podSelector: role('executor') }], ports: [{ protocol: 'TCP', port: 7078 }, { protocol: 'TCP', port: 7079 }] }]);
    expect(driver.spec.egress).toEqual([{ to: [{ podSelector: role('executor') }], ports: [{ protocol: 'TCP', port: 7079 }] }]);
    const executor = findManifest(manifests, 'NetworkPolicy', 'spark-allow-executor-traffic', 'spark');
    expect(executor.spec.podSelector).toEqual(role('executor'));
    expect(executor.spec.ingress).toEqual([{ from: [{ podSelector: role('driver', 'executor') }], ports: [{ protocol: 'TCP', port: 7079 }] }]);
    expect(ports(executor.spec.egress)).toEqual(['TCP/7078', 'TCP/7079', 'TCP/7079']);
    // The same needs, declared for the network-flows rule.
    expect(rbac.jobFlows.map((f) => `${f.purpose} ${'cidr' in f.to ? f.to.cidr : ''}:${f.port}`)).toEqual(expect.arrayContaining([
      'spark executors to the driver RPC endpoint :7078', 'spark driver to the API server (creates executor pods) 0.0.0.0/0:443', 'spark driver to the API server (creates executor pods) 0.0.0.0/0:6443',
      'spark executor to HDFS on the nodes (host network) 10.224.0.0/16:9866',
    ]));

    const api = findManifest(manifests, 'NetworkPolicy', 'spark-allow-driver-api-server', 'spark');
    expect(api.spec.podSelector.matchExpressions[0].values).toEqual(['driver']);
    // No address: the API server has no stable CIDR on AKS, and Cilium does not match ipBlocks to it.
    expect(api.spec.egress[0].to).toBeUndefined();
    expect(ports(api.spec.egress)).toEqual(['TCP/443', 'TCP/6443']);

    const hdfs = findManifest(manifests, 'NetworkPolicy', 'spark-allow-hdfs', 'spark');
    expect(hdfs.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.224.0.0/16' } }]);
    expect(ports(hdfs.spec.egress)).toEqual(['TCP/8020', 'TCP/9866']);

    const storage = findManifest(manifests, 'NetworkPolicy', 'spark-allow-azure-storage', 'spark');
    expect(storage.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
    expect(ports(storage.spec.egress)).toEqual(['TCP/443']);
  });

  test('the UI is closed unless the config opens it', () => {
    expect(synth().manifests.find((m) => m.metadata.name === 'spark-allow-ui')).toBeUndefined();
    const { manifests } = synth({ ...required, uiAccessFrom: { namespaces: ['monitoring'] } });
    const ui = findManifest(manifests, 'NetworkPolicy', 'spark-allow-ui', 'spark');
    expect(ports(ui.spec.ingress)).toEqual(['TCP/4040']);
    expect(ui.spec.podSelector.matchExpressions[0].values).toEqual(['driver']);
  });

  test('the driver template prefers (never requires) the co-location target\'s node; executors only the pool', () => {
    const { rbac, manifests } = synth({ ...required, coLocateDriverWith: nameNode });
    expect(rbac.podTemplates.driver.spec.affinity.podAffinity).toEqual({ preferredDuringSchedulingIgnoredDuringExecution: [{
      weight: 100,
      podAffinityTerm: { labelSelector: { matchLabels: nameNode.labels }, namespaces: ['hdfs'], topologyKey: 'kubernetes.io/hostname' },
    }] });
    expect(rbac.podTemplates.executor.spec.affinity.podAffinity).toBeUndefined();
    for (const template of [rbac.podTemplates.driver, rbac.podTemplates.executor]) {
      expect(template.spec.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': 'spark' });
      expect(template.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    }
    // The ConfigMap holds the same templates as Pod files for spark-submit.
    const configMap = findManifest(manifests, 'ConfigMap', 'spark-pod-templates', 'spark');
    expect(yaml.load(configMap.data['driver.yaml'])).toEqual({ apiVersion: 'v1', kind: 'Pod', ...rbac.podTemplates.driver });
    expect(yaml.load(configMap.data['executor.yaml'])).toEqual({ apiVersion: 'v1', kind: 'Pod', ...rbac.podTemplates.executor });
  });

  describe('validation', () => {
    const build = (props: Partial<SparkRbacProps>) => () => new SparkRbac(Testing.chart(), 'spark', { ...required, ...props });
    test('names', () => {
      expect(build({ namespace: 'Spark' })).toThrow(/SparkRbac 'spark': 'namespace' \("Spark"\) must be a DNS label/);
      expect(build({ serviceAccountName: 'spark_sa' })).toThrow(/'serviceAccountName' \("spark_sa"\) must be a DNS label/);
    });
    test('serviceAccountName and identity disagree', () => {
      expect(build({ serviceAccountName: 'a', identity: { serviceAccountName: 'b', podLabels: {} } })).toThrow(/are mutually exclusive/);
    });
    test('system or GPU pool', () => {
      expect(build({ nodePool: { ...pool, mode: NodePoolMode.SYSTEM } })).toThrow(/'nodePool' \(spark\) is a System pool/);
      expect(build({ nodePool: { ...pool, gpusPerNode: 1 } })).toThrow(/'nodePool' \(spark\) is a GPU pool/);
    });
    test('bad CIDR', () => {
      expect(build({ uiAccessFrom: { cidrs: ['10.0.0.0'] } })).toThrow(/'uiAccessFrom.cidrs' \("10.0.0.0"\) is not an IPv4 CIDR/);
    });
    test('HDFS access without nodes or ports', () => {
      expect(build({ hdfs: { nodeCidrs: ['10.0.0.0/8'], ports: [] } })).toThrow(/'hdfs' needs at least one node CIDR and one port/);
    });
    test('root user', () => {
      expect(build({ runAsUser: 0 })).toThrow(/'runAsUser' \(0\) must be a non-root user ID/);
    });
  });

  test('escape hatch', () => {
    const { rbac } = synth();
    expect(ApiObject.of(rbac).kind).toBe('Role');
  });
});
