/** Risk rules of the dist/ review, each on git fixtures (two commits of a small dist/ tree). */
import { DiffReport, ObjectChange, Risk } from '../../lib/review';
import { at, deployment, FLUX, fluxKustomization, useGitFixtures } from './git-fixture';

const { review } = useGitFixtures();

function change(report: DiffReport, kind: string, name: string): ObjectChange {
  const found = report.changes.find((c) => c.ref.kind === kind && c.ref.name === name);
  if (found === undefined) throw new Error(`no change of ${kind} ${name} in ${report.changes.map((c) => `${c.ref.kind} ${c.ref.name}`).join(', ')}`);
  return found;
}

/** The risks of one rule on one object, as "level: reason". */
function risks(report: DiffReport, kind: string, name: string, rule: string): string[] {
  return change(report, kind, name).risks.filter((r: Risk) => r.rule === rule).map((r) => `${r.level}: ${r.reason}`);
}

const pvc = (name: string, patch: Record<string, any> = {}, metadata: Record<string, any> = {}): Record<string, any> => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'apps', ...metadata },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'managed-csi', resources: { requests: { storage: '10Gi' } }, ...patch },
});
const namespace = (name: string, enforce?: string, extra: Record<string, string> = {}): Record<string, any> => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...(enforce === undefined ? {} : { 'pod-security.kubernetes.io/enforce': enforce }), ...extra } },
});
const configMap = (name: string, metadata: Record<string, any> = {}): Record<string, any> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps', ...metadata }, data: { k: 'v' } });

describe('prune-deletes-data', () => {
  const RULE = 'prune-deletes-data';

  test('danger: a PVC, Namespace, StatefulSet, CRD or HelmRelease removed from a pruning layer', () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com' } };
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'apps' }, spec: { serviceName: 'db' } };
    const hr = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'kserve', namespace: 'kserve' }, spec: { chart: { spec: { chart: 'kserve', version: '0.16.0' } } } };
    const report = review([...FLUX, at('platform', pvc('data')), at('platform', namespace('apps', 'restricted')), at('workloads', sts), at('platform', crd), at('platform', hr)], [...FLUX]);
    expect(risks(report, 'PersistentVolumeClaim', 'data', RULE)).toEqual([expect.stringMatching(/^danger: Flux Kustomization flux-system\/platform prunes it: deletes the claim, and its disk/)]);
    expect(risks(report, 'Namespace', 'apps', RULE)).toEqual([expect.stringMatching(/^danger: .*deletes every object in the namespace/)]);
    expect(risks(report, 'StatefulSet', 'db', RULE)).toEqual([expect.stringMatching(/^danger: Flux Kustomization flux-system\/workloads prunes it: deletes its pods/)]);
    expect(risks(report, 'CustomResourceDefinition', 'widgets.example.com', RULE)).toEqual([expect.stringMatching(/^danger: .*every custom resource of that type/)]);
    expect(risks(report, 'HelmRelease', 'kserve', RULE)).toEqual([expect.stringMatching(/^danger: .*uninstalls the Helm release/)]);
  });

  test('danger: a Strimzi KafkaTopic removed from a pruning layer deletes the topic in Kafka', () => {
    const topic = { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', metadata: { name: 'events', namespace: 'kafka', labels: { 'strimzi.io/cluster': 'events' } }, spec: { partitions: 3, replicas: 3 } };
    const report = review([...FLUX, at('workloads', topic)], [...FLUX]);
    expect(risks(report, 'KafkaTopic', 'events', RULE)).toEqual([expect.stringMatching(/^danger: .*the Topic Operator deletes the topic and its messages/)]);
  });

  test('info: other pruned objects; objects Flux does not prune stay on the cluster', () => {
    const unmanaged = configMap('kept', { annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } });
    const report = review(
      [fluxKustomization('platform'), fluxKustomization('workloads', { prune: false }), at('platform', configMap('plain')), at('platform', unmanaged), at('workloads', pvc('data')), at('extra', configMap('outside'))],
      [fluxKustomization('platform'), fluxKustomization('workloads', { prune: false })],
    );
    expect(risks(report, 'ConfigMap', 'plain', RULE)).toEqual(['info: Flux Kustomization flux-system/platform prunes it: it is deleted from the cluster']);
    expect(risks(report, 'ConfigMap', 'kept', RULE)).toEqual(['info: Flux Kustomization flux-system/platform does not prune it: it stays on the cluster, unmanaged']);
    expect(risks(report, 'PersistentVolumeClaim', 'data', RULE)).toEqual(['info: Flux Kustomization flux-system/workloads does not prune it: it stays on the cluster, unmanaged']);
    expect(risks(report, 'ConfigMap', 'outside', RULE)).toEqual(['info: no Flux Kustomization applies dist/prod/serving/extra: ConfigMap apps/outside stays on the cluster, unmanaged']);
  });

  test('danger: removing a pruning Flux Kustomization garbage-collects its layer', () => {
    const report = review([...FLUX, at('workloads', configMap('a'))], [FLUX[0], at('workloads', configMap('a'))]);
    expect(risks(report, 'Kustomization', 'workloads', RULE)).toEqual(['danger: deleting a Flux Kustomization with prune: true garbage-collects everything it applied from ./dist/prod/serving/workloads']);
  });
  test('deletionPolicy decides what deleting a Flux Kustomization does; a suspended one deletes nothing', () => {
    const report = review(
      [fluxKustomization('platform', { prune: false, deletionPolicy: 'Delete' }), fluxKustomization('workloads', { suspend: true }), fluxKustomization('extra', { deletionPolicy: 'Orphan' })],
      [],
    );
    expect(risks(report, 'Kustomization', 'platform', RULE)).toEqual(['danger: deleting a Flux Kustomization with deletionPolicy Delete garbage-collects everything it applied from ./dist/prod/serving/platform']);
    expect(risks(report, 'Kustomization', 'workloads', RULE)).toEqual([expect.stringMatching(/^info: /)]);
    expect(risks(report, 'Kustomization', 'extra', RULE)).toEqual([expect.stringMatching(/^info: /)]);
  });

  test('an object annotated reconcile: disabled is not pruned', () => {
    const report = review([...FLUX, at('platform', pvc('data', {}, { annotations: { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' } }))], [...FLUX]);
    expect(risks(report, 'PersistentVolumeClaim', 'data', RULE)).toEqual(['info: Flux Kustomization flux-system/platform does not prune it: it stays on the cluster, unmanaged']);
  });
});

describe('immutable-field', () => {
  const RULE = 'immutable-field';

  test('danger: Deployment selector; no risk for replicas and template changes', () => {
    const report = review(
      [...FLUX, at('workloads', deployment('api', 'apps')), at('workloads', deployment('web', 'apps'))],
      [...FLUX,
        at('workloads', deployment('api', 'apps', (d) => { d.spec.selector.matchLabels.tier = 'front'; d.spec.template.metadata.labels.tier = 'front'; })),
        at('workloads', deployment('web', 'apps', (d) => { d.spec.replicas = 5; d.spec.template.metadata.labels.v = '2'; }))],
    );
    expect(risks(report, 'Deployment', 'api', RULE)).toEqual(['danger: immutable spec.selector changed: the API server rejects the update and Flux fails the layer until the object is deleted by hand']);
    expect(risks(report, 'Deployment', 'web', RULE)).toEqual([]);
  });

  test('danger: StatefulSet serviceName and volumeClaimTemplates (not replicas, template, updateStrategy)', () => {
    const sts = (patch: Record<string, any>): Record<string, any> => ({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'apps' },
      spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }], ...patch },
    });
    const report = review([...FLUX, at('workloads', sts({}))], [...FLUX, at('workloads', sts({
      serviceName: 'db-headless', replicas: 3,
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } }],
    }))]);
    expect(risks(report, 'StatefulSet', 'db', RULE)).toEqual([expect.stringMatching(/^danger: immutable spec.serviceName, spec.volumeClaimTemplates changed/)]);
  });

  test('danger: DaemonSet selector, Job template, Service clusterIP, StorageClass parameters, RoleBinding roleRef', () => {
    const ds = (app: string): Record<string, any> => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'apps' }, spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } } } });
    const job = (image: string): Record<string, any> => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'smoke', namespace: 'apps' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image }] } } } });
    const svc = (clusterIP: string): Record<string, any> => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'apps' }, spec: { clusterIP, ports: [{ name: 'db', port: 5432 }] } });
    const sc = (skuName: string): Record<string, any> => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'files' }, provisioner: 'file.csi.azure.com', parameters: { skuName } });
    const rb = (role: string): Record<string, any> => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'apps' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role }, subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'apps' }] });
    const report = review(
      [...FLUX, at('workloads', ds('agent')), at('workloads', job('run:1')), at('workloads', svc('None')), at('platform', sc('Standard_LRS')), at('platform', rb('reader'))],
      [...FLUX, at('workloads', ds('agent2')), at('workloads', job('run:2')), at('workloads', svc('')), at('platform', sc('Premium_LRS')), at('platform', rb('writer'))],
    );
    expect(risks(report, 'DaemonSet', 'agent', RULE)).toEqual([expect.stringMatching(/^danger: immutable spec.selector changed/)]);
    expect(risks(report, 'Job', 'smoke', RULE)).toEqual([expect.stringMatching(/^danger: immutable spec.template changed/)]);
    expect(risks(report, 'Service', 'db', RULE)).toEqual([expect.stringMatching(/^danger: immutable spec.clusterIP changed/)]);
    expect(risks(report, 'StorageClass', 'files', RULE)).toEqual([expect.stringMatching(/^danger: immutable parameters changed/)]);
    expect(risks(report, 'RoleBinding', 'rb', RULE)).toEqual([expect.stringMatching(/^danger: immutable roleRef changed/)]);
  });

  test('danger: PVC storageClassName, accessModes and a smaller size; a larger size is allowed', () => {
    const report = review(
      [...FLUX, at('platform', pvc('a')), at('platform', pvc('b')), at('platform', pvc('c'))],
      [...FLUX,
        at('platform', pvc('a', { storageClassName: 'premium', accessModes: ['ReadWriteMany'] })),
        at('platform', pvc('b', { resources: { requests: { storage: '5Gi' } } })),
        at('platform', pvc('c', { resources: { requests: { storage: '20Gi' } } }))],
    );
    expect(risks(report, 'PersistentVolumeClaim', 'a', RULE)).toEqual([expect.stringMatching(/^danger: immutable spec.accessModes, spec.storageClassName changed/)]);
    expect(risks(report, 'PersistentVolumeClaim', 'b', RULE)).toEqual([expect.stringMatching(/^danger: immutable spec.resources.requests.storage \(lowered\) changed/)]);
    expect(risks(report, 'PersistentVolumeClaim', 'c', RULE)).toEqual([]);
  });

  test('an immutable ConfigMap\'s data; with Flux spec.force the object is recreated instead', () => {
    const immutable = (v: string): Record<string, any> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen', namespace: 'apps' }, immutable: true, data: { k: v } });
    const forced = [fluxKustomization('platform', { force: true })];
    const report = review([...forced, at('platform', immutable('1'))], [...forced, at('platform', immutable('2'))]);
    expect(risks(report, 'ConfigMap', 'frozen', RULE)).toEqual(['danger: immutable data changed: Flux (spec.force: true) deletes and recreates the object']);
  });

  test('Service type: to LoadBalancer is danger (exposed outside the cluster), to ExternalName a warning', () => {
    const svc = (name: string, type?: string): Record<string, any> => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'apps' }, spec: { ...(type === undefined ? {} : { type }), ports: [{ name: 'http', port: 80 }] } });
    const report = review([...FLUX, at('workloads', svc('a')), at('workloads', svc('b'))], [...FLUX, at('workloads', svc('a', 'LoadBalancer')), at('workloads', svc('b', 'ExternalName'))]);
    expect(risks(report, 'Service', 'a', RULE)).toEqual(['danger: Service type ClusterIP → LoadBalancer: exposes the Service outside the cluster']);
    expect(risks(report, 'Service', 'b', RULE)).toEqual([expect.stringMatching(/^warning: Service type ClusterIP → ExternalName/)]);
  });
});

describe('image-change and chart-version-change', () => {
  test('info for a container image anywhere in the object; warning for a chart version, danger for a major bump', () => {
    const hr = (version: string, tag: string): Record<string, any> => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'airflow', namespace: 'airflow' }, spec: { chart: { spec: { chart: 'airflow', version } }, values: { images: { airflow: { image: { tag } } } } } });
    const oci = (tag: string): Record<string, any> => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', metadata: { name: 'kserve', namespace: 'kserve' }, spec: { url: 'oci://ghcr.io/kserve/charts/kserve', ref: { tag } } });
    const spark = (image: string): Record<string, any> => ({ apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'job', namespace: 'spark' }, spec: { image } });
    const report = review(
      [...FLUX, at('workloads', hr('1.18.0', '3.0.2')), at('workloads', oci('v0.15.2')), at('workloads', spark('spark:3.5.0'))],
      [...FLUX, at('workloads', hr('1.19.0', '3.0.3')), at('workloads', oci('v1.0.0')), at('workloads', spark('spark:3.5.1'))],
    );
    expect(risks(report, 'HelmRelease', 'airflow', 'chart-version-change')).toEqual([expect.stringMatching(/^warning: spec.chart.spec.version "1.18.0" → "1.19.0": the chart is upgraded/)]);
    expect(risks(report, 'HelmRelease', 'airflow', 'image-change')).toEqual([expect.stringMatching(/^info: image "3.0.2" → "3.0.3" at spec.values.images.airflow.image.tag/)]);
    expect(risks(report, 'OCIRepository', 'kserve', 'chart-version-change')).toEqual([expect.stringMatching(/^danger: spec.ref.tag "v0.15.2" → "v1.0.0": a major version upgrade/)]);
    expect(risks(report, 'SparkApplication', 'job', 'image-change')).toEqual(['info: image "spark:3.5.0" → "spark:3.5.1" at spec.image: pods roll out the new image']);
  });
});

describe('rbac-widened', () => {
  const RULE = 'rbac-widened';
  const role = (rules: Record<string, any>[], name = 'r'): Record<string, any> => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'apps' }, rules });
  const pods = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };

  test('warning: verbs, resources or API groups added; danger with \'*\' or secrets; none when narrowed', () => {
    const report = review(
      [...FLUX, at('platform', role([pods], 'verbs')), at('platform', role([pods], 'star')), at('platform', role([pods], 'secrets')), at('platform', role([pods], 'narrow')), at('platform', role([{ ...pods, resourceNames: ['a'] }], 'names'))],
      [...FLUX,
        at('platform', role([{ ...pods, verbs: ['get', 'list', 'watch', 'delete'] }], 'verbs')),
        at('platform', role([{ ...pods, apiGroups: ['*'] }], 'star')),
        at('platform', role([pods, { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'secrets')),
        at('platform', role([{ ...pods, verbs: ['get'] }], 'narrow')),
        at('platform', role([pods], 'names'))],
    );
    expect(risks(report, 'Role', 'verbs', RULE)).toEqual(['warning: grants more: delete pods, watch pods']);
    expect(risks(report, 'Role', 'star', RULE)).toEqual(['danger: grants more: get */pods, list */pods (wildcards or escalation-prone access)']);
    expect(risks(report, 'Role', 'secrets', RULE)).toEqual(['danger: grants more: get secrets (wildcards or escalation-prone access)']);
    expect(risks(report, 'Role', 'narrow', RULE)).toEqual([]);
    expect(risks(report, 'Role', 'names', RULE)).toEqual(['warning: grants more: get pods, list pods']);
  });

  test('bindings: new subjects are a warning, binding cluster-admin is danger', () => {
    const binding = (kind: string, name: string, roleName: string, subjects: string[]): Record<string, any> => ({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: kind === 'RoleBinding' ? { name, namespace: 'apps' } : { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: subjects.map((s) => ({ kind: 'ServiceAccount', name: s, namespace: 'apps' })),
    });
    const report = review(
      [...FLUX, at('platform', binding('RoleBinding', 'readers', 'view', ['a']))],
      [...FLUX, at('platform', binding('RoleBinding', 'readers', 'view', ['a', 'b'])), at('platform', binding('ClusterRoleBinding', 'admins', 'cluster-admin', ['ops']))],
    );
    expect(risks(report, 'RoleBinding', 'readers', RULE)).toEqual(['warning: ClusterRole view granted to new subjects: ServiceAccount apps/b']);
    expect(risks(report, 'ClusterRoleBinding', 'admins', RULE)).toEqual(['danger: binds the built-in ClusterRole cluster-admin to ServiceAccount apps/ops']);
  });
});

describe('rbac-widened: Kafka ACLs', () => {
  test('a KafkaUser gaining an operation is a warning; a prefix or All is danger', () => {
    const user = (name: string, acls: Record<string, any>[]): Record<string, any> => ({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', metadata: { name, namespace: 'kafka' }, spec: { authentication: { type: 'scram-sha-512' }, authorization: { type: 'simple', acls } } });
    const read = { type: 'allow', resource: { type: 'topic', name: 'events', patternType: 'literal' }, operations: ['Describe', 'Read'] };
    const report = review(
      [...FLUX, at('workloads', user('reader', [read])), at('workloads', user('wide', [read]))],
      [...FLUX, at('workloads', user('reader', [{ ...read, operations: ['Describe', 'Read', 'Write'] }])), at('workloads', user('wide', [read, { type: 'allow', resource: { type: 'topic', name: 'ev', patternType: 'prefix' }, operations: ['All'] }]))],
    );
    expect(risks(report, 'KafkaUser', 'reader', 'rbac-widened')).toEqual(['warning: Kafka ACLs grant more: Write topic events']);
    expect(risks(report, 'KafkaUser', 'wide', 'rbac-widened')).toEqual(['danger: Kafka ACLs grant more: All topic ev* (wildcard, prefix or All)']);
  });
});

describe('pod-security-relaxed', () => {
  const RULE = 'pod-security-relaxed';

  test('danger when enforce is relaxed or removed; info for audit/warn; warning for a new namespace below restricted', () => {
    const report = review(
      [...FLUX, at('platform', namespace('a', 'restricted')), at('platform', namespace('b', 'baseline')), at('platform', namespace('c', 'restricted', { 'pod-security.kubernetes.io/audit': 'restricted' })), at('platform', namespace('d', 'baseline'))],
      [...FLUX, at('platform', namespace('a', 'baseline')), at('platform', namespace('b')), at('platform', namespace('c', 'restricted', { 'pod-security.kubernetes.io/audit': 'baseline' })), at('platform', namespace('d', 'restricted')), at('platform', namespace('e', 'privileged'))],
    );
    expect(risks(report, 'Namespace', 'a', RULE)).toEqual(['danger: Pod Security enforce relaxed restricted → baseline: pods with more privileges are admitted']);
    expect(risks(report, 'Namespace', 'b', RULE)).toEqual(['danger: Pod Security enforce relaxed baseline → privileged (no label): pods with more privileges are admitted']);
    expect(risks(report, 'Namespace', 'c', RULE)).toEqual(['info: Pod Security audit relaxed restricted → baseline']);
    expect(risks(report, 'Namespace', 'd', RULE)).toEqual([]);
    expect(risks(report, 'Namespace', 'e', RULE)).toEqual(['warning: new namespace enforces Pod Security privileged, not restricted']);
  });
});

describe('network-admits-more', () => {
  const RULE = 'network-admits-more';
  const policy = (name: string, spec: Record<string, any>): Record<string, any> => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'apps' }, spec });
  const fromGateway = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } };
  const allowApi = (ports: number[], from: Record<string, any>[] = [fromGateway]): Record<string, any> => policy('allow-api', {
    podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'],
    ingress: [{ from, ports: ports.map((port) => ({ port, protocol: 'TCP' })) }],
  });
  const denyAll = policy('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

  test('warning for a new port or peer; danger for a rule open to anyone; none when narrowed', () => {
    const report = review(
      [...FLUX, at('workloads', allowApi([8080])), at('workloads', { ...allowApi([8080]), metadata: { name: 'open', namespace: 'apps' } }), at('workloads', { ...allowApi([8080, 9090]), metadata: { name: 'narrow', namespace: 'apps' } })],
      [...FLUX, at('workloads', allowApi([8080, 9090])), at('workloads', { ...allowApi([8080], [fromGateway, { ipBlock: { cidr: '0.0.0.0/0' } }]), metadata: { name: 'open', namespace: 'apps' } }), at('workloads', { ...allowApi([8080]), metadata: { name: 'narrow', namespace: 'apps' } })],
    );
    expect(risks(report, 'NetworkPolicy', 'allow-api', RULE)).toEqual(['warning: admits more: from {"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"gateway"}}} on {"port":9090,"protocol":"TCP"}']);
    expect(risks(report, 'NetworkPolicy', 'open', RULE)).toEqual(['danger: admits more: from {"ipBlock":{"cidr":"0.0.0.0/0"}} on {"port":8080,"protocol":"TCP"}']);
    expect(risks(report, 'NetworkPolicy', 'narrow', RULE)).toEqual([]);
  });

  test('warning when a direction is no longer restricted or the policy selects other pods', () => {
    const egress = policy('egress', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    const report = review([...FLUX, at('workloads', egress)], [...FLUX, at('workloads', policy('egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [] }))]);
    expect(risks(report, 'NetworkPolicy', 'egress', RULE)).toEqual([
      'warning: no longer restricts Egress (policyTypes)',
      'warning: podSelector {"matchLabels":{"app":"api"}} → {"matchLabels":{"app":"web"}}: its rules apply to other pods',
    ]);
  });

  test('a removed policy: warning without remaining isolation, info when a default-deny still selects every pod', () => {
    const isolated = review([...FLUX, at('platform', denyAll), at('workloads', allowApi([8080]))], [...FLUX, at('platform', denyAll)]);
    expect(risks(isolated, 'NetworkPolicy', 'allow-api', RULE)).toEqual([expect.stringMatching(/^info: NetworkPolicy removed; another policy still isolates every pod/)]);
    const open = review([...FLUX, at('platform', denyAll), at('workloads', allowApi([8080]))], [...FLUX]);
    expect(risks(open, 'NetworkPolicy', 'default-deny-all', RULE)).toEqual([expect.stringMatching(/^warning: NetworkPolicy removed: the pods it selected may accept traffic/)]);
  });

  test('routes: a new route, hostname or path match is a warning; a new Gateway listener too', () => {
    const route = (name: string, hostnames: string[], paths: string[]): Record<string, any> => ({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'gateway' },
      spec: { hostnames, parentRefs: [{ name: 'ml-gateway', namespace: 'gateway', sectionName: 'https' }], rules: [{ matches: paths.map((value) => ({ path: { type: 'PathPrefix', value } })), backendRefs: [{ name: name, port: 80 }] }] },
    });
    const gateway = (listeners: string[]): Record<string, any> => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'ml-gateway', namespace: 'gateway' }, spec: { gatewayClassName: 'envoy', listeners: listeners.map((name) => ({ name, port: 443, protocol: 'HTTPS' })) } });
    const report = review(
      [...FLUX, at('workloads', route('mlflow', ['ml.example.com'], ['/mlflow'])), at('platform', gateway(['https']))],
      [...FLUX, at('workloads', route('mlflow', ['ml.example.com', 'mlflow.example.com'], ['/mlflow', '/api'])), at('workloads', route('iris', ['ml.example.com'], ['/models/iris'])), at('platform', gateway(['https', 'http']))],
    );
    expect(risks(report, 'HTTPRoute', 'mlflow', RULE)).toEqual(['warning: route admits more: hostname mlflow.example.com; match {"path":{"type":"PathPrefix","value":"/api"}}']);
    expect(risks(report, 'HTTPRoute', 'iris', RULE)).toEqual([expect.stringMatching(/^warning: new route: ml.example.com, 1 match\(es\) via/)]);
    expect(risks(report, 'Gateway', 'ml-gateway', RULE)).toEqual(['warning: new or changed listener(s) http: what the gateway accepts changes']);
  });
});

describe('quota-below-usage', () => {
  const RULE = 'quota-below-usage';
  const quota = (hard: Record<string, any>): Record<string, any> => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'namespace-quota', namespace: 'apps' }, spec: { hard } });
  // Two replicas of 500m/1Gi requests and 1/1Gi limits: 1 CPU, 2Gi requested; 2 CPU limits; 2 pods; plus a 10Gi PVC.
  const workloads = [at('workloads', deployment('api', 'apps')), at('platform', pvc('data'))];

  test('danger when a hard limit is lowered below what the standing replicas request; info when still above', () => {
    const report = review(
      [...FLUX, ...workloads, at('platform', quota({ 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.cpu': '8', pods: 10, 'requests.storage': '100Gi' }))],
      [...FLUX, ...workloads, at('platform', quota({ 'requests.cpu': '750m', 'requests.memory': '4Gi', 'limits.cpu': '8', pods: 1, 'requests.storage': '100Gi' }))],
    );
    expect(risks(report, 'ResourceQuota', 'namespace-quota', RULE)).toEqual([
      'danger: hard pods lowered 10 → 1, below the 2 of what runs (Deployment api ×2): new pods are rejected',
      'danger: hard requests.cpu lowered 4 → 750m, below the 1 of what runs (Deployment api ×2): new pods are rejected',
      'info: hard requests.memory lowered 8Gi → 4Gi (standing workloads use 2Gi)',
    ]);
  });

  test('requests default to the namespace LimitRange; a new quota below usage is danger too', () => {
    const bare = deployment('bare', 'apps', (d) => { d.spec.replicas = 3; d.spec.template.spec.containers[0].resources = {}; });
    const limitRange = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'container-defaults', namespace: 'apps' }, spec: { limits: [{ type: 'Container', defaultRequest: { memory: '512Mi' }, default: { memory: '1Gi' } }] } };
    const report = review([...FLUX, at('workloads', bare), at('platform', limitRange)], [...FLUX, at('workloads', bare), at('platform', limitRange), at('platform', quota({ 'requests.memory': '1Gi' }))]);
    expect(risks(report, 'ResourceQuota', 'namespace-quota', RULE)).toEqual(['danger: hard requests.memory set 1Gi, below the 1.5Gi of what runs (Deployment bare ×3): new pods are rejected']);
  });
  test('danger when a workload grows the namespace past an unchanged quota; none for a workload that did not grow', () => {
    const q = at('platform', quota({ 'requests.cpu': '4', pods: 20 }));
    const report = review(
      [...FLUX, q, at('workloads', deployment('api', 'apps')), at('workloads', deployment('web', 'apps'))],
      [...FLUX, q, at('workloads', deployment('api', 'apps', (d) => { d.spec.replicas = 10; })), at('workloads', deployment('web', 'apps', (d) => { d.spec.template.spec.containers[0].image = 'web:2'; }))],
    );
    expect(risks(report, 'Deployment', 'api', RULE)).toEqual(['danger: requests.cpu of namespace apps grows to 6, above ResourceQuota namespace-quota hard 4: new pods are rejected']);
    expect(risks(report, 'Deployment', 'web', RULE)).toEqual([]);
  });
});

describe('flux-order', () => {
  const RULE = 'flux-order';

  test('warning for a changed dependsOn, path or prune flag', () => {
    const report = review(
      [...FLUX],
      [fluxKustomization('platform', { prune: false }), fluxKustomization('workloads', { dependsOn: [], path: './dist/prod/serving/apps' })],
    );
    expect(risks(report, 'Kustomization', 'workloads', RULE)).toEqual([
      'warning: dependsOn platform → (none): what waits for what changes (a custom resource may arrive before its CRD)',
      'warning: spec.path "./dist/prod/serving/workloads" → "./dist/prod/serving/apps": objects of the old source no longer in the new one are pruned',
    ]);
    expect(risks(report, 'Kustomization', 'platform', RULE)).toEqual(['warning: spec.prune true → false: what Flux garbage-collects changes']);
  });

  test('a HelmRelease dependsOn change is a warning', () => {
    const hr = (dependsOn: string[]): Record<string, any> => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'kserve', namespace: 'kserve' }, spec: { dependsOn: dependsOn.map((name) => ({ name })), chart: { spec: { chart: 'kserve', version: '0.16.0' } } } });
    const report = review([...FLUX, at('workloads', hr(['kserve-crd', 'cert-manager']))], [...FLUX, at('workloads', hr(['cert-manager']))]);
    expect(risks(report, 'HelmRelease', 'kserve', RULE)).toEqual([expect.stringMatching(/^warning: dependsOn kserve-crd, cert-manager → cert-manager/)]);
  });

  test('a layer move is a warning, danger for a pruned data-holding object', () => {
    const report = review([...FLUX, at('platform', configMap('settings')), at('platform', pvc('data'))], [...FLUX, at('workloads', configMap('settings')), at('workloads', pvc('data'))]);
    expect(risks(report, 'ConfigMap', 'settings', RULE)).toEqual(['warning: moves from layer platform to workloads (Flux Kustomization platform → workloads): platform may prune it before workloads takes it over']);
    expect(risks(report, 'PersistentVolumeClaim', 'data', RULE)).toEqual([expect.stringMatching(/^danger: moves from layer platform to workloads .*: platform may prune it before workloads takes it over \(deletes the claim/)]);
  });

  test('a move between folders of a split layer names the only causes a split has and where they are documented', () => {
    const chain = [fluxKustomization('workloads-services'), fluxKustomization('workloads', { dependsOn: [{ name: 'workloads-services' }] })];
    const report = review([...chain, at('workloads-services', pvc('data'))], [...chain, at('workloads', pvc('data'))]);
    expect(risks(report, 'PersistentVolumeClaim', 'data', RULE)).toEqual([expect.stringMatching(/^danger: moves from layer workloads-services to workloads .*; a move between folders of a split layer happens only on a changed folder count, a renamed workload or a changed folder placement of its construct \(docs\/output\.md, "What still moves an object"\): workloads-services may prune it before workloads takes it over/)]);
  });

  test('a move to an earlier layer (a dependency of the old owner) is a warning: the new owner applies first', () => {
    const report = review([...FLUX, at('workloads', pvc('data'))], [...FLUX, at('platform', pvc('data'))]);
    expect(risks(report, 'PersistentVolumeClaim', 'data', RULE)).toEqual(["warning: moves from layer workloads to platform (Flux Kustomization workloads → platform): platform applies first (a dependency of workloads) and takes over its owner labels, so the prune of workloads skips it"]);
  });
});
