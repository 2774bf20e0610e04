import * as fs from 'fs';
import { PlatformConfig } from '../../lib/config/schema';
import { podCharge, standingPods, standingReplicasFitQuota } from '../../lib/core/quota-fit';
import { EXAMPLE_CONFIG, exampleConfig, exampleConfigIssues } from '../util';

const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');
/** The issues of this rule (the per-workload rules of lib/core/feasibility.ts may report the same edit at the workload). */
const issuesOf = (edit: (text: string) => string) => exampleConfigIssues(edit)
  .filter((i) => i.message.includes('its standing replicas need'))
  .map((i) => `${i.line}: ${i.path.join('.')}: ${i.message}`);
/** The 1-based line of the first line containing `text` after the line containing `after`. */
const lineOf = (text: string, after: string) => {
  const lines = exampleText.split('\n');
  const start = lines.findIndex((l) => l.includes(after));
  return lines.findIndex((l, i) => i > start && l.includes(text)) + 1;
};

/** The line of a line inserted right after the line `marker` of the example. */
const insertedAfter = (marker: string) => exampleText.split('\n').indexOf(marker) + 2;

describe('standing replicas fit the namespace quota', () => {
  test('the example fits', () => {
    expect(standingReplicasFitQuota(exampleConfig())).toEqual([]);
  });

  test('pods: three model predictors against a quota of 2 pods, at the line of the quota key', () => {
    const issues = issuesOf((text) => text.replace('      models: {}\n', '      models:\n        quota: { pods: 2, requests.cpu: "8", requests.memory: 16Gi }\n'));
    expect(issues).toEqual([
      `${insertedAfter('      models: {}')}: clusters.serving.namespaces.models.quota.pods: namespace 'models': its standing replicas need pods 3 but its quota allows 2 (model 'wine-quality' predictor: 1 x 1, model 'adult-income' predictor: 1 x 1, model 'iris' predictor: 1 x 1); raise the quota or lower the replicas or requests`,
    ]);
  });

  test('requests.cpu: four microservices of two 500m replicas need 4 CPUs', () => {
    const issues = issuesOf((text) => text.replace('      microservices: {}\n', '      microservices:\n        quota: { pods: 20, requests.cpu: "3", requests.memory: 16Gi }\n'));
    expect(issues).toEqual([
      `${insertedAfter('      microservices: {}')}: clusters.serving.namespaces.microservices.quota.requests.cpu: namespace 'microservices': its standing replicas need requests.cpu 4 but its quota allows 3 (microservice 'featurespace': 2 x 500m, microservice 'gpamatching': 2 x 500m, microservice 'hardskill': 2 x 500m and 1 more); raise the quota or lower the replicas or requests`,
    ]);
  });

  test('requests.memory: two MLflow replicas of 512Mi need 1Gi', () => {
    const issues = issuesOf((text) => text.replace('      mlflow: {}\n', '      mlflow:\n        quota: { pods: 20, requests.cpu: "8", requests.memory: 768Mi }\n'));
    expect(issues).toEqual([
      `${insertedAfter('      mlflow: {}')}: clusters.serving.namespaces.mlflow.quota.requests.memory: namespace 'mlflow': its standing replicas need requests.memory 1Gi but its quota allows 768Mi (MLflow server: 2 x 512Mi); raise the quota or lower the replicas or requests`,
    ]);
  });

  test('requests.nvidia.com/gpu: a model with 2 GPUs per replica against a quota of 1 GPU', () => {
    const config: PlatformConfig & { clusters: any } = exampleConfig() as never;
    config.clusters.serving.serving.models.iris.gpus = 2;
    config.clusters.serving.namespaces.models = { quota: { 'pods': 10, 'requests.nvidia.com/gpu': '1' } };
    expect(standingReplicasFitQuota(config)).toEqual([{
      path: ['clusters', 'serving', 'namespaces', 'models', 'quota', 'requests.nvidia.com/gpu'],
      message: "namespace 'models': its standing replicas need requests.nvidia.com/gpu 2 but its quota allows 1 (model 'iris' predictor: 1 x 2); raise the quota or lower the replicas or requests",
    }]);
  });

  test('a namespace without its own quota is held to namespaceDefaults, and the error points there', () => {
    const issues = issuesOf((text) => text.replace('      minReplicas: 1\n      maxReplicas: 3\n', '      minReplicas: 99\n      maxReplicas: 100\n'));
    const servingDefaults = lineOf('pods: 100', 'aks-example-serving');
    expect(issues).toEqual([
      `${servingDefaults}: clusters.serving.namespaceDefaults.quota.pods: namespace 'models': its standing replicas need pods 101 but its quota (namespaceDefaults) allows 100 (model 'iris' predictor: 99 x 1, model 'wine-quality' predictor: 1 x 1, model 'adult-income' predictor: 1 x 1); raise the quota or lower the replicas or requests`,
      `${lineOf('requests.cpu: "16"', 'aks-example-serving')}: clusters.serving.namespaceDefaults.quota.requests.cpu: namespace 'models': its standing replicas need requests.cpu 50 but its quota (namespaceDefaults) allows 16 (model 'iris' predictor: 99 x 500m, model 'wine-quality' predictor: 1 x 250m, model 'adult-income' predictor: 1 x 250m); raise the quota or lower the replicas or requests`,
      `${lineOf('requests.memory: 64Gi', 'aks-example-serving')}: clusters.serving.namespaceDefaults.quota.requests.memory: namespace 'models': its standing replicas need requests.memory 100Gi but its quota (namespaceDefaults) allows 64Gi (model 'iris' predictor: 99 x 1Gi, model 'wine-quality' predictor: 1 x 512Mi, model 'adult-income' predictor: 1 x 512Mi); raise the quota or lower the replicas or requests`,
    ]);
  });

  test('HDFS: the namenode and one datanode per node the pool can scale to', () => {
    const config: PlatformConfig & { clusters: any } = exampleConfig() as never;
    const cluster = config.clusters['data-processing'];
    expect(standingPods(cluster).filter((p) => p.namespace === 'hdfs').map((p) => [p.what, p.replicas]))
      .toEqual([['HDFS namenode', 1], ["HDFS datanodes (one per node, pool 'spark' maxCount)", 4]]);
    cluster.namespaces.hdfs.quota = { pods: 3 };
    expect(standingReplicasFitQuota(config).map((v) => v.message)).toEqual([
      "namespace 'hdfs': its standing replicas need pods 5 but its quota allows 3 (HDFS datanodes (one per node, pool 'spark' maxCount): 4 x 1, HDFS namenode: 1 x 1); raise the quota or lower the replicas or requests",
    ]);
  });
});

describe('what one pod is charged', () => {
  const defaults = { cpu: '100m', memory: '256Mi' };
  test('containers without requests get the LimitRange default request', () => {
    expect(podCharge({ what: 'x', namespace: 'n', replicas: 1, containers: [{}, { cpu: '1' }] }, defaults))
      .toEqual({ 'pods': 1, 'requests.cpu': 1.1, 'requests.memory': 2 * 256 * 2 ** 20, 'requests.nvidia.com/gpu': 0 });
  });
  test('the larger of the containers\' sum and the largest init container', () => {
    expect(podCharge({ what: 'x', namespace: 'n', replicas: 1, containers: [{ cpu: '250m', memory: '512Mi' }], initContainers: [{ cpu: '100m', memory: '1Gi' }] }, defaults))
      .toEqual({ 'pods': 1, 'requests.cpu': 0.25, 'requests.memory': 2 ** 30, 'requests.nvidia.com/gpu': 0 });
  });
});
