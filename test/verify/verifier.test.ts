/**
 * The day-one verifier: the example has no faults, and each rule reports the faults of issue 10 when one is
 * re-introduced into a rendered cluster (mutation tests: a verifier that passes everything is worth nothing).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { synthesize } from '../../lib/synth/synthesize';
import { admissionRule } from '../../lib/verify/admission-rule';
import { applyOrderRule } from '../../lib/verify/apply-order-rule';
import { gitopsLifecycleRule } from '../../lib/verify/gitops-lifecycle-rule';
import { networkFlowRule } from '../../lib/verify/network-flows';
import { quotaFitRule } from '../../lib/verify/quota-fit-rule';
import { schedulingRule } from '../../lib/verify/scheduling-rule';
import { readDistClusters, verifyCluster, VerifyError } from '../../lib/verify';
import { exampleConfigIssues, REPO_ROOT } from '../util';
import { clusterObject, exampleCluster, faultsOn, moveObject, removeObject } from './example-clusters';
import { VerifiedCluster } from '../../lib/verify';
import { ClusterModel } from '../../lib/verify/cluster-model';
import { modelPods } from '../../lib/verify/pod-model';
import { limitRangeOf, podResources } from '../../lib/verify/resources';

describe('the example', () => {
  test.each(['data-processing', 'serving', 'training'])('cluster %s has no faults, and accepts only the hand-copied Kafka CA of the streaming job', (name) => {
    const result = verifyCluster(exampleCluster(name));
    expect(result.faults.map((f) => `${f.rule} ${f.object}: ${f.message}`)).toEqual([]);
    // The one accepted fault: the streaming job's truststore is a copy of the Strimzi cluster CA (docs/streaming.md).
    expect(result.accepted.map((f) => `${f.rule} ${f.object}`)).toEqual(name === 'data-processing' ? ['gitops-lifecycle SparkApplication/spark/streaming-scoring'] : []);
  });

  test('the facts name the pools with the labels and taints AKS gives their nodes', () => {
    const gpu = exampleCluster('training').facts.pools.find((p) => p.name === 'gpu')!;
    expect(gpu.labels).toMatchObject({ 'kubernetes.azure.com/agentpool': 'gpu', 'kubernetes.azure.com/accelerator': 'nvidia', 'accelerator': 'nvidia' });
    expect(gpu.taints).toEqual([{ key: 'sku', value: 'gpu', effect: 'NoSchedule' }]);
    expect(gpu.gpusPerNode).toBe(1);
  });
});

describe('apply-order', () => {
  test('spark-operator chart rendering into a Spark job namespace created in a later folder', () => {
    const c = exampleCluster('data-processing');
    moveObject(c, 'Namespace', undefined, 'spark', 'platform');
    const faults = faultsOn(applyOrderRule, c, 'HelmRelease/spark-operator/spark-operator');
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/renders objects into namespace 'spark'/);
    expect(faults[0].upstream).toMatch(/spark-operator v2.5.2 .*rbac.yaml/);
    expect(faults[0].folder).toBe('operators');
  });

  test('strimzi-kafka-operator chart rendering RoleBindings into the watched Kafka namespace created in a later folder', () => {
    const c = exampleCluster('data-processing');
    moveObject(c, 'Namespace', undefined, 'kafka', 'platform');
    const faults = faultsOn(applyOrderRule, c, 'HelmRelease/strimzi/strimzi');
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/renders objects into namespace 'kafka'/);
    expect(faults[0].upstream).toMatch(/strimzi-kafka-operator 1.2.0 .*020-RoleBinding.*023-RoleBinding.*031-RoleBinding/);
    expect(faults[0].folder).toBe('operators');
  });

  test('cert-manager with Gateway API support not waiting for the Gateway API CRDs', () => {
    const c = exampleCluster('serving');
    delete clusterObject(c, 'HelmRelease', 'cert-manager', 'cert-manager').spec.dependsOn;
    const faults = faultsOn(applyOrderRule, c, 'HelmRelease/cert-manager/cert-manager');
    expect(faults.map((f) => f.fix)).toEqual(['add dependsOn envoy-gateway-system/gateway-controller to HelmRelease cert-manager/cert-manager']);
  });

  test('a layer split that puts an InferenceService before its egress NetworkPolicy', () => {
    const c = exampleCluster('serving');
    moveObject(c, 'NetworkPolicy', 'models', 'iris-azure-egress', 'workloads-2');
    const faults = faultsOn(applyOrderRule, c, 'InferenceService/models/iris');
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/NetworkPolicy iris-azure-egress .* later folder workloads-2/);
  });

  test('a layer split that puts a Deployment before its ServiceAccount', () => {
    const c = exampleCluster('serving');
    moveObject(c, 'ServiceAccount', 'microservices', 'feature-reader', 'workloads-2');
    const faults = applyOrderRule(c).filter((f) => f.object.startsWith('Deployment/microservices/'));
    expect(faults.length).toBeGreaterThan(0);
    expect(faults[0].message).toMatch(/ServiceAccount microservices\/feature-reader .* later folder workloads-2/);
  });

  test('a custom resource before the operator that installs its CRD', () => {
    const c = exampleCluster('training');
    moveObject(c, 'PyTorchJob', 'training', 'iris', 'operators');
    expect(faultsOn(applyOrderRule, c, 'PyTorchJob/training/iris').map((f) => f.message)).toEqual(expect.arrayContaining([
      expect.stringMatching(/CRD of PyTorchJob \(kubeflow.org\) arrives with Kustomization training-operator .* which this object does not wait for/),
      expect.stringMatching(/namespace 'training' arrives only with Namespace\/training in folder platform/),
    ]));
  });

  test('a ConfigMap in the namespace an upstream overlay creates, when that namespace is left to the overlay', () => {
    const c = exampleCluster('training');
    removeObject(c, 'Namespace', undefined, 'kubeflow');
    clusterObject(c, 'Kustomization', 'flux-system', 'training-operator').spec.patches.shift();
    const faults = faultsOn(applyOrderRule, c, 'ConfigMap/kubeflow/training-operator-pytorch-init');
    expect(faults[0].message).toMatch(/namespace 'kubeflow' arrives only with kubeflow\/trainer v1.9.4 manifests\/overlays\/standalone\/namespace.yaml/);
  });
});

describe('admission', () => {
  test('init-pytorch injected with the operator\'s built-in template into Workers of a restricted namespace', () => {
    const c = exampleCluster('training');
    clusterObject(c, 'Kustomization', 'flux-system', 'training-operator').spec.patches.pop();
    const faults = faultsOn(admissionRule, c, 'PyTorchJob/training/iris');
    expect(faults).toHaveLength(1);
    expect(faults[0].message).toMatch(/pods of Worker are rejected by the 'restricted' Pod Security level .*init-pytorch/);
    expect(faults[0].upstream).toMatch(/kubeflow\/trainer v1.9.4 pkg\/controller.v1\/pytorch\/initcontainer.go/);
  });

  test('the example\'s template gives init-pytorch a restricted securityContext (and the Master gets none)', () => {
    expect(faultsOn(admissionRule, exampleCluster('training'), 'PyTorchJob/training/iris')).toEqual([]);
    const c = exampleCluster('training');
    clusterObject(c, 'ConfigMap', 'kubeflow', 'training-operator-pytorch-init').data['initContainer.yaml'] = '- name: init-pytorch\n  image: "{{.InitContainerImage}}"\n';
    expect(faultsOn(admissionRule, c, 'PyTorchJob/training/iris')[0].message).toMatch(/allowPrivilegeEscalation: container init-pytorch/);
  });

  test('the KServe storage initializer without the chart values that make it restricted', () => {
    const c = exampleCluster('serving');
    clusterObject(c, 'HelmRelease', 'kserve', 'kserve').spec.values.kserve.storage.containerSecurityContext = { runAsNonRoot: true };
    const faults = faultsOn(admissionRule, c, 'InferenceService/models/iris');
    expect(faults[0].message).toMatch(/storage-initializer/);
  });

  test('a Spark job with the hard-coded pre-v1.6 Workload Identity token path', () => {
    const c = exampleCluster('data-processing');
    clusterObject(c, 'ScheduledSparkApplication', 'spark', 'feature-space').spec.template.hadoopConf['fs.azure.account.oauth2.token.file'] = '/var/run/secrets/azure/tokens/azure-identity-token';
    const faults = faultsOn(admissionRule, c, 'ScheduledSparkApplication/spark/feature-space');
    expect(faults.map((f) => f.fix)).toEqual([expect.stringContaining('AZURE_FEDERATED_TOKEN_FILE')]);
  });

  test('a hostPath volume in a restricted namespace', () => {
    const c = exampleCluster('serving');
    clusterObject(c, 'Deployment', 'mlflow', 'mlflow').spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/var/log' } });
    expect(faultsOn(admissionRule, c, 'Deployment/mlflow/mlflow')[0].message).toMatch(/hostPathVolumes: volume host/);
  });
});

describe('quota-fit', () => {
  test('Spark executors (memory overhead included) over the namespace quota', () => {
    const c = exampleCluster('data-processing');
    clusterObject(c, 'SparkApplication', 'spark', 'gpa-matching').spec.executor.instances = 40;
    const faults = faultsOn(quotaFitRule, c, 'ResourceQuota/spark/namespace-quota');
    expect(faults.map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^requests.cpu of the pods .* over the quota's 40/)]));
  });

  test('a Spark executor over the LimitRange maximum only with its memory overhead', () => {
    const c = exampleCluster('data-processing');
    clusterObject(c, 'LimitRange', 'spark', 'container-defaults').spec.limits[0].max = { cpu: '4', memory: '8Gi' };
    // feature-space executors: 8g + 1639m overhead > 8Gi.
    const faults = faultsOn(quotaFitRule, c, 'ScheduledSparkApplication/spark/feature-space');
    expect(faults[0].message).toMatch(/container spark-kubernetes-executor .* memory .* over the maximum 8Gi .*memoryOverhead/);
  });
});

describe('scheduling', () => {
  test('GPU pods without the NVIDIA device plugin', () => {
    const c = exampleCluster('training');
    removeObject(c, 'HelmRelease', 'nvidia-device-plugin', 'nvidia-device-plugin');
    const faults = faultsOn(schedulingRule, c, 'PyTorchJob/training/iris');
    expect(faults.map((f) => f.message)).toEqual([expect.stringMatching(/Master request nvidia.com\/gpu, but no device plugin/), expect.stringMatching(/Worker request nvidia.com\/gpu/)]);
  });

  test('the device plugin with its chart default affinity (NFD labels AKS does not set)', () => {
    const c = exampleCluster('training');
    delete clusterObject(c, 'HelmRelease', 'nvidia-device-plugin', 'nvidia-device-plugin').spec.values.affinity;
    expect(faultsOn(schedulingRule, c, 'HelmRelease/nvidia-device-plugin/nvidia-device-plugin')[0].message).toMatch(/does not run on GPU pool\(s\) gpu \(required node affinity/);
    expect(faultsOn(schedulingRule, c, 'PyTorchJob/training/iris')[0].message).toMatch(/device plugin's DaemonSet lands on none of their pools/);
  });

  test('the device plugin not tolerating the GPU pool taint', () => {
    const c = exampleCluster('training');
    clusterObject(c, 'HelmRelease', 'nvidia-device-plugin', 'nvidia-device-plugin').spec.values.tolerations.pop();
    expect(faultsOn(schedulingRule, c, 'HelmRelease/nvidia-device-plugin/nvidia-device-plugin')[0].message).toMatch(/taint sku=gpu:NoSchedule is not tolerated/);
  });

  test('more GPUs per pod than the pool has per node', () => {
    const c = exampleCluster('training');
    const worker = clusterObject(c, 'PyTorchJob', 'training', 'iris').spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources;
    worker.requests['nvidia.com/gpu'] = '2';
    worker.limits['nvidia.com/gpu'] = '2';
    expect(faultsOn(schedulingRule, c, 'PyTorchJob/training/iris')[0].message).toMatch(/Worker fit no node pool .*nvidia.com\/gpu 2 > 1 per node/);
  });

  test('requests larger than the VM size allocatable', () => {
    const c = exampleCluster('serving');
    clusterObject(c, 'Deployment', 'mlflow', 'mlflow').spec.template.spec.containers[0].resources.requests.memory = '40Gi';
    expect(faultsOn(schedulingRule, c, 'Deployment/mlflow/mlflow')[0].message).toMatch(/serving \(Standard_D8s_v5\): memory 40Gi >/);
  });
});

describe('JupyterHub user servers: one pod per profile (mutation tests)', () => {
  const HUB = 'HelmRelease/jupyter/jupyterhub';
  const profile = (c: VerifiedCluster, slug: string) => clusterObject(c, 'HelmRelease', 'jupyter', 'jupyterhub').spec.values.singleuser.profileList.find((p: any) => p.slug === slug).kubespawner_override;

  test('the model: a pod per profile in the hub\'s namespace, on its pool, with the profile\'s requests and limits', () => {
    const model = ClusterModel.of(exampleCluster('data-processing'));
    const users = modelPods(model).filter((p) => p.template.includes('single-user server'));
    expect(users.map((p) => p.template)).toEqual([expect.stringMatching(/profile large$/), expect.stringMatching(/profile small$/)]);
    const large = users[0];
    expect(large.namespace).toBe('jupyter');
    expect(large.spec.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': 'spark' });
    expect(podResources(large, limitRangeOf(model, 'jupyter'))).toEqual({ requests: { cpu: 6, memory: 32 * 2 ** 30 }, limits: { cpu: 6, memory: 32 * 2 ** 30 } });
    expect(large.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('scheduling: the review\'s Large profile (8 CPU) fits no node of the spark pool once the HDFS datanode is counted', () => {
    const withCpu = (cpu: number) => {
      const c = exampleCluster('data-processing'); // a fresh copy each time: the model of a cluster is computed once
      Object.assign(profile(c, 'large'), { cpu_guarantee: cpu, cpu_limit: cpu });
      return faultsOn(schedulingRule, c, HUB);
    };
    expect(withCpu(8).map((f) => f.message)).toEqual([
      expect.stringMatching(/profile large fit no node pool .*spark \(Standard_E8ds_v5\): cpu 8 > 7\.32 \(7\.82 allocatable less DaemonSet pods DaemonSet hdfs\/hdfs-datanode\)/),
    ]);
    // 7.5 CPU is below the allocatable: only the datanode's 500m makes it not fit
    expect(withCpu(7.5)).toHaveLength(1);
    expect(withCpu(7.3)).toEqual([]);
  });

  test('scheduling: memory with the profile\'s K/M/G/T suffix read as powers of 1024', () => {
    const c = exampleCluster('data-processing');
    Object.assign(profile(c, 'large'), { mem_guarantee: '56G', mem_limit: '56G' });
    expect(faultsOn(schedulingRule, c, HUB)[0].message).toMatch(/profile large .*memory 56Gi > 55\.79Gi/);
  });

  test('scheduling: a profile\'s node_selector replaces the chart\'s', () => {
    const c = exampleCluster('data-processing');
    profile(c, 'small').node_selector = { 'kubernetes.azure.com/agentpool': 'gpu' };
    expect(faultsOn(schedulingRule, c, HUB)[0].message).toMatch(/profile small fit no node pool.*nodeSelector kubernetes\.azure\.com\/agentpool=gpu does not match/);
  });

  test('quota-fit: the review\'s 64 CPU / 500Gi profile is over the jupyter quota and a node', () => {
    const c = exampleCluster('data-processing');
    Object.assign(profile(c, 'large'), { cpu_guarantee: 64, cpu_limit: 64, mem_guarantee: '500G', mem_limit: '500G' });
    const quota = faultsOn(quotaFitRule, c, 'ResourceQuota/jupyter/namespace-quota').map((f) => f.message);
    expect(quota).toEqual(expect.arrayContaining([
      expect.stringMatching(/^requests\.cpu of the pods and claims that run at once is 66, over the quota's 24.*HelmRelease\/jupyterhub chart jupyterhub .* profile large x1/),
      expect.stringMatching(/^requests\.memory .* over the quota's 96Gi/),
      expect.stringMatching(/^limits\.cpu .* over the quota's 32/),
    ]));
    expect(faultsOn(schedulingRule, c, HUB)[0].message).toMatch(/profile large fit no node pool/);
  });

  test('quota-fit: a profile over the LimitRange maximum is rejected', () => {
    const c = exampleCluster('data-processing');
    clusterObject(c, 'LimitRange', 'jupyter', 'container-defaults').spec.limits[0].max = { cpu: '4', memory: '64Gi' };
    expect(faultsOn(quotaFitRule, c, HUB).map((f) => f.message)).toEqual([expect.stringMatching(/container notebook of chart jupyterhub .* profile large asks for cpu 6, over the maximum 4/)]);
  });

  test('admission: the user pods get the KubeSpawner security contexts of hub.extraConfig; without them restricted rejects them', () => {
    const c = exampleCluster('data-processing');
    const values = clusterObject(c, 'HelmRelease', 'jupyter', 'jupyterhub').spec.values;
    values.hub.extraConfig.platform = String(values.hub.extraConfig.platform).split('\n').filter((l: string) => !l.includes('security_context')).join('\n');
    expect(faultsOn(admissionRule, c, HUB).map((f) => f.message)).toEqual([
      expect.stringMatching(/profile large are rejected by the 'restricted' Pod Security level .*runAsNonRoot.*seccompProfile_restricted.*capabilities_restricted/),
      expect.stringMatching(/profile small are rejected by the 'restricted' Pod Security level/),
    ]);
  });
});

describe('gitops-lifecycle', () => {
  test('a PyTorchJob with runPolicy.ttlSecondsAfterFinished', () => {
    const c = exampleCluster('training');
    clusterObject(c, 'PyTorchJob', 'training', 'iris').spec.runPolicy.ttlSecondsAfterFinished = 3600;
    expect(faultsOn(gitopsLifecycleRule, c, 'PyTorchJob/training/iris').map((f) => f.message)).toEqual([expect.stringMatching(/ttlSecondsAfterFinished: 3600 .* Flux re-creates it/)]);
  });

  test('a one-shot SparkApplication with timeToLiveSeconds, and without a rerun note', () => {
    const c = exampleCluster('data-processing');
    const app = clusterObject(c, 'SparkApplication', 'spark', 'gpa-matching');
    app.spec.timeToLiveSeconds = 86400;
    delete app.metadata.annotations;
    const messages = faultsOn(gitopsLifecycleRule, c, 'SparkApplication/spark/gpa-matching').map((f) => f.message);
    expect(messages).toEqual([expect.stringMatching(/timeToLiveSeconds: 86400/), expect.stringMatching(/one-shot SparkApplication without a documented way to run it again/)]);
  });

  test('a scheduled Spark job keeps its TTL (the operator deletes the runs, which are not in Git)', () => {
    const c = exampleCluster('data-processing');
    expect(clusterObject(c, 'ScheduledSparkApplication', 'spark', 'feature-space').spec.template.timeToLiveSeconds).toBe(86400);
    expect(faultsOn(gitopsLifecycleRule, c, 'ScheduledSparkApplication/spark/feature-space')).toEqual([]);
  });

  test('a WaitForFirstConsumer claim that nothing mounts in a folder Flux waits on', () => {
    const c = exampleCluster('serving');
    const pvc = clusterObject(c, 'PersistentVolumeClaim', 'microservices', 'featurespace-lookup-tables');
    pvc.spec.storageClassName = 'managed-csi';
    moveObject(c, 'PersistentVolumeClaim', 'microservices', 'featurespace-lookup-tables', 'platform');
    expect(faultsOn(gitopsLifecycleRule, c, 'PersistentVolumeClaim/microservices/featurespace-lookup-tables')[0].message).toMatch(/binds on first consumer/);
  });
});

describe('network-flows (in the runner)', () => {
  test('cert-manager without its ACME egress (80 to the HTTP-01 self-check, 53 to the authoritative nameservers)', () => {
    const c = exampleCluster('serving');
    removeObject(c, 'NetworkPolicy', 'cert-manager', 'cert-manager-acme-egress');
    const messages = networkFlowRule(c).map((f) => f.message).filter((m) => /cert-manager (ACME|DNS-01)/.test(m));
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/ACME HTTP-01 self-check.* port 80/), expect.stringMatching(/DNS-01 .* port 53\/UDP/)]));
    expect(verifyCluster(c).faults.some((f) => f.rule === 'network-flows')).toBe(true);
  });
});

describe('accepted faults', () => {
  test('an accepted fault is set apart with its reason, never dropped; a stale one is reported', () => {
    const c = exampleCluster('training');
    clusterObject(c, 'PyTorchJob', 'training', 'iris').spec.runPolicy.ttlSecondsAfterFinished = 60;
    const accepting = { ...c, facts: { ...c.facts, acceptedFaults: [
      { rule: 'gitops-lifecycle' as const, object: 'PyTorchJob/training/iris', reason: 'jobs are re-run by a pipeline that deletes them first' },
      { rule: 'scheduling' as const, object: 'PyTorchJob/training/gone', reason: 'an entry that matches nothing any more' },
    ] } };
    const result = verifyCluster(accepting);
    expect(result.faults).toEqual([]);
    expect(result.accepted.map((f) => [f.rule, f.object, f.reason])).toEqual([['gitops-lifecycle', 'PyTorchJob/training/iris', 'jobs are re-run by a pipeline that deletes them first']]);
    expect(result.unusedAcceptances.map((a) => a.object)).toEqual(['PyTorchJob/training/gone']);
  });

  test('bad entries are config errors with file and line', () => {
    const issues = exampleConfigIssues((text) => text.replace('  training:\n    azure:', '  training:\n    acceptedFaults:\n      - rule: scheduleing\n        object: PyTorchJob/training/iris\n        reason: short\n    azure:'));
    expect(issues.map((i) => [i.line, i.path.join('.')])).toEqual(expect.arrayContaining([
      [expect.any(Number), 'clusters.training.acceptedFaults.0.rule'],
      [expect.any(Number), 'clusters.training.acceptedFaults.0.reason'],
    ]));
  });
});

describe('the gate', () => {
  let work: string;
  beforeAll(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-gate-')); });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const withConfig = (edit: (text: string) => string) => {
    const dir = fs.mkdtempSync(path.join(work, 'config-'));
    const text = fs.readFileSync(path.join(REPO_ROOT, 'config', 'example.yaml'), 'utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    fs.writeFileSync(path.join(dir, 'example.yaml'), edited);
    return dir;
  };
  const ttl = (text: string) => text.replace('          nprocPerNode: "1"\n', '          nprocPerNode: "1"\n          runPolicy: { ttlSecondsAfterFinished: 600 }\n');

  test('synth fails on a fault like on a config error: nothing written, every fault named with env, cluster, folder, object, rule', () => {
    const out = path.join(work, 'dist-fail');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'unchanged');
    let error: unknown;
    try {
      synthesize({ configDir: withConfig(ttl), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).message).toMatch(/example\/training workloads PyTorchJob\/training\/iris \[gitops-lifecycle\]: .*\n +upstream: kubeflow\/trainer v1.9.4.*\n +fix: /);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
  });

  test('an accepted fault lets synth write and is listed in its report; a stale entry fails with file and line', () => {
    const accept = (text: string) => ttl(text).replace('  training:\n    azure:', '  training:\n    acceptedFaults:\n      - rule: gitops-lifecycle\n        object: PyTorchJob/training/iris\n        reason: the team deletes finished jobs through the pipeline\n    azure:');
    const out = path.join(work, 'dist-accepted');
    const result = synthesize({ configDir: withConfig(accept), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    expect(result.verifyReport).toMatch(/2 fault\(s\) accepted by the config:\n(.*\n)*.*PyTorchJob\/training\/iris \[gitops-lifecycle\].*\n +accepted because: the team deletes/);
    const stale = (text: string) => accept(text).replace(/\n {10}runPolicy: \{ ttlSecondsAfterFinished: 600 \}/, '');
    expect(() => synthesize({ configDir: withConfig(stale), outDir: path.join(work, 'dist-stale'), compositions: PLATFORM_COMPOSITIONS }))
      .toThrow(/example.yaml:\d+: clusters.training.acceptedFaults\[0\]: rule gitops-lifecycle, object PyTorchJob\/training\/iris matches no fault/);
  });

  test('npm run verify reads a dist tree alone (facts file + folders in Flux order)', () => {
    const out = path.join(work, 'dist-read');
    synthesize({ configDir: path.join(REPO_ROOT, 'config'), outDir: out, compositions: PLATFORM_COMPOSITIONS });
    const clusters = readDistClusters(out);
    expect(clusters.map((c) => [c.facts.cluster, c.folders.map((f) => f.folder)])).toEqual([
      ['data-processing', ['flux', 'operators', 'platform', 'workloads']],
      ['serving', ['flux', 'operators', 'platform', 'workloads']],
      ['training', ['flux', 'operators', 'platform', 'workloads']],
    ]);
    for (const c of clusters) expect(verifyCluster(c).faults).toEqual([]);
  });
});
