import { ManifestValidator, SchemaIssue } from '../../lib/validation';
import { SCHEMAS_DIR } from './paths';

const validator = ManifestValidator.load(SCHEMAS_DIR);

/** A valid apps/v1 Deployment; `patch` edits a fresh copy. */
function deployment(patch: (d: any) => void = () => undefined): any {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'mlflow', namespace: 'serving' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'mlflow' } },
      template: {
        metadata: { labels: { app: 'mlflow' } },
        spec: { containers: [{ name: 'mlflow', image: 'mlflow:2', resources: { limits: { cpu: '500m', memory: '1Gi' } } }] },
      },
    },
  };
  patch(d);
  return d;
}

/** A valid InferenceService; `patch` edits a fresh copy. */
function inferenceService(patch: (d: any) => void = () => undefined): any {
  const d = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: 'fraud', namespace: 'serving' },
    spec: { predictor: { model: { modelFormat: { name: 'sklearn' }, storageUri: 'https://acct.blob.core.windows.net/models/fraud' } } },
  };
  patch(d);
  return d;
}

const where = (issues: SchemaIssue[]) => issues.map((i) => `${i.schema} ${i.path}: ${i.message}`);

describe('ManifestValidator', () => {
  test('a valid Deployment has no issues against both Kubernetes versions', () => {
    expect(validator.kubernetesVersions).toEqual(['1.27.0', '1.36.0']);
    expect(validator.validate(deployment())).toEqual([]);
  });

  test('an unknown field fails with its path, for each Kubernetes version', () => {
    const issues = validator.validate(deployment((d) => { d.spec.template.spec.containers[0].foo = 1; }), 'dist/a.yaml');
    expect(issues).toEqual(['1.27.0', '1.36.0'].map((version) => ({
      source: 'dist/a.yaml',
      object: 'apps/v1 Deployment serving/mlflow',
      schema: `kubernetes ${version}`,
      path: '/spec/template/spec/containers/0/foo',
      message: 'must NOT have additional properties (foo)',
    })));
  });

  test('a wrong type fails (string replicas), and int32 is range-checked', () => {
    expect(where(validator.validate(deployment((d) => { d.spec.replicas = '2'; }))))
      .toEqual(['kubernetes 1.27.0 /spec/replicas: must be integer', 'kubernetes 1.36.0 /spec/replicas: must be integer']);
    expect(where(validator.validate(deployment((d) => { d.spec.replicas = 3_000_000_000; }))))
      .toContain('kubernetes 1.36.0 /spec/replicas: must match format "int32"');
  });

  test('null is rejected unless the schema says nullable', () => {
    expect(validator.validate(deployment((d) => { d.spec.replicas = null; }))).toHaveLength(2);
    const identity = { apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureIdentity', metadata: { name: 'id' }, spec: { type: 0, replicas: null } };
    expect(validator.validate(identity)).toEqual([]);
  });

  test('IntOrString accepts integer and string, nothing else', () => {
    const service = (targetPort: unknown) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' },
      spec: { selector: { app: 'a' }, ports: [{ port: 80, targetPort }] },
    });
    expect(validator.validate(service(8080))).toEqual([]);
    expect(validator.validate(service('http'))).toEqual([]);
    expect(where(validator.validate(service(1.5)))).toContain('kubernetes 1.27.0 /spec/ports/0/targetPort: must be integer,string');
    expect(validator.validate(service(true))).toHaveLength(2);
  });

  test('x-kubernetes-int-or-string in a CRD accepts integer and string', () => {
    for (const maxSurge of [1, '50%']) {
      const isvc = inferenceService((d) => { d.spec.predictor.deploymentStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge } }; });
      expect(validator.validate(isvc)).toEqual([]);
    }
    const bad = inferenceService((d) => { d.spec.predictor.deploymentStrategy = { rollingUpdate: { maxSurge: [] } }; });
    expect(where(validator.validate(bad))).toContain('crd kserve@v0.20.0 serving.kserve.io/v1beta1 InferenceService /spec/predictor/deploymentStrategy/rollingUpdate/maxSurge: must be integer,string');
  });

  test('Quantity accepts number and string', () => {
    expect(validator.validate(deployment((d) => { d.spec.template.spec.containers[0].resources.limits = { cpu: 1, memory: 1.5e9 }; }))).toEqual([]);
    expect(validator.validate(deployment((d) => { d.spec.template.spec.containers[0].resources.limits = { cpu: '0.5' }; }))).toEqual([]);
    expect(validator.validate(deployment((d) => { d.spec.template.spec.containers[0].resources.limits = { cpu: {} }; }))).toHaveLength(2);
    const isvc = inferenceService((d) => { d.spec.predictor.model.resources = { limits: { cpu: 1, memory: '2Gi' } }; });
    expect(validator.validate(isvc)).toEqual([]);
  });

  test('x-kubernetes-preserve-unknown-fields allows anything below it', () => {
    const release = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { interval: '1h', chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
        values: { anything: { nested: [1, 'two', { three: true }] } } },
    };
    expect(validator.validate(release)).toEqual([]);
    release.spec.chart.spec = { ...release.spec.chart.spec, ...{ chartt: 'typo' } };
    expect(where(validator.validate(release))).toEqual(['crd flux@v2.9.4 helm.toolkit.fluxcd.io/v2 HelmRelease /spec/chart/spec/chartt: must NOT have additional properties (chartt)']);
  });

  test('a missing required field fails with its path', () => {
    const issues = validator.validate(deployment((d) => { delete d.spec.template.spec.containers[0].name; }));
    expect(where(issues)).toEqual(['1.27.0', '1.36.0'].map((v) => `kubernetes ${v} /spec/template/spec/containers/0/name: must have required property 'name'`));
  });

  test('enums are enforced', () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' },
      spec: { rules: [{ filters: [{ type: 'Bogus' }] }] },
    };
    expect(where(validator.validate(route))).toContainEqual(expect.stringMatching(/\/spec\/rules\/0\/filters\/0\/type: must be one of "RequestHeaderModifier"/));
  });

  test('an unknown apiVersion/kind fails (never skipped)', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(where(validator.validate(widget))).toEqual(['1.27.0', '1.36.0'].map(
      (v) => `kubernetes ${v} : no upstream schema for example.com/v1 Widget (not a Kubernetes ${v} kind, and no CRD)`));
    const isvcAlpha = inferenceService((d) => { d.apiVersion = 'serving.kserve.io/v1alpha1'; });
    expect(where(validator.validate(isvcAlpha))).toEqual([
      'crd serving.kserve.io/v1alpha1 InferenceService : no upstream schema for serving.kserve.io/v1alpha1 InferenceService in kserve v0.20.0 (the newest imported version; no CRD of it defines this version and kind)']);
  });

  test('removed APIs fail for both versions (extensions/v1beta1 Ingress); Flux v1beta2 sources are not accepted', () => {
    const ingress = { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'i' }, spec: {} };
    expect(validator.validate(ingress).map((i) => i.schema)).toEqual(['kubernetes 1.27.0', 'kubernetes 1.36.0']);
    const repo = { apiVersion: 'source.toolkit.fluxcd.io/v1beta2', kind: 'GitRepository', metadata: { name: 'g' }, spec: { interval: '1m', url: 'https://x' } };
    expect(validator.validate(repo)).toHaveLength(1);
    expect(validator.validate({ ...repo, apiVersion: 'source.toolkit.fluxcd.io/v1' })).toEqual([]);
  });

  test('a field that exists only in 1.36 (sidecar container restartPolicy) fails against 1.27 only', () => {
    const sidecar = deployment((d) => { d.spec.template.spec.initContainers = [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }]; });
    expect(where(validator.validate(sidecar))).toEqual([
      'kubernetes 1.27.0 /spec/template/spec/initContainers/0/restartPolicy: must NOT have additional properties (restartPolicy)']);
  });

  test('custom resources: metadata is checked against ObjectMeta, spec strictly against the CRD', () => {
    expect(validator.validate(inferenceService())).toEqual([]);
    const badMeta = inferenceService((d) => { d.metadata.labelz = { a: 'b' }; });
    expect(where(validator.validate(badMeta))).toEqual(['1.27.0', '1.36.0'].map(
      (v) => `kubernetes ${v} ObjectMeta /metadata/labelz: must NOT have additional properties (labelz)`));
    const badLabel = inferenceService((d) => { d.metadata.labels = { replicas: 2 }; });
    expect(validator.validate(badLabel)).toHaveLength(2);
  });

  test('CRD defaults are applied before validation, on a copy (Gateway address type defaults to IPAddress)', () => {
    const gateway = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' },
      spec: { gatewayClassName: 'c', addresses: [{ value: '10.0.0.1' }], listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    };
    expect(validator.validate(gateway)).toEqual([]);
    expect(gateway.spec.addresses[0]).toEqual({ value: '10.0.0.1' });
  });

  test('embedded resources accept apiVersion, kind and metadata', () => {
    const assigned = {
      apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureAssignedIdentity', metadata: { name: 'a' },
      spec: { azureBindingRef: { apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureIdentityBinding', metadata: { name: 'b' }, spec: { selector: 's' } } },
    };
    expect(validator.validate(assigned)).toEqual([]);
  });

  test('non-objects and objects without apiVersion/kind are reported; kustomize config is accepted as is', () => {
    expect(validator.validate('text', 'x.yaml')).toEqual([expect.objectContaining({ schema: 'manifest', source: 'x.yaml' })]);
    expect(validator.validate({ kind: 'Deployment' })).toEqual([expect.objectContaining({ schema: 'manifest' })]);
    expect(validator.validate({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [] })).toEqual([]);
  });

  test('validateAll keeps input order and sources', () => {
    const issues = validator.validateAll([
      { obj: deployment((d) => { d.spec.replicas = 'x'; }), source: 'a.yaml' },
      { obj: deployment(), source: 'b.yaml' },
      { obj: { apiVersion: 'v1', kind: 'Nope' }, source: 'c.yaml' },
    ]);
    expect(issues.map((i) => i.source)).toEqual(['a.yaml', 'a.yaml', 'c.yaml', 'c.yaml']);
  });
});
