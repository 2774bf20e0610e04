import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kubeflow from '../../imports/kubeflow.org';
import * as kserve from '../../imports/serving.kserve.io';
import * as spark from '../../imports/sparkoperator.k8s.io';
import * as k8s from '../../lib/core/k8s';
import { getPath, podTemplateLocations } from '../../lib/core/pod-templates';
import {
  AAD_POD_IDENTITY_LABEL, FEDERATED_CREDENTIAL_AUDIENCE, IdentityMode, PodIdentityBinding, PodIdentityBindingProps,
  WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION, WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION, WORKLOAD_IDENTITY_USE_LABEL,
} from '../../lib/identity/pod-identity-binding';
import { findManifest, Manifest } from '../util';

const CLIENT_ID = '00000000-0000-0000-0000-000000000102';
const TENANT_ID = '00000000-0000-0000-0000-000000000001';
const ISSUER = 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/';
const RESOURCE_ID = '/subscriptions/00000000-0000-0000-0000-000000000010/resourcegroups/rg-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/training-data';

const required: PodIdentityBindingProps = { namespace: 'training', identityName: 'training-data', clientId: CLIENT_ID, tenantId: TENANT_ID, oidcIssuerUrl: ISSUER };

function rawWorkload(chart: Chart, kind: string, spec: unknown, namespace = 'training'): ApiObject {
  return new ApiObject(chart, `${kind.toLowerCase()}-raw`, { apiVersion: 'v1', kind, metadata: { name: kind.toLowerCase(), namespace }, spec } as any);
}

const podTemplate = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'main', image: 'img:1' }] } };

/** Every pod template of a manifest with its service account and labels (found through the shared path table). */
function templatesOf(manifest: Manifest) {
  return (podTemplateLocations(manifest) ?? []).map((t) => ({
    name: t.name,
    serviceAccount: getPath(manifest, t.serviceAccountPath),
    labels: getPath(manifest, t.labelsPath) as Record<string, string> | undefined,
  }));
}

describe('PodIdentityBinding', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new PodIdentityBinding(chart, 'identity', required);
    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('all props (aad-pod-identity mode)', () => {
    const chart = Testing.chart();
    const props: Required<PodIdentityBindingProps> = {
      ...required,
      serviceAccountName: 'pytorch',
      mode: IdentityMode.AAD_POD_IDENTITY,
      oidcIssuerUrl: ISSUER,
      federatedCredentialName: 'training-pytorch',
      resourceId: RESOURCE_ID,
      automountServiceAccountToken: true,
    };
    const binding = new PodIdentityBinding(chart, 'identity', props);
    const manifests = Testing.synth(chart) as Manifest[];

    // The selector is the identity (one binding per identity and namespace), not the ServiceAccount.
    expect(binding.podLabels).toEqual({ [AAD_POD_IDENTITY_LABEL]: 'training-data' });
    expect(binding.federatedCredential).toBeUndefined();
    const sa = findManifest(manifests, 'ServiceAccount', 'pytorch', 'training');
    expect(sa.metadata.annotations).toBeUndefined();
    expect(sa.automountServiceAccountToken).toBe(true);
    const identity = findManifest(manifests, 'AzureIdentity', 'training-data', 'training');
    expect(identity.apiVersion).toBe('aadpodidentity.k8s.io/v1');
    expect(identity.spec).toEqual({ type: 0, resourceID: RESOURCE_ID, clientID: CLIENT_ID });
    const azureBinding = findManifest(manifests, 'AzureIdentityBinding', 'training-data-binding', 'training');
    expect(azureBinding.spec).toEqual({ azureIdentity: 'training-data', selector: binding.podLabels[AAD_POD_IDENTITY_LABEL] });
  });

  test('aad-pod-identity: several ServiceAccounts of one identity share one AzureIdentity, one binding and one label', () => {
    const chart = Testing.chart();
    const aadProps = { ...required, mode: IdentityMode.AAD_POD_IDENTITY, resourceId: RESOURCE_ID };
    const a = new PodIdentityBinding(chart, 'a', { ...aadProps, serviceAccountName: 'scheduler' });
    const b = new PodIdentityBinding(chart, 'b', { ...aadProps, serviceAccountName: 'worker' });
    const manifests = Testing.synth(chart) as Manifest[];
    expect(manifests.filter((m) => m.kind === 'AzureIdentityBinding')).toHaveLength(1);
    expect(manifests.filter((m) => m.kind === 'AzureIdentity')).toHaveLength(1);
    expect(a.podLabels).toEqual(b.podLabels);
  });

  test('aad-pod-identity: the identity\'s pods may reach the token endpoint through NMI (IMDS 169.254.169.254:80, NMI 127.0.0.1:2579)', () => {
    const chart = Testing.chart();
    new PodIdentityBinding(chart, 'identity', { ...required, mode: IdentityMode.AAD_POD_IDENTITY, resourceId: RESOURCE_ID });
    const policy = findManifest(Testing.synth(chart) as Manifest[], 'NetworkPolicy', 'training-data-aad-pod-identity-token', 'training');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { [AAD_POD_IDENTITY_LABEL]: 'training-data' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
        { to: [{ ipBlock: { cidr: '127.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 2579 }] },
      ],
    });
  });

  test('workload identity: annotated ServiceAccount without an API token, pod label and federated credential', () => {
    const chart = Testing.chart();
    const binding = new PodIdentityBinding(chart, 'identity', required);
    const sa = findManifest(Testing.synth(chart), 'ServiceAccount', 'training-data', 'training');

    expect(sa.metadata.annotations).toEqual({ [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: CLIENT_ID, [WORKLOAD_IDENTITY_TENANT_ID_ANNOTATION]: TENANT_ID });
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(binding.podLabels).toEqual({ [WORKLOAD_IDENTITY_USE_LABEL]: 'true' });
    expect(binding.federatedCredential).toEqual({
      name: 'training-training-data',
      identityName: 'training-data',
      clientId: CLIENT_ID,
      issuer: ISSUER,
      subject: 'system:serviceaccount:training:training-data',
      audience: FEDERATED_CREDENTIAL_AUDIENCE,
    });
    expect(Testing.synth(chart).filter((m: Manifest) => m.kind.startsWith('Azure'))).toEqual([]);
  });

  test.each([
    ['Pod', { containers: [{ name: 'main', image: 'img:1' }] }, ['pod']],
    ['Deployment', { selector: { matchLabels: { app: 'x' } }, template: podTemplate }, ['spec.template']],
    ['StatefulSet', { serviceName: 's', selector: { matchLabels: { app: 'x' } }, template: podTemplate }, ['spec.template']],
    ['DaemonSet', { selector: { matchLabels: { app: 'x' } }, template: podTemplate }, ['spec.template']],
    ['Job', { template: { spec: podTemplate.spec } }, ['spec.template']],
    ['CronJob', { schedule: '0 * * * *', jobTemplate: { spec: { template: podTemplate } } }, ['spec.jobTemplate.spec.template']],
    ['PyTorchJob', { pytorchReplicaSpecs: { Master: { template: podTemplate }, Worker: { replicas: 2, template: { spec: podTemplate.spec } } } },
      ['spec.pytorchReplicaSpecs.Master.template', 'spec.pytorchReplicaSpecs.Worker.template']],
    ['SparkApplication', { driver: { cores: 1 }, executor: { instances: 2, labels: { role: 'exec' } } }, ['spec.driver', 'spec.executor']],
    ['ScheduledSparkApplication', { schedule: '@daily', template: { driver: {}, executor: {} } }, ['spec.template.driver', 'spec.template.executor']],
    ['InferenceService', { predictor: { model: {} }, transformer: { containers: [] } }, ['spec.predictor', 'spec.transformer']],
  ])('bind() sets the service account and labels of every %s pod template', (kind, spec, expected) => {
    // GIVEN
    const chart = Testing.chart();
    const binding = new PodIdentityBinding(chart, 'identity', required);
    const workload = rawWorkload(chart, kind, spec);
    // WHEN
    binding.bind(workload);
    // THEN
    const manifest = findManifest(Testing.synth(chart), kind, kind.toLowerCase());
    const templates = templatesOf(manifest);
    expect(templates.map((t) => t.name)).toEqual(expected);
    for (const template of templates) {
      expect(template.serviceAccount).toBe('training-data');
      expect(template.labels).toMatchObject(binding.podLabels);
    }
  });

  test('bind() keeps existing labels and works through the typed CRD classes', () => {
    const chart = Testing.chart();
    const binding = new PodIdentityBinding(chart, 'identity', { ...required, mode: IdentityMode.AAD_POD_IDENTITY, resourceId: RESOURCE_ID });
    const template = { metadata: { labels: { app: 'iris' } }, spec: { containers: [{ name: 'pytorch', image: 'img:1' }] } };
    binding.bind(new kubeflow.PyTorchJob(chart, 'job', { metadata: { name: 'job', namespace: 'training' }, spec: { pytorchReplicaSpecs: { Master: { template }, Worker: { template } } } }));
    binding.bind(new spark.SparkApplication(chart, 'spark', {
      metadata: { name: 'spark', namespace: 'training' },
      spec: { type: spark.SparkApplicationSpecType.PYTHON, sparkVersion: '3.5.3', mainApplicationFile: 'local:///app.py', driver: { labels: { role: 'driver' } }, executor: {} },
    }));
    binding.bind(new kserve.InferenceService(chart, 'isvc', { metadata: { name: 'isvc', namespace: 'training' }, spec: { predictor: { model: { modelFormat: { name: 'sklearn' } } } } }));
    binding.bind(new k8s.KubeCronJob(chart, 'cron', { metadata: { name: 'cron', namespace: 'training' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:1' }], restartPolicy: 'Never' } } } } } }));
    const manifests = Testing.synth(chart) as Manifest[];

    const job = findManifest(manifests, 'PyTorchJob', 'job');
    expect(job.spec.pytorchReplicaSpecs.Master.template.metadata.labels).toEqual({ app: 'iris', [AAD_POD_IDENTITY_LABEL]: 'training-data' });
    expect(job.spec.pytorchReplicaSpecs.Worker.template.spec.serviceAccountName).toBe('training-data');
    const app = findManifest(manifests, 'SparkApplication', 'spark');
    expect(app.spec.driver).toEqual({ labels: { [AAD_POD_IDENTITY_LABEL]: 'training-data', role: 'driver' }, serviceAccount: 'training-data' });
    expect(app.spec.executor).toEqual({ labels: { [AAD_POD_IDENTITY_LABEL]: 'training-data' }, serviceAccount: 'training-data' });
    const isvc = findManifest(manifests, 'InferenceService', 'isvc');
    expect(isvc.spec.predictor.serviceAccountName).toBe('training-data');
    expect(isvc.spec.predictor.labels).toEqual({ [AAD_POD_IDENTITY_LABEL]: 'training-data' });
    const cron = findManifest(manifests, 'CronJob', 'cron');
    expect(cron.spec.jobTemplate.spec.template.metadata.labels).toEqual({ [AAD_POD_IDENTITY_LABEL]: 'training-data' });
  });

  test('binding the same workload twice is harmless', () => {
    const chart = Testing.chart();
    const binding = new PodIdentityBinding(chart, 'identity', required);
    const workload = rawWorkload(chart, 'Job', { template: podTemplate });
    binding.bind(workload);
    binding.bind(workload);
    expect(findManifest(Testing.synth(chart), 'Job', 'job').spec.template.metadata.labels).toEqual({ app: 'x', [WORKLOAD_IDENTITY_USE_LABEL]: 'true' });
  });

  test('bind() rejects kinds without a known pod template, naming the kind', () => {
    const chart = Testing.chart();
    const binding = new PodIdentityBinding(chart, 'identity', required);
    const service = new k8s.KubeService(chart, 'svc', { metadata: { name: 'svc', namespace: 'training' }, spec: {} });
    expect(() => binding.bind(service)).toThrow(/PodIdentityBinding 'identity': cannot bind Service 'svc': kind 'Service'/);
  });

  test('bind() rejects a workload in another namespace', () => {
    const chart = Testing.chart();
    const binding = new PodIdentityBinding(chart, 'identity', required);
    expect(() => binding.bind(rawWorkload(chart, 'Job', { template: podTemplate }, 'other'))).toThrow(/in namespace 'other': the ServiceAccount is in namespace 'training'/);
  });

  test('bind() rejects pods that already run as another service account', () => {
    const chart = Testing.chart();
    const binding = new PodIdentityBinding(chart, 'identity', required);
    const job = rawWorkload(chart, 'Job', { template: { spec: { ...podTemplate.spec, serviceAccountName: 'spark' } } });
    expect(() => binding.bind(job)).toThrow(/'spec.template.spec.serviceAccountName' is already 'spark'/);
  });

  test.each<[string, Partial<PodIdentityBindingProps>, RegExp]>([
    ['client ID not a GUID', { clientId: 'not-a-guid' }, /'clientId' \("not-a-guid"\) is not a GUID/],
    ['tenant ID not a GUID', { tenantId: '1234' }, /'tenantId' \("1234"\) is not a GUID/],
    ['namespace not a DNS label', { namespace: 'Training' }, /'namespace' \("Training"\) must be a DNS label/],
    ['service account not a DNS subdomain', { serviceAccountName: 'Bad_Name' }, /'serviceAccountName' \("Bad_Name"\) must be a DNS subdomain/],
    ['workload identity without issuer', { oidcIssuerUrl: undefined }, /'oidcIssuerUrl' \(undefined\) must be the cluster's https:\/\/ OIDC issuer URL/],
    ['bad federated credential name', { federatedCredentialName: 'a b' }, /'federatedCredentialName' \("a b"\) must be 3 to 120/],
    ['aad-pod-identity without resource ID', { mode: IdentityMode.AAD_POD_IDENTITY }, /'resourceId' \(undefined\) must be a user-assigned identity resource ID/],
  ])('rejects %s', (_name, override, message) => {
    expect(() => new PodIdentityBinding(Testing.chart(), 'identity', { ...required, ...override })).toThrow(message);
  });

  test('escape hatch: the default child is the ServiceAccount', () => {
    const binding = new PodIdentityBinding(Testing.chart(), 'identity', required);
    expect(ApiObject.of(binding).kind).toBe('ServiceAccount');
    expect(PodIdentityBinding.isPodIdentityBinding(binding)).toBe(true);
    expect(PodIdentityBinding.allIn(binding.node.scope!)).toEqual([binding]);
  });
});
