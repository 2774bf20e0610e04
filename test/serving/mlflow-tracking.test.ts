import { ApiObject, Testing } from 'cdk8s';
import { NodePoolMode } from '../../lib/core/node-pool';
import { MlflowTracking, MlflowTrackingProps } from '../../lib/serving/mlflow-tracking';
import { PodIdentityBinding } from '../../lib/identity/pod-identity-binding';
import { findManifest, Manifest } from '../util';

type Chart = ReturnType<typeof Testing.chart>;

function binding(chart: Chart, namespace = 'mlflow'): PodIdentityBinding {
  return new PodIdentityBinding(chart, `identity-${namespace}`, {
    namespace, identityName: 'model-reader', clientId: '00000000-0000-0000-0000-000000000103', tenantId: '00000000-0000-0000-0000-000000000001',
    oidcIssuerUrl: 'https://issuer.example/',
  });
}

function requiredProps(chart: Chart): MlflowTrackingProps {
  return {
    namespace: 'mlflow',
    image: 'example.azurecr.io/mlflow-server:2.22.1',
    backendStoreSecret: { name: 'mlflow-backend-store', key: 'uri' },
    artifacts: { storageAccount: 'exampleartifacts', container: 'mlflow' },
    identity: binding(chart),
    resources: { request: { cpu: '250m', memory: '512Mi' }, limit: { cpu: '1', memory: '2Gi' } },
  };
}

function synth(props: Partial<MlflowTrackingProps> = {}): { mlflow: MlflowTracking; manifests: Manifest[] } {
  const chart = Testing.chart();
  const mlflow = new MlflowTracking(chart, 'mlflow', { ...requiredProps(chart), ...props });
  return { mlflow, manifests: Testing.synth(chart) as Manifest[] };
}

const server = (manifests: Manifest[], name = 'mlflow') => findManifest(manifests, 'Deployment', name, 'mlflow').spec.template.spec.containers[0];

describe('MlflowTracking', () => {
  test('defaults', () => {
    expect(synth().manifests).toMatchSnapshot();
  });

  test('all props', () => {
    const chart = Testing.chart();
    const props: Required<MlflowTrackingProps> = {
      ...requiredProps(chart), name: 'tracking', replicas: 3, pathPrefix: '/tracking', postgresPort: 6432,
      artifacts: { storageAccount: 'exampleartifacts', container: 'mlflow', path: 'runs/' },
      nodePool: { name: 'serving', mode: NodePoolMode.USER, minCount: 1 },
    };
    const mlflow = new MlflowTracking(chart, 'mlflow', props);
    const manifests = Testing.synth(chart) as Manifest[];
    const deployment = findManifest(manifests, 'Deployment', 'tracking', 'mlflow');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': 'serving' });
    expect(server(manifests, 'tracking').args).toEqual(expect.arrayContaining(['--static-prefix', '/tracking', '--artifacts-destination', 'wasbs://mlflow@exampleartifacts.blob.core.windows.net/runs']));
    expect(server(manifests, 'tracking').readinessProbe.httpGet.path).toBe('/tracking/health');
    expect(findManifest(manifests, 'NetworkPolicy', 'tracking-egress').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6432 }]);
    expect(mlflow.backend.serviceName).toBe('tracking');
  });

  test('backend store URI from the referenced Secret, never in the manifest', () => {
    const { manifests } = synth();
    const container = server(manifests);
    expect(container.env).toContainEqual({ name: 'MLFLOW_BACKEND_STORE_URI', valueFrom: { secretKeyRef: { name: 'mlflow-backend-store', key: 'uri' } } });
    expect(container.args).toEqual(expect.arrayContaining(['--backend-store-uri', '$(MLFLOW_BACKEND_STORE_URI)']));
    expect(JSON.stringify(manifests)).not.toMatch(/postgresql:\/\//);
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  test('artifacts proxied to Azure Blob through Workload Identity', () => {
    const { mlflow, manifests } = synth();
    expect(mlflow.artifactsDestination).toBe('wasbs://mlflow@exampleartifacts.blob.core.windows.net');
    expect(server(manifests).args).toEqual(expect.arrayContaining(['--serve-artifacts', '--artifacts-destination', 'wasbs://mlflow@exampleartifacts.blob.core.windows.net']));
    const pod = findManifest(manifests, 'Deployment', 'mlflow').spec.template;
    expect(pod.spec.serviceAccountName).toBe('model-reader');
    expect(pod.metadata.labels['azure.workload.identity/use']).toBe('true');
  });

  test('health probes under the path prefix, and the Service reaches the server port', () => {
    const { mlflow, manifests } = synth();
    expect(server(manifests).readinessProbe.httpGet).toEqual({ path: '/mlflow/health', port: 'http' });
    expect(server(manifests).livenessProbe.httpGet).toEqual({ path: '/mlflow/health', port: 'http' });
    expect(findManifest(manifests, 'Service', 'mlflow').spec.ports[0]).toMatchObject({ port: 80, targetPort: 5000 });
    expect(mlflow.backend.ports).toEqual([{ port: 80, targetPort: 5000 }]);
  });

  describe('validation', () => {
    test('path prefix', () => {
      expect(() => synth({ pathPrefix: 'mlflow/' })).toThrow(/MlflowTracking 'mlflow': 'pathPrefix' \("mlflow\/"\) must start with '\/'/);
    });
    test('storage account and container', () => {
      expect(() => synth({ artifacts: { storageAccount: 'Example', container: 'mlflow' } })).toThrow(/'artifacts.storageAccount' \("Example"\)/);
      expect(() => synth({ artifacts: { storageAccount: 'example', container: 'ml' } })).toThrow(/'artifacts.container' \("ml"\)/);
    });
    test('identity in another namespace', () => {
      const chart = Testing.chart();
      expect(() => new MlflowTracking(chart, 'mlflow', { ...requiredProps(chart), identity: binding(chart, 'models') }))
        .toThrow(/'identity' is bound in namespace 'models', not 'mlflow'/);
    });
  });

  test('escape hatch', () => {
    expect(ApiObject.of(synth().mlflow).kind).toBe('Deployment');
  });
});
