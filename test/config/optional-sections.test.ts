/**
 * Issue 13, item 3: HDFS and KServe are optional. Spark on Azure Storage with Workload Identity needs no HDFS (no
 * privileged namespace, no namenode affinity, no HDFS policies); a serving cluster of microservices and MLflow
 * needs no KServe (no InferenceService, no KServe or its operators).
 */
import { PlatformConfig } from '../../lib/config/schema';
import { CONFIG_RULES } from '../../lib/config/platform-rules';
import { exampleConfig, Manifest, synthCluster } from '../util';
import { checkAgainstSchema } from '../../lib/config/schema-check';
import { YamlPositions } from '../../lib/config/yaml-positions';

function valid(config: PlatformConfig): string[] {
  const schema = checkAgainstSchema(config, 'test.yaml', new YamlPositions()).map((i) => `${i.path.join('.')}: ${i.message}`);
  return [...schema, ...CONFIG_RULES.flatMap((rule) => rule(config)).map((v) => `${v.path.join('.')}: ${v.message}`)];
}

const text = (manifests: Manifest[]) => JSON.stringify(manifests);

describe('Spark without HDFS', () => {
  const config = exampleConfig();
  const section = config.clusters['data-processing'].dataProcessing!;
  delete section.hdfs;
  delete section.network.nodeCidrs;
  delete config.clusters['data-processing'].namespaces.hdfs;
  for (const job of Object.values(section.jobs!)) job.arguments = ['--input', 'abfss://raw@exampledatalake.dfs.core.windows.net/profiles'];

  test('is a valid config', () => {
    expect(valid(config)).toEqual([]);
  });

  test('renders Spark with no privileged namespace, no namenode affinity and no HDFS policies', () => {
    const manifests = synthCluster('data-processing', config);
    expect(manifests.filter((m) => m.kind === 'Namespace' && m.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged')).toEqual([]);
    expect(manifests.some((m) => (m.kind === 'StatefulSet' && m.metadata.namespace !== 'nifi') || /namenode|datanode/.test(m.metadata.name))).toBe(false);
    expect(manifests.some((m) => m.kind === 'NetworkPolicy' && /hdfs/.test(m.metadata.name))).toBe(false);
    const spark = manifests.filter((m) => m.kind === 'SparkApplication' || m.kind === 'ScheduledSparkApplication' || m.metadata.name === 'spark-pod-templates');
    expect(spark.length).toBeGreaterThan(3);
    expect(text(spark)).not.toMatch(/podAffinity|fs\.defaultFS/);
    expect(manifests.filter((m) => m.kind === 'SparkApplication' || m.kind === 'ScheduledSparkApplication')).toHaveLength(4); // the seed's three jobs and the streaming section's scoring job
  });

  test('an hdfs:// application file without HDFS is a config error', () => {
    section.jobs!['feature-space'].mainApplicationFile = 'hdfs:///apps/feature_space.py';
    expect(valid(config)).toEqual([expect.stringMatching(/jobs\.feature-space\.mainApplicationFile: the application file is on HDFS, but the section has no hdfs block/)]);
    section.jobs!['feature-space'].mainApplicationFile = 'local:///opt/app/feature_space.py';
  });

  test('HDFS still needs the node CIDRs', () => {
    const withHdfs = exampleConfig();
    delete withHdfs.clusters['data-processing'].dataProcessing!.network.nodeCidrs;
    expect(valid(withHdfs)).toEqual([expect.stringMatching(/network\.nodeCidrs: HDFS runs on node addresses/)]);
  });
});

describe('serving without KServe', () => {
  const config = exampleConfig();
  const serving = config.clusters.serving.serving!;
  delete serving.kserve;
  delete serving.models;

  test('is a valid config', () => {
    expect(valid(config)).toEqual([]);
  });

  test('renders microservices and MLflow without KServe or its operators', () => {
    const manifests = synthCluster('serving', config);
    expect(manifests.some((m) => m.kind === 'InferenceService')).toBe(false);
    expect(manifests.filter((m) => m.kind === 'HelmRelease').map((m) => m.metadata.name).filter((name) => /kserve/.test(name))).toEqual([]);
    expect(manifests.some((m) => m.kind === 'Deployment' && m.metadata.name === 'featurespace')).toBe(true);
    expect(manifests.some((m) => m.kind === 'Deployment' && m.metadata.name === 'mlflow')).toBe(true);
  });

  test('models without kserve are a config error', () => {
    const withModels = exampleConfig();
    delete withModels.clusters.serving.serving!.kserve;
    expect(valid(withModels)).toContainEqual(expect.stringMatching(/serving\.models: models are KServe InferenceServices, but the section has no kserve block/));
  });
});
