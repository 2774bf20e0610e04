/**
 * The verifier models cert-manager's ACME HTTP-01 solver pods (cert-manager v1.18.2 pkg/issuer/acme/http/pod.go) in
 * the namespace of a Gateway whose ClusterIssuer uses HTTP-01: admission (Pod Security), quota and LimitRange fit,
 * and the network flows from the proxies. Mutation tests: each breakage is reported on the Gateway.
 */
import { admissionRule } from '../../lib/verify/admission-rule';
import { networkFlowRule } from '../../lib/verify/network-flows';
import { modelPods } from '../../lib/verify/pod-model';
import { ClusterModel } from '../../lib/verify/cluster-model';
import { quotaFitRule } from '../../lib/verify/quota-fit-rule';
import { VerifiedCluster, verifyCluster } from '../../lib/verify';
import { clusterObject, exampleCluster, faultsOn, removeObject } from './example-clusters';

const GATEWAY = 'Gateway/gateway/ml-gateway';
const serving = () => exampleCluster('serving');

const certManagerValues = (c: VerifiedCluster) => clusterObject(c, 'HelmRelease', 'cert-manager', 'cert-manager').spec.values;

describe('cert-manager HTTP-01 solver pods in the verifier', () => {
  test('the example models one solver pod per listener host with the v1.18.2 defaults, and it passes every rule', () => {
    const c = serving();
    const solver = modelPods(ClusterModel.of(c)).filter((p) => p.labels['acme.cert-manager.io/http01-solver'] === 'true');
    expect(solver).toHaveLength(1);
    expect(solver[0].namespace).toBe('gateway');
    expect(solver[0].replicas).toBe(clusterObject(c, 'Gateway', 'gateway', 'ml-gateway').spec.listeners.filter((l: any) => l.tls).length);
    expect(solver[0].spec.containers[0].resources).toEqual({ requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } });
    expect(verifyCluster(c).faults).toEqual([]);
  });

  test('a solver running as root (solverRunAsNonRoot: false) is rejected by the restricted gateway namespace', () => {
    const c = serving();
    certManagerValues(c).config.acmeHTTP01Config = { solverRunAsNonRoot: false };
    const faults = faultsOn(admissionRule, c, GATEWAY);
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/cert-manager HTTP-01 solver .* rejected by the 'restricted' Pod Security level .*runAsNonRoot/);
    expect(faults[0].upstream).toMatch(/cert-manager v1\.18\.2 pkg\/issuer\/acme\/http\/pod\.go/);
  });

  test('solver resources over the gateway namespace LimitRange maximum (controller flag), and a quota without room', () => {
    const c = serving();
    certManagerValues(c).extraArgs = ['--acme-http01-solver-resource-limits-memory=512Mi'];
    clusterObject(c, 'LimitRange', 'gateway', 'container-defaults').spec.limits[0].max = { cpu: '2', memory: '256Mi' };
    expect(faultsOn(quotaFitRule, c, GATEWAY).map((f) => f.message))
      .toEqual([expect.stringMatching(/container acmesolver of cert-manager HTTP-01 solver .* memory 512Mi, over the maximum 256Mi/)]);
    const d = serving();
    clusterObject(d, 'ResourceQuota', 'gateway', 'namespace-quota').spec.hard['limits.memory'] = '32Mi';
    expect(quotaFitRule(d).map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^limits\.memory .* over the quota's 32Mi.*Gateway\/ml-gateway cert-manager HTTP-01 solver/)]));
  });

  test.each(['ml-gateway-acme-http01-solver', 'ml-gateway-to-acme-http01-solver'])('without NetworkPolicy %s the proxies cannot reach the solver', (name) => {
    const c = serving();
    removeObject(c, 'NetworkPolicy', 'gateway', name);
    expect(networkFlowRule(c).map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/ACME HTTP-01 challenges .* 8089/)]));
  });

  test('without NetworkPolicy acme-self-check-to-ml-gateway the cert-manager self-check cannot reach the proxies on 10080', () => {
    const c = serving();
    expect(networkFlowRule(c)).toEqual([]);
    removeObject(c, 'NetworkPolicy', 'cert-manager', 'acme-self-check-to-ml-gateway');
    expect(networkFlowRule(c).map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/HTTP-01 self-check reaches the ml-gateway gateway proxies.*10080/)]));
  });

  test('a Gateway whose issuer uses DNS-01 gets no solver pods', () => {
    const c = serving();
    clusterObject(c, 'Gateway', 'gateway', 'ml-gateway').metadata.annotations['platform.ml/acme-solver'] = 'dns01';
    expect(modelPods(ClusterModel.of(c)).filter((p) => p.labels['acme.cert-manager.io/http01-solver'])).toEqual([]);
  });
});
