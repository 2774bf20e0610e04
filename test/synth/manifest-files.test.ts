import { manifestFileName, splitIntoFolders, kustomizationYaml, toYaml } from '../../lib/synth/manifest-files';

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
    expect(splitIntoFolders('platform', ['b.yaml', 'a.yaml'], 3)).toEqual([{ folder: 'platform', files: ['a.yaml', 'b.yaml'] }]);
  });

  test('a layer over the limit is split into balanced, sorted folders named <layer>, <layer>-2, ...', () => {
    const files = Array.from({ length: 1250 }, (_, i) => `ns_pod_${String(i).padStart(4, '0')}.yaml`);
    const parts = splitIntoFolders('workloads', files);
    expect(parts.map((p) => p.folder)).toEqual(['workloads', 'workloads-2', 'workloads-3']);
    expect(parts.map((p) => p.files.length)).toEqual([417, 417, 416]);
    expect(parts.flatMap((p) => p.files)).toEqual([...files].sort());
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
    const parts = splitIntoFolders('workloads', files, 40, unitOf);
    expect(parts.every((p) => p.files.length <= 40)).toBe(true);
    expect(parts.flatMap((p) => p.files).sort()).toEqual([...files].sort());
    const folderOf = (file: string) => parts.findIndex((p) => p.files.includes(file));
    const lastDependency = Math.max(...files.filter((f) => /_(serviceaccount|networkpolicy|resourcequota|limitrange)_/.test(f)).map(folderOf));
    const firstWorkload = Math.min(...files.filter((f) => f.includes('_deployment_')).map(folderOf));
    expect(lastDependency).toBeLessThanOrEqual(firstWorkload);
    expect(folderOf('cluster_namespace_team.yaml')).toBe(0);
    // the quota and LimitRange come first in their namespace: they act when pods are admitted
    expect(parts[0].files.slice(1, 3)).toEqual(['team_resourcequota_namespace-quota.yaml', 'team_limitrange_container-defaults.yaml']);
  });

  test('a workload stays in one folder with its own objects', () => {
    const parts = splitIntoFolders('workloads', files, 40, unitOf);
    for (let i = 0; i < 30; i++) {
      const app = `app-${String(i).padStart(2, '0')}`;
      const holding = parts.filter((p) => p.files.some((f) => unitOf(f) === app)).map((p) => p.folder);
      expect([app, holding.length]).toEqual([app, 1]);
    }
  });

  test('a workload larger than a folder is cut into folder-sized pieces', () => {
    const big = Array.from({ length: 25 }, (_, i) => `team_httproute_r-${String(i).padStart(2, '0')}.yaml`);
    const parts = splitIntoFolders('workloads', big, 10, () => 'routes');
    expect(parts.map((p) => p.files.length)).toEqual([9, 9, 7]);
  });
});

describe('splitting by YAML size', () => {
  test('a layer within the object limit but past the byte limit is split by size, balanced', () => {
    const files = Array.from({ length: 30 }, (_, i) => `spark_sparkapplication_job-${String(i).padStart(2, '0')}.yaml`);
    const parts = splitIntoFolders('workloads', files, 500, () => undefined, () => 10_000, 100_000);
    expect(parts.map((p) => p.files.length)).toEqual([10, 10, 10]);
    expect(parts.flatMap((p) => p.files)).toEqual(files);
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
