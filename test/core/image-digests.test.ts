/**
 * Issue 14, item 6: opt-in image digest pinning. Every image the config schema takes accepts a tag, a digest
 * (`@sha256:`) or both, and the output carries the reference exactly as given; a malformed digest is a config
 * error. Airflow, whose image the chart composes, takes `imageDigest` (chart value defaultAirflowDigest).
 */
import { formatPath } from '../../lib/config/issues';
import { loadEnvironment } from '../../lib/config/load';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLE_CONFIG, exampleConfigIssues } from '../util';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** Each image key of the config: the example's value (to edit), the config path, and a file of the output that carries it. */
const IMAGES: readonly [string, string, string][] = [
  ['examplemlplatform.azurecr.io/apache/hadoop:3.4.1', 'clusters.data-processing.dataProcessing.hdfs.image', 'example/data-processing/workloads/hdfs_statefulset_hdfs-namenode.yaml'],
  ['examplemlplatform.azurecr.io/aiengine/gpa-matching:1.0.0', 'clusters.data-processing.dataProcessing.jobs.gpa-matching.image', 'example/data-processing/workloads/spark_sparkapplication_gpa-matching.yaml'],
  ['examplemlplatform.azurecr.io/training/iris:1.0.0', 'clusters.training.training.jobs.iris.image', 'example/training/workloads/training_pytorchjob.kubeflow.org_iris.yaml'],
  ['examplemlplatform.azurecr.io/feature-space:v1', 'clusters.serving.serving.microservices.featurespace.image', 'example/serving/workloads/microservices_deployment_featurespace.yaml'],
  ['examplemlplatform.azurecr.io/mlflow-server:2.22.1', 'clusters.serving.serving.mlflow.image', 'example/serving/workloads/mlflow_deployment_mlflow.yaml'],
];

function render(text: string): Map<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digest-'));
  try {
    const file = path.join(dir, 'example.yaml');
    fs.writeFileSync(file, text);
    return renderEnvironments([loadEnvironment(file)], PLATFORM_COMPOSITIONS).tree;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const example = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');

/** How an image is pinned: with its tag kept, or by digest only. */
const FORMS: readonly [string, (image: string) => string][] = [
  ['tag and digest', (image) => `${image}@${DIGEST}`],
  ['digest only', (image) => `${image.slice(0, image.lastIndexOf(':'))}@${DIGEST}`],
];

/**
 * The example with every image of IMAGES pinned in one form, rendered once per form for all the tests that read it
 * (each test checks its own image's output file; a render costs about 0.1 s).
 */
const rendered = new Map<string, Map<string, string>>();
function renderPinned(form: string): Map<string, string> {
  let tree = rendered.get(form);
  if (!tree) {
    const pin = FORMS.find(([name]) => name === form)![1];
    let text = example;
    for (const [image] of IMAGES) {
      const edited = text.replace(`image: ${image}`, `image: ${pin(image)}`);
      if (edited === text) throw new Error(`image ${image} is not in the example`);
      text = edited;
    }
    tree = render(text);
    rendered.set(form, tree);
  }
  return tree;
}

describe.each(IMAGES)('%s', (image, configPath, outputFile) => {
  test.each(FORMS.map(([form, pin]) => [form, pin(image)] as const))('%s: accepted and written as given', (form, pinned) => {
    expect(renderPinned(form).get(outputFile)).toContain(`image: ${pinned}`);
  });

  test('a malformed digest is a config error at the key', () => {
    const issues = exampleConfigIssues((text) => text.replace(`image: ${image}`, `image: ${image}@sha256:abc`));
    expect(issues.map((i) => formatPath(i.path))).toContain(configPath);
  });
});

test('Airflow: imageDigest pins the chart\'s Airflow image', () => {
  const tree = render(example.replace('\n    airflow:\n      identity', `\n    airflow:\n      imageDigest: ${DIGEST}\n      identity`));
  expect(tree.get('example/data-processing/workloads/airflow_helmrelease.helm.toolkit.fluxcd.io_airflow.yaml')).toContain(`defaultAirflowDigest: ${DIGEST}`);
  const issues = exampleConfigIssues((text) => text.replace('\n    airflow:\n      identity', '\n    airflow:\n      imageDigest: sha256:xyz\n      identity'));
  expect(issues.map((i) => formatPath(i.path))).toContain('clusters.data-processing.airflow.imageDigest');
});
