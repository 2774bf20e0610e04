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
    const files = Array.from({ length: 2500 }, (_, i) => `ns_pod_${String(i).padStart(4, '0')}.yaml`);
    const parts = splitIntoFolders('workloads', files);
    expect(parts.map((p) => p.folder)).toEqual(['workloads', 'workloads-2', 'workloads-3']);
    expect(parts.map((p) => p.files.length)).toEqual([834, 834, 832]);
    expect(parts.flatMap((p) => p.files)).toEqual([...files].sort());
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
