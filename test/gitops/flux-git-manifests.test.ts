import { ApiObject, Testing } from 'cdk8s';
import { FluxGitManifests, FluxGitManifestsProps } from '../../lib/gitops/flux-git-manifests';
import { findManifest } from '../util';

const required: FluxGitManifestsProps = {
  name: 'training-operator',
  namespace: 'flux-system',
  repository: 'https://github.com/kubeflow/trainer',
  tag: 'v1.9.4',
  path: './manifests/overlays/standalone',
};

describe('FluxGitManifests', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new FluxGitManifests(chart, 'trainer', required);
    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('all props', () => {
    const chart = Testing.chart();
    const patches = [{ patch: '$patch: delete\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow\n', target: { kind: 'Namespace', name: 'kubeflow' } }];
    const props: Required<FluxGitManifestsProps> = { ...required, interval: '1h', timeout: '20m', labels: { 'platform.ml/operator': 'training-operator' }, patches };
    new FluxGitManifests(chart, 'trainer', props);
    const manifests = Testing.synth(chart);
    const kustomization = findManifest(manifests, 'Kustomization', 'training-operator', 'flux-system');
    expect(kustomization.spec).toMatchObject({ interval: '1h', timeout: '20m', path: props.path, wait: true, prune: true });
    expect(kustomization.metadata.labels).toEqual(props.labels);
    expect(kustomization.spec.patches).toEqual(patches);
  });

  test('pins the GitRepository to the tag and applies the overlay from it', () => {
    const chart = Testing.chart();
    new FluxGitManifests(chart, 'trainer', required);
    const manifests = Testing.synth(chart);
    expect(findManifest(manifests, 'GitRepository', 'training-operator').spec.ref).toEqual({ tag: 'v1.9.4' });
    expect(findManifest(manifests, 'Kustomization', 'training-operator').spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'training-operator' });
  });

  test.each([
    [{ repository: 'git@github.com:kubeflow/trainer.git' }, /'repository' \("git@github.com:kubeflow\/trainer.git"\) must be an https:\/\/ URL/],
    [{ tag: 'master' }, /'tag' \("master"\) must be an exact release tag/],
    [{ path: 'manifests/overlays/standalone' }, /'path' \("manifests\/overlays\/standalone"\) must start with \.\/.*Did you mean "\.\/manifests\/overlays\/standalone"\?/],
  ])('rejects %j', (override, message) => {
    expect(() => new FluxGitManifests(Testing.chart(), 'trainer', { ...required, ...override })).toThrow(message);
  });

  test('escape hatch: the default child is the Kustomization', () => {
    expect(ApiObject.of(new FluxGitManifests(Testing.chart(), 'trainer', required)).kind).toBe('Kustomization');
  });
});
