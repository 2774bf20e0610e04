/**
 * One version, one schema: for every operator of every cluster, the version the cluster installs (read from
 * its rendered HelmRelease / OCIRepository / GitRepository) is the version whose CRD schemas validate the
 * cluster's custom resources.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { AAD_POD_IDENTITY_APP_VERSIONS, ENVOY_GATEWAY_API_BUNDLES } from '../../lib/gitops/installed-versions';
import { Operator, OPERATOR_LABEL, operatorOfApiGroup } from '../../lib/gitops/operators';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { crdSetsOf, INSTALLED_VERSIONS_FILE, InstalledVersionsFile, ManifestValidator, readManifestFolder } from '../../lib/validation';
import { exampleConfig, exampleConfigIssues, exampleEnvironment, Manifest } from '../util';
import { PlatformConfig } from '../../lib/config/schema';

const validator = ManifestValidator.load();

/** The example plus the legacy identity mode on the training cluster (so aad-pod-identity is installed too). */
function withAadPodIdentity(): PlatformConfig {
  const config = exampleConfig();
  const training = config.clusters.training as unknown as { identityMode?: string; operators?: Record<string, unknown> };
  training.identityMode = 'aad-pod-identity';
  training.operators = { ...training.operators, aadPodIdentity: { repository: 'https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts', version: '4.1.18' } };
  return config;
}

/** The CRD set a cluster's installing objects say it installs, per operator (independently of the config). */
function installedSetFromObjects(operator: Operator, objects: readonly Manifest[]): string | undefined {
  const own = objects.filter((o) => o.metadata.labels?.[OPERATOR_LABEL] === operator);
  const oci = (name: string) => own.find((o) => o.kind === 'OCIRepository' && o.metadata.name === name)?.spec.ref.tag as string;
  const chartVersion = () => own.find((o) => o.kind === 'HelmRelease')?.spec.chart?.spec.version as string;
  switch (operator) {
    case Operator.KSERVE: return `kserve@${oci('kserve-crd')}`;
    case Operator.GATEWAY_CONTROLLER: return `gateway-api@${ENVOY_GATEWAY_API_BUNDLES[oci('gateway-controller')]}`;
    case Operator.SPARK_OPERATOR: return `spark-operator@v${chartVersion()}`;
    case Operator.TRAINING_OPERATOR: return `kubeflow-training@${own.find((o) => o.kind === 'GitRepository')?.spec.ref.tag}`;
    case Operator.STRIMZI: return `strimzi@${oci('strimzi')}`;
    case Operator.AAD_POD_IDENTITY: return `aad-pod-identity@${AAD_POD_IDENTITY_APP_VERSIONS[chartVersion()]}`;
    default: return undefined;
  }
}

describe.each([
  ['the example config', () => exampleEnvironment().config],
  ['the example with aad-pod-identity', withAadPodIdentity],
])('%s: installed version == validated version', (_, makeConfig) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'installed-versions-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
  const { tree } = renderEnvironments([{ name: 'example', config: makeConfig() } as never], PLATFORM_COMPOSITIONS);
  for (const [file, text] of tree) {
    fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    fs.writeFileSync(path.join(out, file), text);
  }
  const clusters = Object.keys(makeConfig().clusters).sort();

  test.each(clusters)('cluster %s', (cluster) => {
    const dir = path.join(out, 'example', cluster);
    const file = JSON.parse(fs.readFileSync(path.join(dir, INSTALLED_VERSIONS_FILE), 'utf8')) as InstalledVersionsFile;
    const objects = readManifestFolder([dir]).map(({ obj }) => obj as Manifest);
    const installed = crdSetsOf(file);
    let checkedOperators = 0;
    for (const [operator, record] of Object.entries(file.operators)) {
      const fromObjects = installedSetFromObjects(operator as Operator, objects);
      if (fromObjects === undefined) continue;   // cert-manager: no CRD schemas used
      expect([operator, record.crdSchemas]).toEqual([operator, fromObjects]);
      checkedOperators++;
    }
    expect(checkedOperators).toBeGreaterThan(0);
    let checkedResources = 0;
    for (const obj of objects) {
      const operator = operatorOfApiGroup(obj.apiVersion.split('/')[0]);
      if (operator === undefined || !obj.apiVersion.includes('/')) continue;
      expect([obj.kind, obj.metadata.name, validator.crdSetOf(obj.apiVersion, obj.kind, installed)])
        .toEqual([obj.kind, obj.metadata.name, file.operators[operator]?.crdSchemas]);
      checkedResources++;
    }
    expect(checkedResources).toBeGreaterThan(0);
  });
});

describe('validation follows the installed version', () => {
  const isvc = {
    apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'm', namespace: 'models' },
    spec: { predictor: { hostnameOverride: 'm.example.com', model: { modelFormat: { name: 'sklearn' }, storageUri: 'https://a.blob.core.windows.net/m/x' } } },
  };

  test('a KServe v0.20-only field fails on a cluster that installs v0.16.0 and passes on v0.20.0', () => {
    const old = validator.validate(isvc, 'x.yaml', { kserve: 'v0.16.0' });
    expect(old.map((i) => [i.schema, i.path, i.message])).toEqual([
      ['crd kserve@v0.16.0 serving.kserve.io/v1beta1 InferenceService', '/spec/predictor/hostnameOverride', 'must NOT have additional properties (hostnameOverride)'],
    ]);
    expect(validator.validate(isvc, 'x.yaml', { kserve: 'v0.20.0' })).toEqual([]);
  });

  test('a Gateway API field of the v1.3.0 experimental bundle is accepted where Envoy Gateway 1.5.0 installs it, not by v1.4.1 standard', () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'n' },
      spec: { parentRefs: [{ name: 'g' }], rules: [{ retry: { attempts: 2 }, backendRefs: [{ name: 's', port: 80 }] }] },
    };
    expect(validator.validate(route, 'x.yaml', { 'gateway-api': 'v1.3.0' })).toEqual([]);
    expect(validator.validate(route, 'x.yaml', { 'gateway-api': 'v1.4.1' }).map((i) => i.path)).toEqual(['/spec/rules/0/retry']);
  });

  test('a version without schemas is an issue naming the available versions', () => {
    expect(validator.validate(isvc, 'x.yaml', { kserve: 'v0.17.0' }).map((i) => i.message)).toEqual([
      expect.stringContaining('no kserve v0.17.0 CRD schemas (the version this cluster installs); available: v0.16.0, v0.20.0'),
    ]);
  });

  test('validateAll finds installed-versions.json by walking up from each manifest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walk-up-'));
    try {
      fs.mkdirSync(path.join(dir, 'cluster', 'workloads'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'cluster', INSTALLED_VERSIONS_FILE), JSON.stringify({ environment: 'e', cluster: 'c', operators: { kserve: { pinned: 'kserve 0.16.0', crdSchemas: 'kserve@v0.16.0' } } }));
      const issues = validator.validateAll([{ obj: isvc, source: path.join(dir, 'cluster', 'workloads', 'isvc.yaml') }]);
      expect(issues.map((i) => i.schema)).toEqual(['crd kserve@v0.16.0 serving.kserve.io/v1beta1 InferenceService']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('config: a pinned operator version without schemas', () => {
  test('KServe 0.17.0 fails naming the available versions', () => {
    const issues = exampleConfigIssues((text) => text.replace('version: "0.16.0"', 'version: "0.17.0"'));
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      expect.stringMatching(/^clusters\.serving\.serving\.kserve\.version: KServe 0\.17\.0 has no kserve CRD schemas to validate against; available: v0\.16\.0, v0\.20\.0/),
    ]);
  });

  test('an Envoy Gateway version whose Gateway API bundle is unknown fails naming the known ones', () => {
    const issues = exampleConfigIssues((text) => text.replace(/(chart: gateway-helm\n\s+version: )v1\.5\.0/, '$1v1.6.0'));
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      expect.stringMatching(/^clusters\.data-processing\.operators\.gatewayController\.version: Envoy Gateway v1\.6\.0: .*known chart versions: v1\.5\.0 \(Gateway API v1\.3\.0\)/),
    ]);
  });
});
