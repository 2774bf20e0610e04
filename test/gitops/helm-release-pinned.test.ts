import { ApiObject, Testing } from 'cdk8s';
import { collectDeclaredFlows } from '../../lib/core/flows';
import { PinnedHelmRelease, PinnedHelmReleaseProps } from '../../lib/gitops/helm-release-pinned';
import { findManifest } from '../util';

const https: PinnedHelmReleaseProps = {
  releaseName: 'spark-operator',
  namespace: 'spark-operator',
  repository: 'https://kubeflow.github.io/spark-operator',
  chart: 'spark-operator',
  version: '2.5.2',
};
const baseline = { quota: { pods: 20 }, containerDefaults: { request: { cpu: '50m', memory: '64Mi' }, limit: { cpu: '1', memory: '1Gi' } } };
const oci: PinnedHelmReleaseProps = { releaseName: 'cert-manager', namespace: 'cert-manager', repository: 'oci://quay.io/jetstack/charts', chart: 'cert-manager', version: 'v1.18.2' };

describe('PinnedHelmRelease', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new PinnedHelmRelease(chart, 'release', https);
    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('all props', () => {
    const chart = Testing.chart();
    const first = new PinnedHelmRelease(chart, 'crds', { ...oci, releaseName: 'kserve-crd', namespace: 'kserve' });
    const props: Required<PinnedHelmReleaseProps> = {
      ...oci,
      values: { crds: { enabled: true }, unset: undefined },
      interval: '1h',
      timeout: '20m',
      dependsOn: [first],
      createNamespace: { podSecurityLevel: 'baseline', podSecurityReason: 'upstream pods set no seccomp profile', ...baseline },
      labels: { 'platform.ml/operator': 'cert-manager' },
      webhooks: [{ name: 'cert-manager', podLabels: { 'app.kubernetes.io/name': 'webhook' }, port: 10250 }],
      callsApiServer: true,
      provider: 'azure',
      secretName: undefined as unknown as string,
      postRenderers: [{ kustomize: { patches: [{ target: { kind: 'ConfigMap', name: 'x' }, patch: '[{"op":"add","path":"/data/k","value":"v"}]' }] } }],
    };
    new PinnedHelmRelease(chart, 'release', props);
    const manifests = Testing.synth(chart);
    const release = findManifest(manifests, 'HelmRelease', 'cert-manager', 'cert-manager');
    expect(release.spec).toMatchObject({ interval: '1h', timeout: '20m', dependsOn: [{ name: 'kserve-crd', namespace: 'kserve' }] });
    expect(release.spec.values).toEqual({ crds: { enabled: true } });
    expect(release.spec.postRenderers).toEqual([{ kustomize: { patches: [{ target: { kind: 'ConfigMap', name: 'x' }, patch: '[{"op":"add","path":"/data/k","value":"v"}]' }] } }]);
    const namespace = findManifest(manifests, 'Namespace', 'cert-manager');
    expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'platform.ml/operator': 'cert-manager' });
    expect(namespace.metadata.annotations).toEqual({ 'platform.ml/pod-security-reason': 'upstream pods set no seccomp profile' });
    expect(findManifest(manifests, 'NetworkPolicy', 'default-deny-all', 'cert-manager')).toBeDefined();
    expect(findManifest(manifests, 'ResourceQuota', 'namespace-quota', 'cert-manager').spec.hard).toEqual({ pods: 20 });
    const traffic = findManifest(manifests, 'NetworkPolicy', 'allow-operator-traffic', 'cert-manager').spec;
    expect(traffic.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]);
    expect(traffic.ingress).toEqual([]);
    // Only the webhook server admits ingress, on its port, from any address (the API server's is not published).
    const webhook = findManifest(manifests, 'NetworkPolicy', 'allow-webhook-cert-manager', 'cert-manager').spec;
    expect(webhook).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'webhook' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 10250 }] }] });
    expect(collectDeclaredFlows(chart).map((f) => `${f.purpose} ${f.port}`)).toEqual(['API server to the cert-manager admission webhook 10250', 'operator pods call the API server 443']);
  });

  test.each([
    ['the webhook port only', [10250], [{ ports: [{ protocol: 'TCP', port: 10250 }] }]],
    ['nothing when the operator serves nothing', [], []],
    ['nothing by default', undefined, []],
  ])('the operator namespace admits %s (issue 14: never all ingress)', (_what, ingressPorts, ingress) => {
    const chart = Testing.chart();
    new PinnedHelmRelease(chart, 'release', { ...oci, createNamespace: { podSecurityLevel: 'restricted', ...baseline, ingressPorts } });
    const traffic = findManifest(Testing.synth(chart), 'NetworkPolicy', 'allow-operator-traffic', 'cert-manager').spec;
    expect(traffic.ingress).toEqual(ingress);
    expect(traffic.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('an https repository becomes a HelmRepository with the version on the chart spec', () => {
    const chart = Testing.chart();
    const release = new PinnedHelmRelease(chart, 'release', https);
    const manifests = Testing.synth(chart);
    expect(release.sourceKind).toBe('HelmRepository');
    expect(findManifest(manifests, 'HelmRepository', 'spark-operator', 'spark-operator').spec.url).toBe(https.repository);
    expect(findManifest(manifests, 'HelmRelease', 'spark-operator').spec.chart.spec).toMatchObject({
      chart: 'spark-operator', version: '2.5.2', sourceRef: { kind: 'HelmRepository', name: 'spark-operator' },
    });
  });

  test('an oci registry becomes an OCIRepository pinned to the version tag, referenced by chartRef', () => {
    const chart = Testing.chart();
    new PinnedHelmRelease(chart, 'release', oci);
    const manifests = Testing.synth(chart);
    expect(findManifest(manifests, 'OCIRepository', 'cert-manager').spec).toMatchObject({ url: 'oci://quay.io/jetstack/charts/cert-manager', ref: { tag: 'v1.18.2' } });
    const release = findManifest(manifests, 'HelmRelease', 'cert-manager');
    expect(release.spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'cert-manager' });
    expect(release.spec.chart).toBeUndefined();
  });

  test('a private registry: provider azure (Flux logs in to ACR with its identity) or a secretRef (issue 13)', () => {
    const chart = Testing.chart();
    new PinnedHelmRelease(chart, 'acr', { ...oci, releaseName: 'acr', repository: 'oci://example.azurecr.io/helm', provider: 'azure' });
    new PinnedHelmRelease(chart, 'secret', { ...oci, releaseName: 'secret', repository: 'oci://registry.example/charts', secretName: 'registry-login' });
    new PinnedHelmRelease(chart, 'basic', { ...https, releaseName: 'basic', secretName: 'charts-login' });
    const manifests = Testing.synth(chart);
    expect(findManifest(manifests, 'OCIRepository', 'acr').spec).toMatchObject({ provider: 'azure' });
    expect(findManifest(manifests, 'OCIRepository', 'acr').spec.secretRef).toBeUndefined();
    expect(findManifest(manifests, 'OCIRepository', 'secret').spec).toMatchObject({ secretRef: { name: 'registry-login' } });
    expect(findManifest(manifests, 'OCIRepository', 'secret').spec.provider).toBeUndefined();
    expect(findManifest(manifests, 'HelmRepository', 'basic').spec).toMatchObject({ secretRef: { name: 'charts-login' } });
    expect(() => new PinnedHelmRelease(Testing.chart(), 'x', { ...https, provider: 'azure' })).toThrow(/'provider' \(azure\) applies to oci:\/\/ registries only/);
    expect(() => new PinnedHelmRelease(Testing.chart(), 'x', { ...oci, provider: 'azure', secretName: 's' })).toThrow(/'provider' \(azure\) and 'secretName' are exclusive/);
  });

  test('installs and upgrades CRDs and retries failed actions', () => {
    const chart = Testing.chart();
    new PinnedHelmRelease(chart, 'release', https);
    const spec = findManifest(Testing.synth(chart), 'HelmRelease', 'spark-operator').spec;
    expect(spec.install).toEqual({ crds: 'CreateReplace', remediation: { retries: 3 } });
    expect(spec.upgrade).toMatchObject({ crds: 'CreateReplace', remediation: { retries: 3, remediateLastFailure: true } });
  });

  test.each([
    [{ releaseName: 'a'.repeat(54) }, /'releaseName' \("a{54}"\) must be a DNS label of at most 53 characters/],
    [{ namespace: 'Spark' }, /'namespace' \("Spark"\) must be a DNS label/],
    [{ repository: 'http://charts.example.com' }, /'repository' \("http:\/\/charts.example.com"\) must be an https:\/\/ or oci:\/\/ URL/],
    [{ chart: 'Spark_Operator' }, /'chart' \("Spark_Operator"\) must be a chart name/],
    [{ version: '>=2.0.0' }, /'version' \(">=2.0.0"\) must be an exact version/],
    [{ createNamespace: { podSecurityLevel: 'privileged' as const, ...baseline } }, /'createNamespace.podSecurityLevel' \(privileged\) needs a 'podSecurityReason'/],
  ])('rejects %j', (override, message) => {
    expect(() => new PinnedHelmRelease(Testing.chart(), 'release', { ...https, ...override })).toThrow(message);
  });

  test('escape hatch: the default child is the HelmRelease', () => {
    expect(ApiObject.of(new PinnedHelmRelease(Testing.chart(), 'release', https)).kind).toBe('HelmRelease');
  });
});
