import * as fs from 'fs';
import * as path from 'path';
import { ManifestValidator, readManifestFolder, SchemaIssue } from '../../lib/validation';
import { EXAMPLES_DIR } from './paths';

/** One expected issue: schema label prefix, path, and a message substring. */
type Expected = readonly [schema: string, path: string, message: string];
const BOTH = ['kubernetes 1.27.0', 'kubernetes 1.36.0'];
const onBoth = (p: string, message: string): Expected[] => BOTH.map((schema) => [schema, p, message]);

/**
 * Verdicts for the upstream examples (see upstream-examples/SOURCES.md). Files not listed must be valid.
 * The non-broken failures are real disagreements between an upstream example and the pinned schema.
 */
const EXPECTED_ISSUES: Readonly<Record<string, readonly Expected[]>> = {
  // The demo's placeholder `CLIENT_SECRET` is not base64; the API server rejects it too.
  'aad-pod-identity/demo-aadpodidentity-sp.yaml': onBoth('/data/clientSecret', 'must match format "byte"'),
  // Taken from HEAD on purpose: the CORS filter is newer than the Gateway API v1.4.1 standard CRD.
  'gateway-api/HEAD-http-cors-httproute-all-fields-set.yaml': [
    ['crd gateway-api@v1.4.1 gateway.networking.k8s.io/v1 HTTPRoute', '/spec/rules/0/filters/0/cors', 'must NOT have additional properties (cors)'],
    ['crd gateway-api@v1.4.1 gateway.networking.k8s.io/v1 HTTPRoute', '/spec/rules/0/filters/0/type', 'must be one of'],
  ],
  // Old README block: `spec.template` never existed in the v1beta1 InferenceService.
  'kserve/azure-readme-pod-identity-isvc.yaml': [
    ['crd kserve@v0.20.0 serving.kserve.io/v1beta1 InferenceService', '/spec/template', 'must NOT have additional properties (template)'],
  ],
  // KServe v0.20.0's own sample uses `transformer.custom`, which the v0.20.0 CRD does not have.
  'kserve/rollout-strategy-example.yaml': [
    ['crd kserve@v0.20.0 serving.kserve.io/v1beta1 InferenceService', '/spec/transformer/custom', 'must NOT have additional properties (custom)'],
  ],
  // Unpinned charts (no version; an OCIRepository semver range): their values cannot be checked against one chart version.
  'flux2-kustomize-helm-example/apps-base-podinfo-release.yaml': [['chart values', '/spec', 'cannot tell the chart and version of this HelmRelease']],
  'flux2-kustomize-helm-example/infrastructure-controllers-envoy-gateway.yaml': [['chart values', '/spec', 'cannot tell the chart and version of this HelmRelease']],
  // batch/v1beta1 CronJob was removed in Kubernetes 1.25.
  'kubernetes-website/cronjob-v1beta1.yaml': onBoth('', 'no upstream schema for batch/v1beta1 CronJob'),
  // podFailurePolicy rules needed `onPodConditions` in 1.27; it became optional later.
  'kubernetes-website/job-pod-failure-policy-example.yaml': [
    ['kubernetes 1.27.0', '/spec/podFailurePolicy/rules/0/onPodConditions', "must have required property 'onPodConditions'"],
  ],
  'broken/01-podspec-unknown-field.yaml': onBoth('/spec/template/spec/serviceAcountName', 'must NOT have additional properties (serviceAcountName)'),
  'broken/02-replicas-wrong-type.yaml': onBoth('/spec/replicas', 'must be integer'),
  'broken/03-pytorchjob-cleanpodpolicy-at-spec.yaml': [
    ['crd kubeflow-training@v1.9.4 kubeflow.org/v1 PyTorchJob', '/spec/cleanPodPolicy', 'must NOT have additional properties (cleanPodPolicy)'],
  ],
  'broken/04-isvc-misspelled-predictor-field.yaml': [
    ['crd kserve@v0.20.0 serving.kserve.io/v1beta1 InferenceService', '/spec/predictor/model/storageURI', 'must NOT have additional properties (storageURI)'],
  ],
  'broken/05-ingress-extensions-v1beta1.yaml': onBoth('', 'no upstream schema for extensions/v1beta1 Ingress'),
  'broken/06-pytorchjob-embedded-container-unknown-field.yaml': [
    ['crd kubeflow-training@v1.9.4 kubeflow.org/v1 PyTorchJob', '/spec/pytorchReplicaSpecs/Master/template/spec/containers/0/resource', 'must NOT have additional properties (resource)'],
  ],
  'broken/07-sparkapp-misspelled-driver-field.yaml': [
    ['crd spark-operator@v2.5.2 sparkoperator.k8s.io/v1beta2 SparkApplication', '/spec/driver/serviceAcount', 'must NOT have additional properties (serviceAcount)'],
  ],
};

const validator = ManifestValidator.load();
const exampleFiles = readManifestFolder([EXAMPLES_DIR]).map((o) => o.source)
  .filter((file, i, all) => all.indexOf(file) === i)
  .map((file) => path.relative(EXAMPLES_DIR, file).split(path.sep).join('/'));

function issuesOf(relative: string): SchemaIssue[] {
  return validator.validateAll(readManifestFolder([path.join(EXAMPLES_DIR, relative)]));
}

describe('upstream examples', () => {
  test('the calibration set is complete (every expectation names an existing file, every broken file is expected to fail)', () => {
    expect(exampleFiles.length).toBeGreaterThan(50);
    for (const file of Object.keys(EXPECTED_ISSUES)) {
      expect(exampleFiles).toContain(file);
    }
    const broken = fs.readdirSync(path.join(EXAMPLES_DIR, 'broken')).filter((f) => f.endsWith('.yaml'));
    expect(broken.length).toBeGreaterThanOrEqual(7);
    for (const file of broken) {
      expect(EXPECTED_ISSUES[`broken/${file}`]).toBeDefined();
    }
  });

  test.each(exampleFiles)('%s gets the expected verdict', (file) => {
    const actual = issuesOf(file).map((i) => [i.schema, i.path, i.message] as const);
    const expected = EXPECTED_ISSUES[file] ?? [];
    expect(actual).toHaveLength(expected.length);
    for (const [schema, issuePath, message] of expected) {
      expect(actual).toContainEqual([schema, issuePath, expect.stringContaining(message)]);
    }
  });
});
