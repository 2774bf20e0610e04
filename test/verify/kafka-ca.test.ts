/**
 * The gitops-lifecycle rule reports Kafka clients whose truststore is a hand-made copy of the Strimzi cluster CA
 * (a Secret created outside dist/ in the client's namespace), with the renewal schedule of the Kafka resource
 * (strimzi-kafka-operator 1.2.0 CertificateAuthority.java, Ca.java): the copy must be repeated at every renewal.
 */
import { gitopsLifecycleRule } from '../../lib/verify/gitops-lifecycle-rule';
import { VerifiedCluster } from '../../lib/verify';
import { clusterObject, exampleCluster, faultsOn } from './example-clusters';

const JOB = 'SparkApplication/spark/streaming-scoring';
const dataProcessing = () => exampleCluster('data-processing');

const caFaults = (c: VerifiedCluster) => faultsOn(gitopsLifecycleRule, c, JOB);

describe('hand-copied Kafka cluster CA', () => {
  test('the streaming job is reported with the schedule of its Kafka (the example accepts it with the runbook)', () => {
    const c = dataProcessing();
    const faults = caFaults(c);
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/^trusts Kafka kafka\/events through ca\.crt of Secret spark\/kafka-user-streaming-scoring, a copy made outside dist\/ of Strimzi's events-cluster-ca-cert: Strimzi renews that CA certificate 30 days before it expires \(validity 365 days, spec\.clusterCa\)/);
    expect(faults[0].upstream).toMatch(/strimzi\/strimzi-kafka-operator 1\.2\.0 .*CertificateAuthority\.java/);
    expect(faults[0].fix).toMatch(/docs\/streaming\.md, "Cluster CA renewal".*acceptedFaults/);
    expect(c.facts.acceptedFaults).toContainEqual(expect.objectContaining({ rule: 'gitops-lifecycle', object: JOB }));
  });

  test('the message follows the Kafka resource\'s schedule', () => {
    const c = dataProcessing();
    clusterObject(c, 'Kafka', 'kafka', 'events').spec.clusterCa = { validityDays: 730, renewalDays: 60 };
    expect(caFaults(c)[0].message).toMatch(/renews that CA certificate 60 days before it expires \(validity 730 days/);
  });

  test('no report when the CA Secret is not a copy made outside dist/, or when Strimzi does not generate the CA', () => {
    const managed = dataProcessing();
    (managed.facts as { externalSecrets?: Record<string, string> }).externalSecrets = {};
    expect(caFaults(managed)).toEqual([]);
    const custom = dataProcessing();
    clusterObject(custom, 'Kafka', 'kafka', 'events').spec.clusterCa.generateCertificateAuthority = false;
    expect(caFaults(custom)).toEqual([]);
  });
});
