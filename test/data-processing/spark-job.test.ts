import { ApiObject, Testing } from 'cdk8s';
import { SparkPodTemplates } from '../../lib/data-processing/spark-rbac';
import { SparkApplicationType, SparkJob, SparkJobProps } from '../../lib/data-processing/spark-job';
import { findManifest, Manifest } from '../util';

const templates: SparkPodTemplates = {
  driver: { metadata: { labels: { team: 'data' } }, spec: { nodeSelector: { pool: 'spark' }, containers: [{ name: 'spark-kubernetes-driver' }] } },
  executor: { spec: { containers: [{ name: 'spark-kubernetes-executor' }] } },
};
const required: SparkJobProps = {
  name: 'feature-space',
  namespace: 'spark',
  type: SparkApplicationType.PYTHON,
  image: 'example.azurecr.io/feature-space:1.0.0',
  mainApplicationFile: 'local:///opt/app/feature_space.py',
  sparkVersion: '4.0.1',
  driver: { cores: 1, memory: '2g' },
  executor: { instances: 3, cores: 2, memory: '8g' },
  serviceAccountName: 'spark',
  podTemplates: templates,
};

function synth(props: SparkJobProps = required): { job: SparkJob; manifests: Manifest[] } {
  const chart = Testing.chart();
  const job = new SparkJob(chart, 'job', props);
  return { job, manifests: Testing.synth(chart) as Manifest[] };
}

describe('SparkJob', () => {
  test('defaults', () => {
    // GIVEN / WHEN
    const { manifests } = synth();
    // THEN
    expect(manifests).toMatchSnapshot();
  });

  test('restart policy Always: a long-running application with back-off and no TTL', () => {
    const { manifests } = synth({ ...required, restartPolicy: 'Always' });
    const app = findManifest(manifests, 'SparkApplication', 'feature-space', 'spark');
    expect(app.spec.restartPolicy).toEqual({ type: 'Always', onFailureRetryInterval: 30, onSubmissionFailureRetryInterval: 60 });
    expect(app.spec.timeToLiveSeconds).toBeUndefined();
    expect(() => synth({ ...required, restartPolicy: 'Always', schedule: '@daily' })).toThrow(/'restartPolicy' Always runs the application forever; it cannot also have a 'schedule'/);
    expect(() => synth({ ...required, restartPolicy: 'Always', timeToLiveSeconds: 60 })).toThrow(/'timeToLiveSeconds' \(60\) would delete a long-running application/);
  });

  test('all props (scheduled)', () => {
    // GIVEN
    const props: Required<SparkJobProps> = {
      ...required,
      type: SparkApplicationType.SCALA,
      mainClass: 'org.example.Features',
      arguments: ['--day', 'yesterday'],
      schedule: '0 2 * * *',
      hadoopConf: { 'fs.defaultFS': 'hdfs://nn:8020' },
      networkFlows: [{ purpose: 'spark driver to the API server', from: { namespace: 'spark', podLabels: { 'spark-role': 'driver' } }, to: { cidr: '203.0.113.10/32' }, port: 443 }],
      sparkConf: { 'spark.sql.shuffle.partitions': '64' },
      volumes: [{ volumeName: 'lookup-tables', claimName: 'lookup-tables', mountPath: '/mnt/lookup', readOnly: true }],
      timeToLiveSeconds: 3600,
      restartPolicy: 'OnFailure',
    };
    // WHEN
    const { job, manifests } = synth(props);
    // THEN
    expect(job.scheduled).toBe(true);
    const app = findManifest(manifests, 'ScheduledSparkApplication', 'feature-space', 'spark');
    expect(app.apiVersion).toBe('sparkoperator.k8s.io/v1beta2');
    expect(app.spec).toMatchObject({ schedule: '0 2 * * *', concurrencyPolicy: 'Forbid' });
    const spec = app.spec.template;
    expect(spec).toMatchObject({ type: 'Scala', mainClass: 'org.example.Features', arguments: ['--day', 'yesterday'], timeToLiveSeconds: 3600 });
    expect(spec.hadoopConf).toEqual({ 'fs.defaultFS': 'hdfs://nn:8020' });
    expect(spec.sparkConf['spark.sql.shuffle.partitions']).toBe('64');
    for (const role of ['driver', 'executor']) {
      expect(spec[role].template.spec.volumes).toEqual([{ name: 'lookup-tables', persistentVolumeClaim: { claimName: 'lookup-tables' } }]);
      expect(spec[role].template.spec.containers[0].volumeMounts).toEqual([{ name: 'lookup-tables', mountPath: '/mnt/lookup', readOnly: true }]);
    }
    // The shared templates are not modified.
    expect(templates.driver.spec.volumes).toBeUndefined();
  });

  test('runs once as a SparkApplication with the templates, ServiceAccount, limits and fixed ports', () => {
    const { job, manifests } = synth();
    expect(job.scheduled).toBe(false);
    const app = findManifest(manifests, 'SparkApplication', 'feature-space', 'spark');
    expect(app.spec.driver).toMatchObject({ cores: 1, coreLimit: '1', memory: '2g', serviceAccount: 'spark', template: templates.driver });
    expect(app.spec.executor).toMatchObject({ instances: 3, cores: 2, coreLimit: '2', memory: '8g', serviceAccount: 'spark', template: templates.executor });
    expect(app.spec.sparkConf).toEqual({ 'spark.driver.port': '7078', 'spark.driver.blockManager.port': '7079', 'spark.blockManager.port': '7079' });
    expect(app.spec.mode).toBe('cluster');
  });

  test('the templates show the pod size Spark sets: cores as CPU, heap plus the explicit overhead as memory', () => {
    const spec = findManifest(synth().manifests, 'SparkApplication', 'feature-space', 'spark').spec;
    // Python: overhead 40% of the heap, at least 384 MiB.
    expect(spec.driver.memoryOverhead).toBe('820m');
    expect(spec.driver.template.spec.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '2868Mi' }, limits: { cpu: '1', memory: '2868Mi' } });
    expect(spec.executor.memoryOverhead).toBe('3277m');
    expect(spec.executor.template.spec.containers[0].resources.limits).toEqual({ cpu: '2', memory: '11469Mi' });
    // JVM applications: 10%, at least 384 MiB.
    const scala = findManifest(synth({ ...required, type: SparkApplicationType.SCALA, mainClass: 'Main' }).manifests, 'SparkApplication', 'feature-space', 'spark').spec;
    expect(scala.driver.memoryOverhead).toBe('384m');
    expect(scala.executor.memoryOverhead).toBe('820m');
  });

  test('workloadIdentityHadoopConf uses the Workload Identity token provider', () => {
    const conf = SparkJob.workloadIdentityHadoopConf('client', 'tenant');
    expect(conf['fs.azure.account.oauth.provider.type']).toBe('org.apache.hadoop.fs.azurebfs.oauth2.WorkloadIdentityTokenProvider');
    expect(conf['fs.azure.account.oauth2.client.id']).toBe('client');
    expect(conf['fs.azure.account.oauth2.msi.tenant']).toBe('tenant');
    expect(Object.keys(conf).filter((key) => /account\.key|client\.secret|sas/i.test(key))).toEqual([]);
  });

  describe('validation', () => {
    const build = (props: Partial<SparkJobProps>) => () => new SparkJob(Testing.chart(), 'job', { ...required, ...props });
    test('name', () => {
      expect(build({ name: 'a'.repeat(41) })).toThrow(/SparkJob 'job': 'name' \("a+"\) must be a DNS label of at most 40 characters/);
    });
    test('Spark version', () => {
      expect(build({ sparkVersion: '2.4.8' })).toThrow(/'sparkVersion' \("2.4.8"\) must be a Spark version of 3.0.0 or later/);
    });
    test('main class', () => {
      expect(build({ type: SparkApplicationType.JAVA })).toThrow(/'mainClass' is required for a Java application/);
    });
    test('sizes', () => {
      expect(build({ driver: { cores: 0, memory: '2g' } })).toThrow(/'driver.cores' \(0\) must be a whole number >= 1/);
      expect(build({ executor: { instances: 1, cores: 1, memory: '2Gi' } })).toThrow(/'executor.memory' \("2Gi"\) must be a JVM size/);
      expect(build({ executor: { instances: 0, cores: 1, memory: '2g' } })).toThrow(/'executor.instances' \(0\)/);
    });
    test('schedule', () => {
      expect(build({ schedule: 'every day' })).toThrow(/'schedule' \("every day"\) must be a cron expression/);
    });
    test('ports the network policies rely on', () => {
      expect(build({ sparkConf: { 'spark.driver.port': '7000' } })).toThrow(/'sparkConf' sets spark.driver.port/);
    });
    test('volumes mounted twice', () => {
      const volume = { volumeName: 'v', claimName: 'v', mountPath: '/mnt/v', readOnly: false };
      expect(build({ volumes: [volume, { ...volume, volumeName: 'w' }] })).toThrow(/mounts a volume or a path twice/);
    });
  });

  test('escape hatch', () => {
    expect(ApiObject.of(synth().job).kind).toBe('SparkApplication');
    expect(ApiObject.of(synth({ ...required, schedule: '@daily' }).job).kind).toBe('ScheduledSparkApplication');
  });
});
