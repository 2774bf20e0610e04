import { Testing } from 'cdk8s';
import { SparkApplicationType } from '../../lib/data-processing/spark-job';
import { SparkPodTemplates } from '../../lib/data-processing/spark-rbac';
import { SparkStreamingJob, SparkStreamingJobProps } from '../../lib/streaming/spark-streaming-job';
import { findManifest, Manifest } from '../util';

const templates: SparkPodTemplates = {
  driver: { metadata: { labels: { 'azure.workload.identity/use': 'true' } }, spec: { containers: [{ name: 'spark-kubernetes-driver' }] } },
  executor: { spec: { containers: [{ name: 'spark-kubernetes-executor' }] } },
};
const required: SparkStreamingJobProps = {
  name: 'scoring',
  namespace: 'spark',
  type: SparkApplicationType.SCALA,
  mainClass: 'com.example.StreamingPipeline',
  image: 'example.azurecr.io/scoring:1.0.0',
  mainApplicationFile: 'local:///opt/app/app.jar',
  sparkVersion: '4.0.1',
  driver: { cores: 1, memory: '1g' },
  executor: { instances: 2, cores: 1, memory: '2g' },
  serviceAccountName: 'spark',
  podTemplates: templates,
  kafka: { bootstrapServers: 'events-kafka-bootstrap.kafka.svc.cluster.local:9093', username: 'scoring', credentialsSecretName: 'kafka-user-scoring', podLabels: { 'platform.ml/kafka-client': 'scoring' } },
  checkpoint: { location: 'abfss://checkpoints@lake.dfs.core.windows.net/scoring' },
};

function synth(props: SparkStreamingJobProps = required): Manifest[] {
  const chart = Testing.chart();
  new SparkStreamingJob(chart, 'job', props);
  return Testing.synth(chart) as Manifest[];
}

describe('SparkStreamingJob', () => {
  test('defaults', () => {
    expect(synth()).toMatchSnapshot();
  });

  test('long-running: restart policy Always with back-off, no TTL, checkpoint root in Spark conf', () => {
    const app = findManifest(synth(), 'SparkApplication', 'scoring', 'spark');
    expect(app.spec.restartPolicy).toEqual({ type: 'Always', onFailureRetryInterval: 30, onSubmissionFailureRetryInterval: 60 });
    expect(app.spec.timeToLiveSeconds).toBeUndefined();
    expect(app.spec.sparkConf['spark.sql.streaming.checkpointLocation']).toBe('abfss://checkpoints@lake.dfs.core.windows.net/scoring');
  });

  test('driver and executors: client labels, Kafka settings, password by reference, CA as a PEM file', () => {
    const app = findManifest(synth(), 'SparkApplication', 'scoring', 'spark');
    for (const role of ['driver', 'executor']) {
      const template = app.spec[role].template;
      expect(template.metadata.labels).toMatchObject({ 'platform.ml/kafka-client': 'scoring' });
      const env = template.spec.containers[0].env;
      expect(env).toContainEqual({ name: 'KAFKA_BOOTSTRAP_SERVERS', value: 'events-kafka-bootstrap.kafka.svc.cluster.local:9093' });
      expect(env).toContainEqual({ name: 'KAFKA_SECURITY_PROTOCOL', value: 'SASL_SSL' });
      expect(env).toContainEqual({ name: 'KAFKA_SASL_MECHANISM', value: 'SCRAM-SHA-512' });
      expect(env).toContainEqual({ name: 'KAFKA_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-user-scoring', key: 'password' } } });
      expect(env).toContainEqual({ name: 'KAFKA_SSL_TRUSTSTORE_LOCATION', value: '/etc/kafka-ca/ca.crt' });
      expect(template.spec.volumes).toContainEqual({ name: 'kafka-ca', secret: { secretName: 'kafka-user-scoring', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
      expect(template.spec.containers[0].volumeMounts).toContainEqual({ name: 'kafka-ca', mountPath: '/etc/kafka-ca', readOnly: true });
    }
    expect(app.spec.driver.template.metadata.labels['azure.workload.identity/use']).toBe('true');
  });

  test('a checkpoint on a shared RWX volume mounts the volume', () => {
    const volume = { volumeName: 'checkpoints', claimName: 'checkpoints', mountPath: '/mnt/checkpoints', readOnly: false };
    const app = findManifest(synth({ ...required, checkpoint: { location: 'file:///mnt/checkpoints/scoring', volume } }), 'SparkApplication', 'scoring');
    expect(app.spec.driver.template.spec.volumes).toContainEqual({ name: 'checkpoints', persistentVolumeClaim: { claimName: 'checkpoints' } });
    expect(app.spec.executor.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/mnt/checkpoints' });
  });

  test('validation', () => {
    const build = (props: Partial<SparkStreamingJobProps>) => () => synth({ ...required, ...props });
    expect(build({ checkpoint: { location: '/tmp/checkpoints' } })).toThrow(/SparkStreamingJob 'job': 'checkpoint.location' \("\/tmp\/checkpoints"\) must be/);
    expect(build({ checkpoint: { location: 'file:///tmp/checkpoints' } })).toThrow(/only survives a restart on a shared volume/);
    expect(build({ checkpoint: { location: 'file:///mnt/c/x', volume: { volumeName: 'c', claimName: 'c', mountPath: '/mnt/c', readOnly: true } } })).toThrow(/mounted read-only/);
    expect(build({ sparkConf: { 'spark.sql.streaming.checkpointLocation': 'x' } })).toThrow(/use 'checkpoint' instead/);
  });
});
