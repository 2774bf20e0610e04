/**
 * The kserve namespace enforces Pod Security `restricted`: the kserve chart's only pod there, kserve-controller-manager,
 * passes it with the chart defaults (kserve/kserve v0.16.0 and v0.20.0 charts/kserve-resources/values.yaml), and the
 * verifier models that pod from the HelmRelease values, so values that break it are admission faults.
 */
import { admissionRule } from '../../lib/verify/admission-rule';
import { ClusterModel } from '../../lib/verify/cluster-model';
import { modelPods } from '../../lib/verify/pod-model';
import { clusterObject, exampleCluster, faultsOn } from './example-clusters';

const RELEASE = 'HelmRelease/kserve/kserve';
const serving = () => exampleCluster('serving');

describe('the kserve namespace at Pod Security restricted', () => {
  test('the namespace enforces restricted, and the modelled controller pod (chart defaults) passes it', () => {
    const c = serving();
    const labels = clusterObject(c, 'Namespace', undefined, 'kserve').metadata.labels;
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(clusterObject(c, 'Namespace', undefined, 'kserve').metadata.annotations?.['platform.ml/pod-security-reason']).toBeUndefined();
    const pods = modelPods(ClusterModel.of(c)).filter((p) => p.owner.obj.metadata.name === 'kserve' && p.owner.obj.kind === 'HelmRelease');
    expect(pods.map((p) => p.template)).toEqual(['chart kserve v0.16.0 Deployment kserve-controller-manager']);
    expect(pods[0].spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(faultsOn(admissionRule, c, RELEASE)).toEqual([]);
  });

  test('values that drop the pod seccomp profile (Helm null) make the controller an admission fault', () => {
    const c = serving();
    clusterObject(c, 'HelmRelease', 'kserve', 'kserve').spec.values.kserve.controller.securityContext = { seccompProfile: null };
    const faults = faultsOn(admissionRule, c, RELEASE);
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/kserve-controller-manager are rejected by the 'restricted' Pod Security level .*seccompProfile/);
    expect(faults[0].upstream).toMatch(/kserve\/kserve v0\.16\.0 charts\/kserve-resources\/values\.yaml/);
  });

  test('the localmodel node agent (hostPath) is refused by restricted', () => {
    const c = serving();
    clusterObject(c, 'HelmRelease', 'kserve', 'kserve').spec.values.kserve.localmodel = { enabled: true };
    expect(faultsOn(admissionRule, c, RELEASE).map((f) => f.message)).toEqual([expect.stringMatching(/kserve-localmodelnode-agent .*hostPathVolumes: volume models is a hostPath \(\/mnt\/models\)/)]);
  });
});
