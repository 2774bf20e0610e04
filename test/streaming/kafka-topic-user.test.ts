import { Testing } from 'cdk8s';
import { KafkaTopic, KafkaTopicProps } from '../../lib/streaming/kafka-topic';
import { KafkaUser, KafkaUserProps } from '../../lib/streaming/kafka-user';
import { Manifest } from '../util';

const topic: KafkaTopicProps = { topicName: 'StreamingRaw', objectName: 'streamingraw', namespace: 'kafka', clusterName: 'events', partitions: 6, replicas: 3 };
const user: KafkaUserProps = { name: 'scoring', namespace: 'kafka', clusterName: 'events', passwordSecretName: 'kafka-user-scoring', consume: ['StreamingRaw'], produce: ['StreamingResult'], consumerGroups: ['spark-kafka-source-scoring*', 'G1'] };

function synth(build: (chart: ReturnType<typeof Testing.chart>) => void): Manifest[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart) as Manifest[];
}

describe('KafkaTopic', () => {
  test('defaults', () => {
    expect(synth((chart) => new KafkaTopic(chart, 'topic', topic))).toMatchSnapshot();
  });

  test('the Kafka name goes to spec.topicName when it is not the object name; retention and cleanup as topic config', () => {
    const [cr] = synth((chart) => new KafkaTopic(chart, 'topic', { ...topic, retentionHours: 72, cleanupPolicy: 'compact' }));
    expect(cr).toMatchObject({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', metadata: { name: 'streamingraw', namespace: 'kafka', labels: { 'strimzi.io/cluster': 'events' } } });
    expect(cr.spec).toEqual({ topicName: 'StreamingRaw', partitions: 6, replicas: 3, config: { 'retention.ms': 259200000, 'cleanup.policy': 'compact' } });
    const [same] = synth((chart) => new KafkaTopic(chart, 'topic', { ...topic, topicName: 'events', objectName: 'events' }));
    expect(same.spec.topicName).toBeUndefined();
    expect(same.spec.config).toBeUndefined();
  });

  test('validation', () => {
    const build = (props: Partial<KafkaTopicProps>) => () => new KafkaTopic(Testing.chart(), 'topic', { ...topic, ...props });
    expect(build({ topicName: 'a b' })).toThrow(/KafkaTopic 'topic': 'topicName' \("a b"\) is not a Kafka topic name/);
    expect(build({ topicName: '..' })).toThrow(/not '.' or '..'/);
    expect(build({ objectName: 'Streaming_Raw' })).toThrow(/'objectName' \("Streaming_Raw"\) must be a DNS subdomain/);
    expect(build({ partitions: 0 })).toThrow(/'partitions' \(0\) must be a positive integer/);
  });
});

describe('KafkaUser', () => {
  test('defaults', () => {
    expect(synth((chart) => new KafkaUser(chart, 'user', user))).toMatchSnapshot();
  });

  test('SCRAM password from a Secret outside dist/, ACLs for exactly its topics and groups, no Create', () => {
    const [cr] = synth((chart) => new KafkaUser(chart, 'user', { ...user, produce: ['StreamingResult', 'StreamingRaw'] }));
    expect(cr.spec.authentication).toEqual({ type: 'scram-sha-512', password: { valueFrom: { secretKeyRef: { name: 'kafka-user-scoring', key: 'password' } } } });
    expect(cr.spec.authorization.type).toBe('simple');
    expect(cr.spec.authorization.acls).toEqual([
      { type: 'allow', resource: { type: 'topic', name: 'StreamingRaw', patternType: 'literal' }, operations: ['Describe', 'Read', 'Write'] },
      { type: 'allow', resource: { type: 'topic', name: 'StreamingResult', patternType: 'literal' }, operations: ['Describe', 'Write'] },
      { type: 'allow', resource: { type: 'group', name: 'G1', patternType: 'literal' }, operations: ['Read'] },
      { type: 'allow', resource: { type: 'group', name: 'spark-kafka-source-scoring', patternType: 'prefix' }, operations: ['Read'] },
    ]);
    expect(JSON.stringify(cr)).not.toMatch(/"Create"|"All"/);
  });

  test('validation', () => {
    const build = (props: Partial<KafkaUserProps>) => () => new KafkaUser(Testing.chart(), 'user', { ...user, ...props });
    expect(build({ name: 'Scoring' })).toThrow(/KafkaUser 'user': 'name' \("Scoring"\) must be a DNS label/);
    expect(build({ produce: [], consume: [] })).toThrow(/neither produces nor consumes/);
    expect(build({ consume: [], produce: ['x'] })).toThrow(/'consumerGroups' needs at least one topic in 'consume'/);
  });
});
