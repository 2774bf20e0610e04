import { ApiObject, Testing } from 'cdk8s';
import { NamespaceBaseline, NamespaceBaselineProps, PodSecurityLevel } from '../../lib/core/namespace-baseline';
import { findManifest, Manifest } from '../util';

const requiredProps: NamespaceBaselineProps = {
  name: 'team-a',
  quota: { 'requests.cpu': '4', 'pods': 20 },
  containerDefaults: { request: { cpu: '100m', memory: '128Mi' }, limit: { cpu: '1', memory: '1Gi' } },
};

function synth(props: NamespaceBaselineProps = requiredProps): Manifest[] {
  const chart = Testing.chart();
  new NamespaceBaseline(chart, 'ns', props);
  return Testing.synth(chart) as Manifest[];
}

describe('NamespaceBaseline', () => {
  test('defaults', () => {
    expect(synth()).toMatchSnapshot();
  });

  test('all props', () => {
    const props: Required<NamespaceBaselineProps> = {
      ...requiredProps,
      containerDefaults: { ...requiredProps.containerDefaults, max: { cpu: '4', memory: '8Gi' } },
      podSecurityLevel: PodSecurityLevel.BASELINE,
      podSecurityReason: 'runs a legacy image that needs root',
      podSecurityVersion: 'v1.31',
      labels: { team: 'a' },
    };
    const manifests = synth(props);
    expect(manifests).toMatchSnapshot();
    const ns = findManifest(manifests, 'Namespace', 'team-a');
    expect(ns.metadata.labels).toMatchObject({ 'team': 'a', 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.31' });
    expect(ns.metadata.annotations).toEqual({ 'platform.ml/pod-security-reason': 'runs a legacy image that needs root' });
    expect(findManifest(manifests, 'LimitRange', 'container-defaults').spec.limits[0].max).toEqual({ cpu: '4', memory: '8Gi' });
  });

  test('enforces restricted by default, and always audits and warns at restricted', () => {
    const ns = findManifest(synth(), 'Namespace', 'team-a');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const relaxed = findManifest(synth({ ...requiredProps, podSecurityLevel: PodSecurityLevel.PRIVILEGED, podSecurityReason: 'hostNetwork daemons' }), 'Namespace', 'team-a');
    expect(relaxed.metadata.labels!['pod-security.kubernetes.io/audit']).toBe('restricted');
  });

  test('denies all ingress and egress by default and allows DNS to kube-dns only', () => {
    const manifests = synth();
    const deny = findManifest(manifests, 'NetworkPolicy', 'default-deny-all', 'team-a');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = findManifest(manifests, 'NetworkPolicy', 'allow-dns-egress', 'team-a');
    expect(dns.spec.policyTypes).toEqual(['Egress']);
    expect(dns.spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test('renders quota and container defaults', () => {
    const manifests = synth();
    expect(findManifest(manifests, 'ResourceQuota', 'namespace-quota', 'team-a').spec.hard).toEqual({ 'requests.cpu': '4', 'pods': 20 });
    expect(findManifest(manifests, 'LimitRange', 'container-defaults', 'team-a').spec.limits).toEqual([{
      type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { cpu: '1', memory: '1Gi' },
    }]);
  });

  test('rejects a name that is not a DNS label', () => {
    expect(() => synth({ ...requiredProps, name: 'Team_A' })).toThrow(/NamespaceBaseline 'ns': 'name' \("Team_A"\) must be a DNS label/);
  });

  test('rejects a relaxed level without a reason', () => {
    expect(() => synth({ ...requiredProps, podSecurityLevel: PodSecurityLevel.BASELINE })).toThrow(/'podSecurityLevel' \(baseline\) needs a 'podSecurityReason'/);
  });

  test('rejects a malformed quantity', () => {
    expect(() => synth({ ...requiredProps, quota: { 'requests.memory': '2 GB' } })).toThrow(/'quota.requests.memory' \("2 GB"\) is not a Kubernetes quantity/);
    expect(() => synth({ ...requiredProps, containerDefaults: { ...requiredProps.containerDefaults, limit: { cpu: 'one', memory: '1Gi' } } }))
      .toThrow(/'containerDefaults.limit.cpu' \("one"\)/);
  });

  test('escape hatch: the default child is the Namespace', () => {
    const chart = Testing.chart();
    const baseline = new NamespaceBaseline(chart, 'ns', requiredProps);
    expect(ApiObject.of(baseline).kind).toBe('Namespace');
  });
});
