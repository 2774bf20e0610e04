/** Every pod template that uses an identity carries the right label, across the whole example output. */
import { LAYER_ORDER, buildClusterApp } from '../../charts';
import { getPath, podTemplateLocations } from '../../lib/core/pod-templates';
import { unlabelledIdentityPods } from '../../lib/identity/workload-identity-audit';
import { PodIdentityBinding } from '../../lib/identity/pod-identity-binding';
import { exampleConfig, Manifest, synthCluster } from '../util';
import { federatedCredentialsArtifact } from '../../charts/federated-credentials';
import * as k8s from '../../lib/core/k8s';
import { PlatformConfig } from '../../lib/config/schema';
import { renderClusterLayers } from '../../lib/synth/render-cluster';

/** Every binding of a cluster and every pod template of its output, for both identity modes. */
function bindingsAndTemplates(config: PlatformConfig, cluster: string) {
  const { context } = buildClusterApp('example', config, cluster);
  const bindings = LAYER_ORDER.flatMap((layer) => PodIdentityBinding.allIn(context.layers[layer]));
  const manifests = synthCluster(cluster, config);
  const templates = manifests.flatMap((m) => (podTemplateLocations(m) ?? []).map((t) => ({
    where: `${m.kind}/${m.metadata.name} ${t.name}`,
    namespace: m.metadata.namespace,
    serviceAccount: getPath(m, t.serviceAccountPath),
    labels: (getPath(m, t.labelsPath) ?? {}) as Record<string, string>,
  })));
  return { bindings, templates, manifests };
}

describe.each(['workload-identity', 'aad-pod-identity'] as const)('identity labels with identityMode %s', (mode) => {
  const config = exampleConfig();
  for (const cluster of Object.values(config.clusters)) cluster.identityMode = mode;

  test.each(Object.keys(config.clusters).sort())('cluster %s: pods running as a bound ServiceAccount carry its labels', (cluster) => {
    const { bindings, templates } = bindingsAndTemplates(config, cluster);
    const checked = templates.flatMap((template) => {
      const binding = bindings.find((b) => b.namespace === template.namespace && b.serviceAccountName === template.serviceAccount);
      return binding ? [{ where: template.where, missing: Object.keys(binding.podLabels).filter((k) => template.labels[k] !== binding.podLabels[k]) }] : [];
    });
    expect(checked.filter((c) => c.missing.length > 0)).toEqual([]);
    if (config.clusters[cluster].training) expect(checked.length).toBeGreaterThan(0);
  });
});

describe('identity label audit', () => {
  test('the example output has no pod that runs as a Workload Identity ServiceAccount without the label', () => {
    for (const cluster of Object.keys(exampleConfig().clusters)) expect(unlabelledIdentityPods(synthCluster(cluster))).toEqual([]);
  });

  test('a pod template that names an annotated ServiceAccount without the label is reported', () => {
    const manifests = synthCluster('training');
    const job = manifests.find((m) => m.kind === 'PyTorchJob')!;
    const broken: Manifest = JSON.parse(JSON.stringify(job));
    delete broken.spec.pytorchReplicaSpecs.Worker.template.metadata.labels['azure.workload.identity/use'];
    const problems = unlabelledIdentityPods([...manifests.filter((m) => m !== job), broken]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/PyTorchJob 'iris' in namespace 'training': 'spec.pytorchReplicaSpecs.Worker.template' runs as Workload Identity ServiceAccount 'training-data' without the pod label/);
  });

  test('the environment artifact step fails when a pod runs as an identity ServiceAccount without the label', () => {
    const config = exampleConfig();
    const { context } = buildClusterApp('example', config, 'training');
    // a job that names the identity ServiceAccount directly, bypassing bind()
    new k8s.KubeJob(context.layers.workloads, 'unbound', {
      metadata: { name: 'unbound', namespace: 'training' },
      spec: { template: { spec: { serviceAccountName: 'training-data', restartPolicy: 'Never', containers: [{ name: 'main', image: 'img:1' }] } } },
    });
    expect(() => federatedCredentialsArtifact('example', [{ context, folders: renderClusterLayers(context) }])).toThrow(/cluster 'training': 1 pod template\(s\) would run without their Azure identity:\n {2}Job 'unbound'/);
  });
});
