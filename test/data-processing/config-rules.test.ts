/** The config rules of the data-processing section: one failure test per rule, and their wiring into loading. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../lib/config/issues';
import { loadEnvironment } from '../../lib/config/load';
import { CONFIG_RULES } from '../../lib/config/platform-rules';
import { PlatformConfig } from '../../lib/config/schema';
import { DATA_PROCESSING_RULES } from '../../lib/data-processing/config-rules';
import { EXAMPLE_CONFIG, exampleConfig } from '../util';

type Cluster = PlatformConfig['clusters'][string];

/** Violations of the data-processing rules after `edit` changed the example's data-processing cluster. */
function violations(edit: (cluster: Cluster, config: PlatformConfig) => void): { path: string; message: string }[] {
  const config = exampleConfig();
  edit(config.clusters['data-processing'], config);
  return DATA_PROCESSING_RULES.flatMap((rule) => rule(config)).map((v) => ({ path: v.path.join('.'), message: v.message }));
}

const at = (suffix: string) => `clusters.data-processing.dataProcessing.${suffix}`;

describe('data-processing config rules', () => {
  test('the example config passes', () => {
    expect(violations(() => undefined)).toEqual([]);
  });

  test('the rules run when a config is loaded', () => {
    for (const rule of DATA_PROCESSING_RULES) expect(CONFIG_RULES).toContain(rule);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-rules-'));
    try {
      const text = fs.readFileSync(EXAMPLE_CONFIG, 'utf8').replace('        replication: 3\n', '        replication: 5\n');
      const file = path.join(dir, 'test.yaml');
      fs.writeFileSync(file, text);
      let caught: unknown;
      try { loadEnvironment(file); } catch (error) { caught = error; }
      expect(caught).toBeInstanceOf(ConfigError);
      const issue = (caught as ConfigError).issues.find((i) => i.path.join('.') === at('hdfs.replication'))!;
      expect(issue.message).toMatch(/replication \(5\) is larger than the 4 node\(s\) pool 'spark' keeps at minimum/);
      expect(issue.line).toBe(text.split('\n').findIndex((line) => line.includes('replication: 5')) + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the HDFS namespace must exist and be privileged', () => {
    expect(violations((c) => { delete c.namespaces.hdfs; })).toContainEqual({ path: at('hdfs.namespace'), message: expect.stringMatching(/namespace 'hdfs' is not under namespaces/) });
    expect(violations((c) => { c.namespaces.hdfs.podSecurity = { level: 'baseline', reason: 'a good enough reason' }; }))
      .toContainEqual({ path: at('hdfs.namespace'), message: expect.stringMatching(/only the Pod Security level 'privileged' admits/) });
  });

  test('Spark namespaces must exist and not be privileged', () => {
    expect(violations((c) => { delete c.namespaces.spark; })).toContainEqual({ path: at('spark.namespaces.spark'), message: expect.stringMatching(/namespace 'spark' is not under namespaces/) });
    expect(violations((c) => { c.namespaces.spark.podSecurity = { level: 'privileged', reason: 'for no good reason at all' }; }))
      .toContainEqual({ path: at('spark.namespaces.spark'), message: expect.stringMatching(/must not be privileged/) });
    expect(violations((c) => { c.dataProcessing!.spark.namespaces.hdfs = {}; }))
      .toContainEqual({ path: at('spark.namespaces.hdfs'), message: expect.stringMatching(/must not be privileged/) });
  });

  test('node pools must exist and be User pools without GPUs', () => {
    expect(violations((c) => { c.dataProcessing!.hdfs!.nodePool = 'missing'; })).toContainEqual({ path: at('hdfs.nodePool'), message: expect.stringMatching(/node pool 'missing' is not under nodePools/) });
    expect(violations((c) => { c.dataProcessing!.spark.nodePool = 'system'; })).toContainEqual({ path: at('spark.nodePool'), message: expect.stringMatching(/is a System pool/) });
    expect(violations((c) => { c.nodePools.spark.gpusPerNode = 1; })).toContainEqual({ path: at('hdfs.nodePool'), message: expect.stringMatching(/is a GPU pool/) });
  });

  test('replication at most the pool\'s minimum node count', () => {
    expect(violations((c) => { c.nodePools.spark.minCount = 2; })).toContainEqual({ path: at('hdfs.replication'), message: expect.stringMatching(/replication \(3\) is larger than the 2 node\(s\)/) });
  });

  test('the HDFS pool is fixed-size: datanode blocks live on the nodes\' local disks, which a scale-down deletes', () => {
    expect(violations((c) => { c.nodePools.spark.maxCount = 6; })).toContainEqual({ path: at('hdfs.nodePool'), message: expect.stringMatching(/pool 'spark' autoscales \(minCount 4, maxCount 6\)/) });
  });

  test('the Spark identity must be configured', () => {
    expect(violations((c) => { c.dataProcessing!.spark.identity = 'nobody'; })).toContainEqual({ path: at('spark.identity'), message: expect.stringMatching(/identity 'nobody' is not under the top-level identities/) });
  });

  test('jobs refer to Spark namespaces, the identity, a main class and shared volumes of their namespace', () => {
    const job = (c: Cluster) => c.dataProcessing!.jobs!['gpa-matching'];
    expect(violations((c) => { job(c).namespace = 'hdfs'; })).toContainEqual({ path: at('jobs.gpa-matching.namespace'), message: expect.stringMatching(/'hdfs' is not a Spark namespace/) });
    expect(violations((c) => { delete c.dataProcessing!.spark.identity; })).toContainEqual({ path: at('jobs.feature-space.azureStorage'), message: expect.stringMatching(/needs spark.identity/) });
    expect(violations((c) => { job(c).type = 'Scala'; })).toContainEqual({ path: at('jobs.gpa-matching.mainClass'), message: 'a Scala job needs a mainClass' });
    expect(violations((c) => { job(c).volumes = { missing: {} }; })).toContainEqual({ path: at('jobs.gpa-matching.volumes.missing'), message: expect.stringMatching(/is not under sharedVolumes.volumes/) });
    expect(violations((c) => { c.dataProcessing!.sharedVolumes!.volumes.recommendations.namespace = 'hdfs'; }))
      .toContainEqual({ path: at('jobs.gpa-matching.volumes.recommendations'), message: expect.stringMatching(/is in namespace 'hdfs', but the job runs in 'spark'/) });
  });

  test('shared volumes: namespaces exist, NFS needs Premium, Premium shares are at least 100Gi', () => {
    const shared = (c: Cluster) => c.dataProcessing!.sharedVolumes!;
    expect(violations((c) => { shared(c).volumes.recommendations.namespace = 'nowhere'; })).toContainEqual({ path: at('sharedVolumes.volumes.recommendations.namespace'), message: expect.stringMatching(/namespace 'nowhere' is not under namespaces/) });
    expect(violations((c) => { shared(c).storageClass = { name: 'files', skuName: 'Standard_LRS', protocol: 'nfs' }; }))
      .toContainEqual({ path: at('sharedVolumes.storageClass.protocol'), message: expect.stringMatching(/NFS shares need a Premium SKU/) });
    expect(violations((c) => { shared(c).volumes['lookup-tables'].size = '50Gi'; })).toContainEqual({ path: at('sharedVolumes.volumes.lookup-tables.size'), message: expect.stringMatching(/at least 100Gi \(found 50Gi\)/) });
  });
});
