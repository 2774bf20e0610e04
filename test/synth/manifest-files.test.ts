import { DEPENDENCY_KINDS, DEPENDENCY_TYPES, LayerFoldersError, manifestFileName, manifestKind, splitIntoFolders, kustomizationYaml, toYaml } from '../../lib/synth/manifest-files';

describe('manifest file names', () => {
  test('namespaced core objects: <namespace>_<kind>_<name>.yaml', () => {
    expect(manifestFileName({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } })).toBe('shop_deployment_web.yaml');
  });

  test('cluster-scoped objects use "cluster" in place of the namespace', () => {
    expect(manifestFileName({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } })).toBe('cluster_clusterrole_reader.yaml');
  });

  test('custom resources outside Kubernetes API groups carry their group, so same-named kinds never collide', () => {
    const flux = manifestFileName({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' } });
    const kustomize = manifestFileName({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' } });
    expect(flux).toBe('flux-system_kustomization.kustomize.toolkit.fluxcd.io_apps.yaml');
    expect(flux).not.toBe(kustomize);
  });
});

describe('splitting large layers', () => {
  test('a layer within the limit stays one folder', () => {
    expect(splitIntoFolders('platform', ['b.yaml', 'a.yaml'], { maxObjects: 3 })).toEqual([{ folder: 'platform', files: ['a.yaml', 'b.yaml'] }]);
  });

  test('a layer over the limit of its folders is an error naming the smallest folder count that fits', () => {
    const files = Array.from({ length: 1250 }, (_, i) => `ns_pod_${String(i).padStart(4, '0')}.yaml`);
    expect(() => splitIntoFolders('workloads', files)).toThrow(/layer 'workloads' does not fit in one folder: workloads: 1250 objects.* Set it to 4, the smallest count that fits/);
    const parts = splitIntoFolders('workloads', files, { folders: 4 });
    expect(parts.map((p) => p.folder)).toEqual(['workloads-3', 'workloads-2', 'workloads-1', 'workloads']);
    expect(parts.every((p) => p.files.length <= 500)).toBe(true);
    expect(parts.flatMap((p) => p.files).sort()).toEqual([...files].sort());
    expect(() => splitIntoFolders('workloads', files, { folders: 3 })).toThrow(/3 folders is not one of 1, 2, 4, 8, 16, 32, 64/);
  });

  test('cluster-scoped objects that alone exceed a folder cannot be split: the error says so', () => {
    const files = Array.from({ length: 30 }, (_, i) => `cluster_namespace_ns-${i}.yaml`);
    expect(() => splitIntoFolders('platform', files, { folders: 2, maxObjects: 10 })).toThrow(/platform-cluster: 30 objects.*No folder count up to 64 fits \(its cluster-scoped objects share one folder\)/);
  });
});

describe('dependency-aware splitting', () => {
  const deploymentOf = (name: string) => `team_deployment_${name}.yaml`;
  const files = [
    'cluster_namespace_team.yaml',
    ...Array.from({ length: 30 }, (_, i) => `team_serviceaccount_sa-${String(i).padStart(2, '0')}.yaml`),
    ...Array.from({ length: 30 }, (_, i) => `team_networkpolicy_np-${String(i).padStart(2, '0')}.yaml`),
    'team_resourcequota_namespace-quota.yaml',
    'team_limitrange_container-defaults.yaml',
    ...Array.from({ length: 30 }, (_, i) => deploymentOf(`app-${String(i).padStart(2, '0')}`)),
    ...Array.from({ length: 30 }, (_, i) => `team_service_app-${String(i).padStart(2, '0')}.yaml`),
    ...Array.from({ length: 30 }, (_, i) => `team_poddisruptionbudget_app-${String(i).padStart(2, '0')}.yaml`),
  ];
  const unitOf = (file: string) => /_(app-\d+)\.yaml$/.exec(file)?.[1];

  test('sorted by file name a Deployment would come before its ServiceAccount; split by dependency it never does', () => {
    const parts = splitIntoFolders('workloads', files, { folders: 4, maxObjects: 40, unitOf });
    expect(parts.every((p) => p.files.length <= 40)).toBe(true);
    expect(parts.flatMap((p) => p.files).sort()).toEqual([...files].sort());
    const folderOf = (file: string) => parts.findIndex((p) => p.files.includes(file));
    const lastDependency = Math.max(...files.filter((f) => /_(serviceaccount|networkpolicy|resourcequota|limitrange)_/.test(f)).map(folderOf));
    const firstWorkload = Math.min(...files.filter((f) => f.includes('_deployment_')).map(folderOf));
    expect(lastDependency).toBeLessThan(firstWorkload);
    expect(parts[0]).toEqual({ folder: 'workloads-cluster', files: ['cluster_namespace_team.yaml'] });
    // in apply order: the cluster-scoped folder, the dependency folders, then the workload folders, highest index first
    const names = parts.map((p) => p.folder);
    expect(names).toEqual(['workloads-cluster', 'workloads-deps-3', 'workloads-deps-2', 'workloads-deps-1', 'workloads-deps',
      'workloads-services-3', 'workloads-services-2', 'workloads-services-1', 'workloads-services', 'workloads-3', 'workloads-2', 'workloads-1', 'workloads']
      .filter((name) => names.includes(name)));
  });

  test('a workload stays in one folder with its own objects', () => {
    const parts = splitIntoFolders('workloads', files, { folders: 4, maxObjects: 40, unitOf });
    for (let i = 0; i < 30; i++) {
      const app = `app-${String(i).padStart(2, '0')}`;
      const holding = parts.filter((p) => p.files.some((f) => unitOf(f) === app && !f.includes('_networkpolicy_') && !f.includes('_serviceaccount_'))).map((p) => p.folder);
      expect([app, holding.length]).toEqual([app, 1]);
    }
  });

  test('a workload declared spread is placed object by object; a grouped one stays whole at any size, and one larger than a folder is refused', () => {
    const big = Array.from({ length: 100 }, (_, i) => `team_service_s-${String(i).padStart(2, '0')}.yaml`);
    const parts = splitIntoFolders('workloads', big, { folders: 4, maxObjects: 40, unitOf: () => 'services', placementOf: () => 'spread' });
    expect(parts).toHaveLength(4);
    expect(parts.every((p) => p.files.length <= 40 && p.files.length >= 10)).toBe(true);
    expect(splitIntoFolders('workloads', big, { folders: 4, maxObjects: 200, unitOf: () => 'services' })).toHaveLength(1);
    expect(() => splitIntoFolders('workloads', big, { folders: 4, maxObjects: 40, unitOf: () => 'services' }))
      .toThrow(LayerFoldersError);
    expect(() => splitIntoFolders('workloads', big, { folders: 4, maxObjects: 40, unitOf: () => 'services' }))
      .toThrow(/workload 'services' in namespace 'team' alone holds 100 objects .* declare the placement 'spread' in its construct/);
  });

  test('a route collection is spread object by object at any size, so its growth never moves a route', () => {
    const routes = (n: number) => Array.from({ length: n }, (_, i) => `gateway_httproute_r-${String(i).padStart(3, '0')}.yaml`);
    const folderOf = (files: string[]) => new Map(splitIntoFolders('workloads', files, { folders: 4, unitOf: () => 'routes', placementOf: () => 'spread' }).flatMap((p) => p.files.map((f) => [f, p.folder] as const)));
    const few = folderOf(routes(10));
    expect(new Set(few.values()).size).toBeGreaterThan(1);
    const many = folderOf(routes(200));
    expect([...few].filter(([file, folder]) => many.get(file) !== folder)).toEqual([]);
  });
});

describe('services before the workloads that use them', () => {
  test('HDFS and the Kafka cluster come in the services folders, before every Spark job, topic and user', () => {
    const files = [
      'hdfs_statefulset_namenode.yaml', 'hdfs_service_namenode.yaml', 'hdfs_configmap_hdfs-config.yaml',
      'kafka_kafka.kafka.strimzi.io_events.yaml', 'kafka_kafkanodepool.kafka.strimzi.io_dual.yaml',
      ...Array.from({ length: 40 }, (_, i) => `kafka_kafkatopic.kafka.strimzi.io_t-${i}.yaml`),
      ...Array.from({ length: 60 }, (_, i) => `spark_sparkapplication.sparkoperator.k8s.io_job-${i}.yaml`),
    ];
    const unitOf = (file: string) => (file.startsWith('hdfs_') ? 'hdfs' : file.startsWith('kafka_kafka') && !file.includes('topic') ? 'kafka' : undefined);
    const parts = splitIntoFolders('workloads', files, { folders: 8, unitOf, placementOf: () => 'service' });
    const folderOf = (file: string) => parts.findIndex((p) => p.files.includes(file));
    const services = ['hdfs_statefulset_namenode.yaml', 'hdfs_service_namenode.yaml', 'kafka_kafka.kafka.strimzi.io_events.yaml', 'kafka_kafkanodepool.kafka.strimzi.io_dual.yaml'];
    for (const file of services) expect(parts[folderOf(file)].folder).toMatch(/^workloads-services(-\d+)?$/);
    // a workload stays whole: the Kafka cluster with its node pool, HDFS with its Service
    expect(folderOf('kafka_kafka.kafka.strimzi.io_events.yaml')).toBe(folderOf('kafka_kafkanodepool.kafka.strimzi.io_dual.yaml'));
    expect(folderOf('hdfs_statefulset_namenode.yaml')).toBe(folderOf('hdfs_service_namenode.yaml'));
    const lastService = Math.max(...services.map(folderOf));
    const others = files.filter((f) => f.includes('_kafkatopic.') || f.includes('_sparkapplication.'));
    expect(Math.min(...others.map(folderOf))).toBeGreaterThan(lastService);
  });
});

describe('the section of a workload is its construct\'s declaration, not its content', () => {
  test('a workload holding a service kind without declaring service is refused, whatever the folder count', () => {
    const files = ['hdfs_statefulset_namenode.yaml', 'hdfs_service_namenode.yaml'];
    for (const folders of [1, 4]) {
      expect(() => splitIntoFolders('workloads', files, { folders, unitOf: () => 'hdfs' }))
        .toThrow(/workload 'hdfs' in namespace 'hdfs' holds statefulset .* declares the folder placement 'workload'; declare 'service' in its constructor/);
    }
  });
});

describe('stable splitting: an object\'s folder depends only on its own identity', () => {
  const app = (i: number) => [`team_deployment_app-${i}.yaml`, `team_service_app-${i}.yaml`, `team_serviceaccount_app-${i}.yaml`];
  const unitOf = (file: string) => /_(app-\d+)\.yaml$/.exec(file)?.[1];
  const folderMap = (files: readonly string[], folders: number) =>
    new Map(splitIntoFolders('workloads', files, { folders, unitOf, maxObjects: 1000 }).flatMap((p) => p.files.map((f) => [f, p.folder] as const)));
  const base = ['cluster_namespace_team.yaml', 'team_resourcequota_quota.yaml', ...Array.from({ length: 200 }, (_, i) => app(i)).flat()];

  test('adding or removing a workload or a namespace moves no other object', () => {
    const before = folderMap(base, 8);
    const changes: string[][] = [
      [...base, ...app(1000)],
      base.filter((f) => !app(17).includes(f)),
      base.filter((f) => !app(0).includes(f) && !app(1).includes(f)),
      [...base, 'cluster_namespace_other.yaml', 'other_resourcequota_quota.yaml', 'other_deployment_x.yaml'],
    ];
    for (const files of changes) {
      const after = folderMap(files, 8);
      const moved = [...after].filter(([file, folder]) => before.has(file) && before.get(file) !== folder);
      expect(moved).toEqual([]);
    }
  });

  test('a workload growing past any size, losing its StatefulSet, or a route collection gaining another kind moves none of its objects', () => {
    const folders = (files: readonly string[], placementOf: (unit: string) => 'service' | 'workload' | 'spread') =>
      new Map(splitIntoFolders('workloads', files, { folders: 8, unitOf: (f) => f.split('_')[2].replace(/-\d+\.yaml$|\.yaml$/, ''), placementOf, maxObjects: 1000, maxBytes: 1e9 })
        .flatMap((p) => p.files.map((f) => [f, p.folder] as const)));
    const unchanged = (before: Map<string, string>, after: Map<string, string>) => [...before].filter(([file, folder]) => after.has(file) && after.get(file) !== folder);
    // 10 objects, then 100 (past the former 32-object group limit)
    const grow = (n: number) => Array.from({ length: n }, (_, i) => `team_service_app-${i}.yaml`);
    const small = folders(grow(10), () => 'workload');
    expect(new Set(small.values()).size).toBe(1);
    expect(unchanged(small, folders(grow(100), () => 'workload'))).toEqual([]);
    // HDFS without its DaemonSet (a service workload that no longer holds the one service kind it had) stays
    const hdfs = ['hdfs_statefulset_hdfs.yaml', 'hdfs_daemonset_hdfs.yaml', 'hdfs_service_hdfs.yaml', 'hdfs_job_hdfs-smoke.yaml'];
    const svc = () => 'service' as const;
    expect(unchanged(folders(hdfs, svc), folders(hdfs.filter((f) => !f.includes('_statefulset_') && !f.includes('_daemonset_')), svc))).toEqual([]);
    // routes, then routes with a BackendTLSPolicy in the same collection
    const routes = Array.from({ length: 20 }, (_, i) => `gateway_httproute_routes-${i}.yaml`);
    const spread = () => 'spread' as const;
    expect(unchanged(folders(routes, spread), folders([...routes, 'gateway_backendtlspolicy.gateway.networking.k8s.io_routes-tls.yaml'], spread))).toEqual([]);
  });

  test('doubling the folder count moves objects only to folders Flux applies earlier', () => {
    for (const [from, to] of [[1, 2], [2, 4], [4, 8], [8, 16], [1, 8]]) {
      const parts = splitIntoFolders('workloads', base, { folders: to, unitOf, maxObjects: 1000 });
      const position = new Map(parts.map((p, i) => [p.folder, i]));
      const after = new Map(parts.flatMap((p) => p.files.map((f) => [f, p.folder] as const)));
      const before = folderMap(base, from);
      let moved = 0;
      for (const [file, folder] of before) {
        // a folder that no longer exists after the change counts as applied last
        const was = position.get(folder) ?? Infinity;
        if (after.get(file) !== folder) {
          moved++;
          expect([from, to, file, position.get(after.get(file)!)! < was]).toEqual([from, to, file, true]);
        }
      }
      expect(moved).toBeGreaterThan(0);
    }
  });

  test('the split is the same on every run and does not depend on the order of the files', () => {
    const once = splitIntoFolders('workloads', base, { folders: 8, unitOf });
    expect(splitIntoFolders('workloads', [...base].reverse(), { folders: 8, unitOf })).toEqual(once);
    // pinned: a change of the hash would move every object of every split cluster
    expect(once.find((p) => p.files.includes('team_deployment_app-0.yaml'))!.folder).toMatchInlineSnapshot(`"workloads-4"`);
  });
});

describe('splitting by YAML size', () => {
  test('a layer within the object limit but past the byte limit needs more folders; spread, each stays within it', () => {
    const files = Array.from({ length: 30 }, (_, i) => `spark_sparkapplication_job-${String(i).padStart(2, '0')}.yaml`);
    const options = { sizeOf: () => 10_000, maxBytes: 100_000 };
    expect(() => splitIntoFolders('workloads', files, options)).toThrow(/workloads: 30 objects, 293 KiB .* Set it to \d+, the smallest count that fits/);
    const parts = splitIntoFolders('workloads', files, { ...options, folders: 8 });
    expect(parts.every((p) => p.files.length * 10_000 <= 100_000)).toBe(true);
    expect(parts.flatMap((p) => p.files).sort()).toEqual(files);
  });
});

describe('YAML output', () => {
  test('strings YAML 1.1 would read as booleans or numbers stay quoted', () => {
    expect(toYaml({ a: 'on', b: 'yes', c: '1.31', d: 'true' })).toBe('a: "on"\nb: "yes"\nc: "1.31"\nd: "true"\n');
  });

  test('kustomization lists its resources sorted', () => {
    expect(kustomizationYaml(['b.yaml', 'a.yaml'])).toBe('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - a.yaml\n  - b.yaml\n');
  });
});

describe('dependency kinds are spelled as the split sees them', () => {
  // Objects of every kind the workloads depend on, with the API versions the platform writes; each must land in a
  // dependency folder of a split layer, before the workload that uses it.
  const samples = [
    ...DEPENDENCY_TYPES,
    // written out again, independently of DEPENDENCY_TYPES: the grant and backend TLS policy a route needs and the aad-pod-identity kinds
    { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant' },
    { apiVersion: 'gateway.networking.k8s.io/v1alpha3', kind: 'BackendTLSPolicy' },
    { apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureIdentity' },
    { apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureIdentityBinding' },
    { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' },
  ];

  test.each(samples.map((s) => [`${s.apiVersion} ${s.kind}`, s] as const))('%s: DEPENDENCY_KINDS holds the key of its file name, and the split puts it in a deps folder', (_, type) => {
    const file = manifestFileName({ ...type, metadata: { name: 'needed', namespace: 'team' } });
    const key = file.split('_')[1];
    expect(key).toBe(manifestKind(type));
    expect(DEPENDENCY_KINDS).toContain(key);
    const parts = splitIntoFolders('workloads', [file, 'team_deployment_app.yaml'], { folders: 2 });
    expect(parts.find((p) => p.files.includes(file))?.folder).toMatch(/^workloads-deps/);
    expect(parts.find((p) => p.files.includes('team_deployment_app.yaml'))?.folder).not.toMatch(/-deps/);
  });

  test('every entry of DEPENDENCY_KINDS is the key of a file name (none is a spelling the file names never produce)', () => {
    expect(DEPENDENCY_KINDS).toEqual(DEPENDENCY_TYPES.map((type) => manifestFileName({ ...type, metadata: { name: 'x', namespace: 'team' } }).split('_')[1]));
    expect(DEPENDENCY_KINDS).toContain('referencegrant');
    expect(DEPENDENCY_KINDS.filter((kind) => kind.endsWith('.k8s.io'))).toEqual([]);
  });
});
