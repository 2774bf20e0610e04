import { ApiObject, Testing } from 'cdk8s';
import { NodePoolMode } from '../../lib/core/node-pool';
import { KServeModel, KServeModelProps } from '../../lib/serving/kserve-model';
import { PodIdentityBinding } from '../../lib/identity/pod-identity-binding';
import { findManifest, Manifest } from '../util';

const required: KServeModelProps = {
  name: 'iris',
  namespace: 'models',
  format: 'sklearn',
  storageUri: 'https://exampledatalake.blob.core.windows.net/models/iris',
  resources: { request: { cpu: '500m', memory: '1Gi' }, limit: { cpu: '1', memory: '2Gi' } },
  kserveVersion: '0.16.0',
};
const gpuPool = { name: 'gpu', mode: NodePoolMode.USER, minCount: 0, taints: ['sku=gpu:NoSchedule'], gpusPerNode: 2 };

function synth(props: Partial<KServeModelProps> = {}, withIdentity = false): { model: KServeModel; manifests: Manifest[] } {
  const chart = Testing.chart();
  const identity = withIdentity ? new PodIdentityBinding(chart, 'identity', {
    namespace: 'models', identityName: 'model-reader', clientId: '00000000-0000-0000-0000-000000000103', tenantId: '00000000-0000-0000-0000-000000000001',
    oidcIssuerUrl: 'https://issuer.example/',
  }) : undefined;
  const model = new KServeModel(chart, 'model', { ...required, identity, ...props });
  return { model, manifests: Testing.synth(chart) as Manifest[] };
}

const isvc = (manifests: Manifest[], name = 'iris') => findManifest(manifests, 'InferenceService', name, 'models');

describe('KServeModel', () => {
  test('defaults', () => {
    expect(synth().manifests).toMatchSnapshot();
  });

  test('all props', () => {
    // GIVEN every prop, on a Knative install where canary and concurrency scaling exist
    const chart = Testing.chart();
    const identity = new PodIdentityBinding(chart, 'identity', {
      namespace: 'models', identityName: 'model-reader', clientId: '00000000-0000-0000-0000-000000000103', tenantId: '00000000-0000-0000-0000-000000000001',
      oidcIssuerUrl: 'https://issuer.example/',
    });
    const props: Required<KServeModelProps> = {
      ...required, format: 'pytorch', formatVersion: '2', runtime: 'custom-torch', protocolVersion: 'grpc-v2',
      deploymentMode: 'Knative', autoscaler: 'hpa', scaleMetric: 'rps', scaleTarget: 20, minReplicas: 0, maxReplicas: 4,
      canaryTrafficPercent: 10, timeoutSeconds: 90, gpus: 1, nodePool: gpuPool, identity, allowAzureEgress: false,
    };
    // WHEN
    new KServeModel(chart, 'model', props);
    const manifests = Testing.synth(chart) as Manifest[];
    // THEN each prop lands in its place
    const object = isvc(manifests);
    expect(object.metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'Knative' });
    expect(object.spec.predictor).toMatchObject({
      minReplicas: 0, maxReplicas: 4, scaleMetric: 'rps', scaleTarget: 20, canaryTrafficPercent: 10, timeout: 90,
      serviceAccountName: 'model-reader', labels: { 'azure.workload.identity/use': 'true' },
      nodeSelector: { 'kubernetes.azure.com/agentpool': 'gpu' },
      tolerations: [{ key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      model: {
        modelFormat: { name: 'pytorch', version: '2' }, runtime: 'custom-torch', protocolVersion: 'grpc-v2',
        resources: { requests: { 'cpu': '500m', 'memory': '1Gi', 'nvidia.com/gpu': '1' }, limits: { 'cpu': '1', 'memory': '2Gi', 'nvidia.com/gpu': '1' } },
      },
    });
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('new schema only: the format goes to predictor.model, with TorchServe replaced by Triton for pytorch', () => {
    const pytorch = isvc(synth({ format: 'pytorch' }).manifests).spec.predictor;
    expect(Object.keys(pytorch)).not.toContain('pytorch');
    expect(pytorch.model).toMatchObject({ modelFormat: { name: 'pytorch' }, runtime: 'kserve-tritonserver', protocolVersion: 'v2' });
    const mlflow = isvc(synth({ format: 'mlflow' }).manifests).spec.predictor.model;
    expect(mlflow).toMatchObject({ runtime: 'kserve-mlserver', protocolVersion: 'v2' });
    const sklearn = isvc(synth().manifests).spec.predictor.model;
    expect(sklearn.runtime).toBeUndefined();
  });

  test.each([
    ['0.15.2', 'Standard', 'RawDeployment'],
    ['0.15.2', 'Knative', 'Serverless'],
    ['0.16.0', 'Standard', 'Standard'],
    ['0.20.0', 'Knative', 'Knative'],
    ['1.0.0', 'Standard', 'Standard'],
  ] as const)('KServe %s spells the %s mode %s', (kserveVersion, deploymentMode, expected) => {
    const object = isvc(synth({ kserveVersion, deploymentMode, canaryTrafficPercent: undefined }).manifests);
    expect(object.metadata.annotations!['serving.kserve.io/deploymentMode']).toBe(expected);
  });

  test('Standard mode sets the autoscaler class and cpu metric; Knative uses concurrency and no class', () => {
    const standard = isvc(synth({ autoscaler: 'keda', minReplicas: 0 }).manifests);
    expect(standard.metadata.annotations!['serving.kserve.io/autoscalerClass']).toBe('keda');
    expect(standard.spec.predictor).toMatchObject({ minReplicas: 0, maxReplicas: 2, scaleMetric: 'cpu' });
    const knative = isvc(synth({ deploymentMode: 'Knative' }).manifests);
    expect(knative.metadata.annotations!['serving.kserve.io/autoscalerClass']).toBeUndefined();
    expect(knative.spec.predictor.scaleMetric).toBe('concurrency');
  });

  test('identity through PodIdentityBinding: service account and predictor label, and no storage secret', () => {
    const { manifests } = synth({}, true);
    const predictor = isvc(manifests).spec.predictor;
    expect(predictor.serviceAccountName).toBe('model-reader');
    expect(predictor.labels).toEqual({ 'azure.workload.identity/use': 'true' });
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  test('restricted security contexts on the pod and the serving container', () => {
    const predictor = isvc(synth().manifests).spec.predictor;
    expect(predictor.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(predictor.model.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(predictor.automountServiceAccountToken).toBe(false);
  });

  test('describes the predictor Service in Standard mode, and opens HTTPS egress for the storage initializer', () => {
    const { model, manifests } = synth();
    expect(model.backend).toEqual({
      namespace: 'models', serviceName: 'iris-predictor', ports: [{ port: 80, targetPort: 8080 }],
      podLabels: { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor' },
    });
    const egress = findManifest(manifests, 'NetworkPolicy', 'iris-azure-egress', 'models');
    expect(egress.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(synth({ deploymentMode: 'Knative' }).model.backend).toBeUndefined();
  });

  describe('storage URIs', () => {
    test.each([
      'https://exampledatalake.blob.core.windows.net/models/iris',
      'https://exampledatalake.blob.core.windows.net/models',
      'https://exampledatalake.z01.blob.storage.azure.net/models/iris',
      'https://examplefiles.file.core.windows.net/share/iris',
      'pvc://model-store/iris',
      'hdfs://namenode:8020/models/iris',
      'webhdfs://namenode:9870/models/iris',
      'oci://example.azurecr.io/models/iris:v1',
      'https://example.com/models/model.joblib',
    ])('%s is read by KServe', (storageUri) => {
      expect(() => synth({ storageUri })).not.toThrow();
    });

    test.each([
      's3://bucket/models/iris',
      'gs://kfserving-examples/models/sklearn/1.0/model',
      'hf://meta-llama/Llama-3.1-8B',
    ])('%s is refused: KServe reads it with AWS, Google or Hugging Face credentials, and pods here only have Azure identities (issue 13)', (storageUri) => {
      expect(() => synth({ storageUri })).toThrow(/pods of this platform only have Azure identities .*copy the model to Azure Blob Storage/);
    });

    test.each([
      // the seed's form (seed 001 notebook) and its abfss:// spelling
      ['https://exampledatalake.dfs.core.windows.net/distributed-test-models/iris_models/mar', 'https://exampledatalake.blob.core.windows.net/distributed-test-models/iris_models/mar'],
      ['abfss://distributed-test-models@exampledatalake.dfs.core.windows.net/iris_models/mar', 'https://exampledatalake.blob.core.windows.net/distributed-test-models/iris_models/mar'],
      ['abfs://models@exampledatalake.dfs.core.windows.net/', 'https://exampledatalake.blob.core.windows.net/models'],
      ['wasbs://models@exampleartifacts.blob.core.windows.net/iris', 'https://exampleartifacts.blob.core.windows.net/models/iris'],
    ])('%s is refused with the blob URI', (storageUri, corrected) => {
      expect(() => synth({ storageUri })).toThrow(`KServeModel 'model': 'storageUri' ("${storageUri}") is not a form KServe's storage initializer reads (no abfss://, wasbs:// or dfs.core.windows.net handler); use the blob endpoint of the same account: ${corrected}`);
    });

    test.each([
      ['http://example.com/model.joblib', /is plain http; use https/],
      ['ftp://example.com/model', /is not a storage URI KServe reads/],
      ['/mnt/models', /is not a storage URI KServe reads/],
      ['https://Example.blob.core.windows.net', /is not a valid Azure Storage URI/],
      ['https://exampledatalake.blob.core.windows.net/Models/iris', /is not a valid Azure Storage URI/],
    ])('%s is refused', (storageUri, message) => {
      expect(() => synth({ storageUri })).toThrow(message);
    });
  });

  describe('validation', () => {
    const build = (props: Partial<KServeModelProps>) => () => synth(props);
    test('name', () => {
      expect(build({ name: '1iris' })).toThrow(/KServeModel 'model': 'name' \("1iris"\) must be a DNS-1035 label/);
    });
    test('version', () => {
      expect(build({ kserveVersion: 'latest' })).toThrow(/"latest" is not a version/);
    });
    test('minReplicas 0 needs a mode that scales to zero', () => {
      expect(build({ minReplicas: 0 })).toThrow(/'minReplicas' \(0\) needs a mode that scales to zero; the Standard mode with the hpa autoscaler keeps at least 1 replica/);
      expect(build({ minReplicas: 0, deploymentMode: 'Knative' })).not.toThrow();
    });
    test('min above max', () => {
      expect(build({ minReplicas: 3, maxReplicas: 2 })).toThrow(/'minReplicas' \(3\) must be <= 'maxReplicas' \(2\)/);
    });
    test('canary only with Knative', () => {
      expect(build({ canaryTrafficPercent: 10 })).toThrow(/'canaryTrafficPercent' \(10\) needs deploymentMode 'Knative'/);
    });
    test('scale metric per mode', () => {
      expect(build({ scaleMetric: 'concurrency' })).toThrow(/'scaleMetric' \(concurrency\) is not available in the Standard mode; use cpu or memory/);
      expect(build({ scaleMetric: 'cpu', deploymentMode: 'Knative' })).toThrow(/'scaleMetric' \(cpu\) is not available in the Knative mode/);
    });
    test('GPUs need a GPU pool that has enough', () => {
      expect(build({ gpus: 1 })).toThrow(/'gpus' \(1\) needs a 'nodePool' with GPUs/);
      expect(build({ gpus: 4, nodePool: gpuPool })).toThrow(/'gpus' \(4\) is more than a node of pool 'gpu' has \(2\)/);
    });
    test('request above limit', () => {
      expect(build({ resources: { request: { cpu: '2', memory: '1Gi' }, limit: { cpu: '1', memory: '1Gi' } } }))
        .toThrow(/'resources.request.cpu' \(2\) must be <= 'resources.limit.cpu' \(1\)/);
    });
  });

  test('escape hatch', () => {
    expect(ApiObject.of(synth().model).kind).toBe('InferenceService');
  });
});
