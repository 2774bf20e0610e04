/** The "Done when" of the data-processing cluster, asserted over the whole synthesized output. */
import { AKS_AGENT_POOL_LABEL } from '../../lib/core/node-pool';
import { sparkOperatorSettings } from '../../lib/data-processing/config';
import { SPARK_SUBMITTER_RULES } from '../../lib/data-processing/spark-submitter';
import { SPARK_DRIVER_RULES } from '../../lib/data-processing/spark-rbac';
import { exampleConfig, findManifest, Manifest, synthCluster, synthClusterLayers } from '../util';

const SPARK_KINDS = ['SparkApplication', 'ScheduledSparkApplication'];
const config = exampleConfig();
const section = config.clusters['data-processing'].dataProcessing!;
const layers = synthClusterLayers('data-processing', config);
const all = Object.values(layers).flat();

/** The application spec of a SparkApplication or the template of a ScheduledSparkApplication. */
const appSpec = (m: Manifest) => (m.kind === 'ScheduledSparkApplication' ? m.spec.template : m.spec);
/** Pod specs of every workload kind that has a pod template. */
function podSpecs(manifests: readonly Manifest[]): { owner: Manifest; spec: any }[] {
  return manifests.flatMap((m) => {
    if (m.spec?.template?.spec && !SPARK_KINDS.includes(m.kind)) return [{ owner: m, spec: m.spec.template.spec }];
    if (m.kind === 'CronJob') return [{ owner: m, spec: m.spec.jobTemplate.spec.template.spec }];
    if (SPARK_KINDS.includes(m.kind)) return ['driver', 'executor'].map((role) => ({ owner: m, spec: appSpec(m)[role].template.spec }));
    return [];
  });
}

describe('data-processing composition', () => {
  test('HDFS and jobs are in the workloads layer; RBAC, policies, templates and volumes in the platform layer', () => {
    const kinds = (layer: string) => new Set(layers[layer].filter((m) => ['hdfs', 'spark', undefined].includes(m.metadata.namespace)).map((m) => m.kind));
    expect([...kinds('workloads')]).toEqual(expect.arrayContaining(['StatefulSet', 'DaemonSet', 'Service', 'ConfigMap', 'PodDisruptionBudget', 'Job', ...SPARK_KINDS]));
    expect([...kinds('platform')]).toEqual(expect.arrayContaining(['ServiceAccount', 'Role', 'RoleBinding', 'NetworkPolicy', 'ConfigMap', 'StorageClass', 'PersistentVolumeClaim']));
    for (const kind of ['StatefulSet', 'DaemonSet', ...SPARK_KINDS]) expect(kinds('platform').has(kind)).toBe(false);
  });

  test('the example carries the seed\'s three jobs (and the streaming section\'s scoring job)', () => {
    const jobs = all.filter((m) => SPARK_KINDS.includes(m.kind)).map((m) => `${m.kind}/${m.metadata.name}`).sort();
    expect(jobs).toEqual(['ScheduledSparkApplication/feature-space', 'ScheduledSparkApplication/hardskill-matching', 'SparkApplication/gpa-matching', 'SparkApplication/streaming-scoring']);
  });

  test('the driver of every Spark job prefers (never requires: no Pending drivers when that node is full) the namenode\'s node', () => {
    const nameNode = all.find((m) => m.kind === 'StatefulSet' && m.spec.template.metadata.labels['app.kubernetes.io/component'] === 'namenode')!;
    const apps = all.filter((m) => SPARK_KINDS.includes(m.kind));
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) {
      const affinity = appSpec(app).driver.template.spec.affinity.podAffinity;
      expect(affinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
      const terms = affinity.preferredDuringSchedulingIgnoredDuringExecution.map((p: { podAffinityTerm: unknown }) => p.podAffinityTerm);
      expect(terms).toHaveLength(1);
      expect(terms[0].topologyKey).toBe('kubernetes.io/hostname');
      expect(terms[0].namespaces).toEqual([nameNode.metadata.namespace]);
      // The selector matches the namenode's pod labels (and so the namenode pod).
      for (const [key, value] of Object.entries(terms[0].labelSelector.matchLabels)) expect(nameNode.spec.template.metadata.labels[key]).toBe(value);
      // Executors stay on the data pool, where a datanode runs on every node.
      expect(appSpec(app).executor.template.spec.nodeSelector).toEqual({ [AKS_AGENT_POOL_LABEL]: section.hdfs!.nodePool });
    }
  });

  test('no datanode can land on a system or GPU pool', () => {
    const clusterPools = config.clusters['data-processing'].nodePools;
    const dataNodes = all.filter((m) => m.kind === 'DaemonSet' && m.metadata.namespace === section.hdfs!.namespace);
    expect(dataNodes).toHaveLength(1);
    for (const daemonSet of dataNodes) {
      const pod = daemonSet.spec.template.spec;
      const pool = clusterPools[pod.nodeSelector[AKS_AGENT_POOL_LABEL]];
      expect(pool.mode).toBe('User');
      expect(pool.gpusPerNode).toBeUndefined();
      const expressions = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.map((t: any) => t.matchExpressions);
      for (const terms of expressions) {
        expect(terms).toContainEqual({ key: 'kubernetes.azure.com/mode', operator: 'NotIn', values: ['system'] });
        expect(terms).toContainEqual({ key: 'kubernetes.azure.com/accelerator', operator: 'DoesNotExist' });
      }
      // No toleration opens a tainted (GPU) pool.
      expect(pod.tolerations).toBeUndefined();
    }
  });

  test('the Roles grant nothing beyond what Spark needs, and no cluster-wide grant reaches Spark', () => {
    for (const namespace of Object.keys(section.spark.namespaces)) {
      // The drivers' Role, and the submitters' Role when NiFi (or notebooks) submit SparkApplications there.
      const roles = all.filter((m) => m.kind === 'Role' && m.metadata.namespace === namespace && !m.metadata.name.startsWith('spark-submitter-'));
      expect(roles.map((r) => r.rules)).toEqual([SPARK_DRIVER_RULES]);
      for (const rule of roles[0].rules) {
        expect(rule.apiGroups).toEqual(['']);
        expect([...rule.resources, ...rule.verbs]).not.toContain('*');
        expect(rule.resources).not.toContain('secrets');
      }
      for (const submitter of all.filter((m) => m.kind === 'Role' && m.metadata.namespace === namespace && m.metadata.name.startsWith('spark-submitter-'))) {
        expect(submitter.rules).toEqual(SPARK_SUBMITTER_RULES);
      }
    }
    const clusterBindings = all.filter((m) => m.kind === 'ClusterRoleBinding');
    const sparkSubjects = clusterBindings.flatMap((b) => b.subjects ?? []).filter((s: any) => Object.keys(section.spark.namespaces).includes(s.namespace));
    expect(sparkSubjects).toEqual([]);
  });

  test('only the HDFS namespace is privileged, and only HDFS pods use host networking or host paths', () => {
    const privileged = all.filter((m) => m.kind === 'Namespace' && m.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged');
    expect(privileged.map((m) => m.metadata.name)).toEqual([section.hdfs!.namespace]);
    for (const namespace of Object.keys(section.spark.namespaces)) {
      expect(findManifest(all, 'Namespace', namespace).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    }
    const hostAccess = podSpecs(all).filter(({ spec }) => spec.hostNetwork || (spec.volumes ?? []).some((v: any) => v.hostPath));
    expect(hostAccess.length).toBeGreaterThan(0);
    for (const { owner } of hostAccess) expect(owner.metadata.namespace).toBe(section.hdfs!.namespace);
  });

  test('RBAC and the identity share one ServiceAccount, and every Spark pod carries the identity label', () => {
    const accounts = all.filter((m) => m.kind === 'ServiceAccount' && m.metadata.namespace === 'spark');
    expect(accounts.map((m) => m.metadata.name)).toEqual(['spark']);
    expect(accounts[0].metadata.annotations?.['azure.workload.identity/client-id']).toBe(config.identities['spark-data'].clientId);
    expect(accounts[0].automountServiceAccountToken).toBe(true);
    expect(findManifest(all, 'RoleBinding', 'spark-driver', 'spark').subjects).toEqual([{ kind: 'ServiceAccount', name: 'spark', namespace: 'spark' }]);
    for (const app of all.filter((m) => SPARK_KINDS.includes(m.kind))) {
      for (const role of ['driver', 'executor']) {
        expect(appSpec(app)[role].serviceAccount).toBe('spark');
        expect(appSpec(app)[role].labels['azure.workload.identity/use']).toBe('true');
        expect(appSpec(app)[role].template.metadata.labels['azure.workload.identity/use']).toBe('true');
      }
    }
  });

  test('jobs read HDFS through its real fs.defaultFS, and Azure Storage only through Workload Identity', () => {
    const coreSite: string = findManifest(all, 'ConfigMap', 'hdfs-config', 'hdfs').data['core-site.xml'];
    const defaultFs = /<name>fs\.defaultFS<\/name>\s*<value>([^<]+)<\/value>/.exec(coreSite)![1];
    for (const [name, job] of Object.entries(section.jobs!)) {
      const app = all.find((m) => SPARK_KINDS.includes(m.kind) && m.metadata.name === name)!;
      expect(appSpec(app).hadoopConf['fs.defaultFS']).toBe(defaultFs);
      const usesIdentity = appSpec(app).hadoopConf['fs.azure.account.oauth.provider.type'] !== undefined;
      expect(usesIdentity).toBe(job.azureStorage === true);
    }
    expect(JSON.stringify(all)).not.toMatch(/fs\.azure\.account\.key/);
  });

  test('shared volumes are RWX Azure Files claims mounted at the configured paths', () => {
    const shared = section.sharedVolumes!;
    expect(findManifest(all, 'StorageClass', shared.storageClass.name).provisioner).toBe('file.csi.azure.com');
    for (const [name, volume] of Object.entries(shared.volumes)) {
      const claim = findManifest(all, 'PersistentVolumeClaim', name, volume.namespace);
      expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
      expect(claim.spec.storageClassName).toBe(shared.storageClass.name);
    }
    const hardskill = appSpec(findManifest(all, 'ScheduledSparkApplication', 'hardskill-matching', 'spark'));
    expect(hardskill.executor.template.spec.containers[0].volumeMounts).toEqual([
      { name: 'spark-tmp', mountPath: '/tmp' }, // read-only root file system (issue 14): the writable emptyDirs first
      { name: 'spark-work-dir', mountPath: '/opt/spark/work-dir' },
      { name: 'lookup-tables', mountPath: '/mnt/lookup-tables', readOnly: true },
      { name: 'recommendations', mountPath: '/mnt/recommendations' },
    ]);
  });

  test('clusters without a dataProcessing section get none of it', () => {
    const training = synthCluster('training', config);
    expect(training.filter((m) => [...SPARK_KINDS, 'DaemonSet', 'StatefulSet', 'StorageClass'].includes(m.kind))).toEqual([]);
    expect(training.find((m) => m.kind === 'Role' && m.metadata.name === 'spark-driver')).toBeUndefined();
  });

  test('sparkOperatorSettings tells the operator install the job namespaces and ServiceAccount', () => {
    expect(sparkOperatorSettings(section)).toEqual({ jobNamespaces: ['spark'], serviceAccountName: 'spark' });
    expect(sparkOperatorSettings(config.clusters.training.dataProcessing)).toBeUndefined();
  });
});
