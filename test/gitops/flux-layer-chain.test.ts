import { ApiObject, Testing } from 'cdk8s';
import { healthChecksFor } from '../../lib/gitops/flux-health-checks';
import { FluxLayerChain, FluxLayerChainProps } from '../../lib/gitops/flux-layer-chain';
import { findManifest } from '../util';

const required: FluxLayerChainProps = {
  url: 'https://github.com/example/platform.git',
  layers: [
    { name: 'operators', path: './dist/example/serving/operators' },
    { name: 'platform', path: './dist/example/serving/platform' },
    { name: 'workloads', path: './dist/example/serving/workloads' },
  ],
};

describe('FluxLayerChain', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new FluxLayerChain(chart, 'flux', required);
    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('all props', () => {
    const chart = Testing.chart();
    const props: Required<FluxLayerChainProps> = {
      ...required,
      layers: [
        { name: 'operators', path: './out/operators' },
        { name: 'workloads', path: './out/workloads', healthCheckExprs: healthChecksFor([{ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob' }]) },
      ],
      sourceName: 'manifests',
      namespace: 'gitops',
      branch: 'release',
      includeOnly: 'out',
      secretName: 'git-auth',
      sourceInterval: '5m',
      interval: '1h',
      retryInterval: '30s',
      timeout: '20m',
      labels: { team: 'platform' },
    };
    new FluxLayerChain(chart, 'flux', props);
    const manifests = Testing.synth(chart);
    const source = findManifest(manifests, 'GitRepository', 'manifests', 'gitops');
    expect(source.spec).toEqual({ url: props.url, ref: { branch: 'release' }, interval: '5m', timeout: '60s', secretRef: { name: 'git-auth' }, ignore: '/*\n!/out/\n' });
    const workloads = findManifest(manifests, 'Kustomization', 'workloads', 'gitops');
    expect(workloads.spec).toMatchObject({ interval: '1h', retryInterval: '30s', timeout: '20m', dependsOn: [{ name: 'operators' }], sourceRef: { name: 'manifests' } });
    expect(workloads.spec.healthCheckExprs[0]).toMatchObject({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob' });
    expect(workloads.metadata.labels).toEqual({ team: 'platform' });
  });

  test('chains the layers with dependsOn, wait and prune', () => {
    const chart = Testing.chart();
    new FluxLayerChain(chart, 'flux', required);
    const manifests = Testing.synth(chart);
    expect(findManifest(manifests, 'Kustomization', 'operators').spec.dependsOn).toBeUndefined();
    expect(findManifest(manifests, 'Kustomization', 'platform').spec.dependsOn).toEqual([{ name: 'operators' }]);
    expect(findManifest(manifests, 'Kustomization', 'workloads').spec.dependsOn).toEqual([{ name: 'platform' }]);
    for (const layer of ['operators', 'platform', 'workloads']) {
      expect(findManifest(manifests, 'Kustomization', layer, 'flux-system').spec).toMatchObject({ wait: true, prune: true, sourceRef: { kind: 'GitRepository', name: 'platform-manifests' } });
    }
  });

  test('health checks cover the job kinds without a Ready condition, each guarded against a missing status', () => {
    const checks = healthChecksFor([{ apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication' }, { apiVersion: 'v1', kind: 'ConfigMap' }]);
    expect(checks.map((c) => c.kind)).toEqual(['SparkApplication']);
    expect(checks[0].current).toContain('orValue');
    expect(checks[0].failed).toContain("'FAILED'");
  });

  test.each([
    [{ url: 'git@github.com:example/platform.git' }, /'url' \("git@github.com:example\/platform.git"\) must be an https:\/\/ or ssh:\/\/ Git URL/],
    [{ layers: [] }, /'layers' is empty/],
    [{ layers: [{ name: 'Operators', path: './x' }] }, /'layers\[0\].name' \("Operators"\) must be a DNS label/],
    [{ layers: [{ name: 'a', path: './x' }, { name: 'a', path: './y' }] }, /'layers\[1\].name' \("a"\) is used twice/],
    [{ layers: [{ name: 'a', path: 'dist/a' }] }, /'layers\[0\].path' \("dist\/a"\) must start with \.\/\. Did you mean "\.\/dist\/a"\?/],
  ])('rejects %j', (override, message) => {
    const chart = Testing.chart();
    expect(() => new FluxLayerChain(chart, 'flux', { ...required, ...override })).toThrow(message);
  });

  test('escape hatch: the default child is the GitRepository', () => {
    const chain = new FluxLayerChain(Testing.chart(), 'flux', required);
    expect(ApiObject.of(chain).kind).toBe('GitRepository');
  });
});
