/** The training composition on the example config: identity in the platform layer, PyTorchJobs in workloads. */
import { ApiObject } from 'cdk8s';
import { buildClusterApp } from '../../charts';
import { trainingComposition } from '../../charts/training';
import { WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION } from '../../lib/identity/pod-identity-binding';
import { PyTorchJob } from '../../lib/training/pytorch-job';
import { exampleConfig, findManifest, Manifest, synthCluster, synthClusterLayers } from '../util';

const config = exampleConfig();
const training = config.clusters.training.training!;
const layers = synthClusterLayers('training');

describe('training composition', () => {
  test('the identity ServiceAccount is in the platform layer with the configured client ID', () => {
    const sa = findManifest(layers.platform, 'ServiceAccount', training.identity!, training.namespace);
    expect(sa.metadata.annotations![WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]).toBe(config.identities[training.identity!].clientId);
    expect(layers.workloads.filter((m) => m.kind === 'ServiceAccount')).toEqual([]);
  });

  test('every configured job is a PyTorchJob in the workloads layer with its NetworkPolicy', () => {
    for (const [name, job] of Object.entries(training.jobs)) {
      const manifest = findManifest(layers.workloads, 'PyTorchJob', name, training.namespace);
      expect(manifest.apiVersion).toBe('kubeflow.org/v1');
      expect(manifest.spec.pytorchReplicaSpecs.Worker.replicas).toBe(job.workers!.replicas);
      expect(manifest.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].image).toBe(job.image);
      findManifest(layers.workloads, 'NetworkPolicy', `${name}-pytorch`, training.namespace);
    }
    expect(layers.platform.filter((m) => m.kind === 'PyTorchJob')).toEqual([]);
  });

  test('GPU replicas are placed on the configured GPU pool with its taints tolerated', () => {
    const pool = config.clusters.training.nodePools[training.gpuPool!];
    const job = findManifest(layers.workloads, 'PyTorchJob', 'iris');
    for (const replica of Object.values<any>(job.spec.pytorchReplicaSpecs)) {
      const pod = replica.template.spec;
      expect(pod.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': training.gpuPool });
      const tolerated = pod.tolerations.map((t: any) => `${t.key}=${t.value ?? ''}:${t.effect}`);
      for (const taint of pool.taints!) expect(tolerated).toContain(taint);
      expect(tolerated).toContain('nvidia.com/gpu=:NoSchedule');
    }
  });

  test('the training namespace has a GPU quota that fits the iris job', () => {
    const quota = findManifest(layers.platform, 'ResourceQuota', 'namespace-quota', training.namespace);
    const job = buildClusterApp('example', config, 'training').context.layers.workloads.node.findAll().find((c): c is PyTorchJob => c instanceof PyTorchJob)!;
    expect(Number(quota.spec.hard['requests.nvidia.com/gpu'])).toBeGreaterThanOrEqual(job.totalGpus);
    expect(ApiObject.of(job).kind).toBe('PyTorchJob');
  });

  test('identityMode aad-pod-identity switches the cluster to AzureIdentity, AzureIdentityBinding and the aadpodidbinding label', () => {
    const legacy = exampleConfig();
    legacy.clusters.training.identityMode = 'aad-pod-identity';
    const manifests = synthCluster('training', legacy);
    const identity = config.identities[training.identity!];
    const azureIdentity = findManifest(manifests, 'AzureIdentity', training.identity!, training.namespace);
    expect(azureIdentity.spec.resourceID).toBe(`/subscriptions/${config.clusters.training.azure.subscriptionId}/resourcegroups/${identity.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${training.identity}`);
    const binding = findManifest(manifests, 'AzureIdentityBinding', `${training.identity}-binding`, training.namespace);
    const job = findManifest(manifests, 'PyTorchJob', 'iris');
    expect(job.spec.pytorchReplicaSpecs.Worker.template.metadata.labels.aadpodidbinding).toBe(binding.spec.selector);
    expect(findManifest(manifests, 'ServiceAccount', training.identity!).metadata.annotations).toBeUndefined();
  });

  test('clusters without a training section get no training objects', () => {
    for (const name of Object.keys(config.clusters).filter((c) => !config.clusters[c].training)) {
      expect(synthCluster(name).filter((m: Manifest) => m.kind === 'PyTorchJob')).toEqual([]);
    }
    const { context } = buildClusterApp('example', config, 'serving', []);
    trainingComposition(context);
    expect(context.layers.workloads.node.children).toEqual([]);
    expect(context.layers.platform.node.children).toEqual([]);
  });
});
