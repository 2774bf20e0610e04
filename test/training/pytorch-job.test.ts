import { ApiObject, Testing } from 'cdk8s';
import { NodePoolMode, NodePoolPlacement } from '../../lib/core/node-pool';
import { NVIDIA_GPU_RESOURCE, TRAINING_JOB_LABEL } from '../../lib/training/pytorch-template';
import { IdentityMode, PodIdentityBinding } from '../../lib/identity/pod-identity-binding';
import { CleanPodPolicy, PyTorchJob, PyTorchJobProps, RendezvousBackend, ReplicaRestartPolicy } from '../../lib/training/pytorch-job';
import { findManifest, Manifest } from '../util';

const GPU_POOL: NodePoolPlacement = { name: 'gpu', mode: NodePoolMode.USER, minCount: 0, taints: ['sku=gpu:NoSchedule'], gpusPerNode: 2 };
const CPU_POOL: NodePoolPlacement = { name: 'cpu', mode: NodePoolMode.USER, minCount: 0, taints: ['workload=training:NoSchedule'] };
const required: PyTorchJobProps = { name: 'iris', namespace: 'training', image: 'registry.example/iris:1.0.0', master: { cpu: '2', memory: '8Gi' } };
const gpuJob: PyTorchJobProps = { ...required, master: { cpu: '4', memory: '32Gi', gpus: 1 }, worker: { replicas: 2, cpu: '4', memory: '32Gi', gpus: 2 }, gpuPool: GPU_POOL };

function synthJob(props: PyTorchJobProps): { job: Manifest; manifests: Manifest[] } {
  const chart = Testing.chart();
  new PyTorchJob(chart, 'job', props);
  const manifests = Testing.synth(chart) as Manifest[];
  return { job: findManifest(manifests, 'PyTorchJob', props.name, props.namespace), manifests };
}

describe('PyTorchJob', () => {
  test('defaults', () => {
    const chart = Testing.chart();
    new PyTorchJob(chart, 'job', required);
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('CPU-only replicas go to cpuPool, and never to System or GPU nodes (issue 13)', () => {
    const chart = Testing.chart();
    new PyTorchJob(chart, 'job', { ...required, master: { cpu: '4', memory: '8Gi' }, worker: { replicas: 2, cpu: '4', memory: '8Gi' }, cpuPool: CPU_POOL });
    const spec = findManifest(Testing.synth(chart) as Manifest[], 'PyTorchJob', 'iris', 'training').spec.pytorchReplicaSpecs.Worker.template.spec;
    expect(spec.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': 'cpu' });
    expect(spec.tolerations).toEqual([{ key: 'workload', operator: 'Equal', value: 'training', effect: 'NoSchedule' }]);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual(expect.arrayContaining([{ key: 'kubernetes.azure.com/mode', operator: 'NotIn', values: ['system'] }]));
    const withoutPool = Testing.chart();
    new PyTorchJob(withoutPool, 'job', { ...required, master: { cpu: '4', memory: '8Gi' } });
    const master = findManifest(Testing.synth(withoutPool) as Manifest[], 'PyTorchJob', 'iris', 'training').spec.pytorchReplicaSpecs.Master.template.spec;
    expect(master.nodeSelector).toBeUndefined();
    expect(master.affinity.nodeAffinity).toBeDefined();
    expect(() => new PyTorchJob(Testing.chart(), 'job', { ...required, master: { cpu: '4', memory: '8Gi' }, cpuPool: GPU_POOL })).toThrow(/'cpuPool' \('gpu'\) is a GPU pool/);
  });

  test('all props', () => {
    // GIVEN
    const chart = Testing.chart();
    const identity = new PodIdentityBinding(chart, 'identity', {
      namespace: 'training', identityName: 'training-data', clientId: '00000000-0000-0000-0000-000000000102', tenantId: '00000000-0000-0000-0000-000000000001', oidcIssuerUrl: 'https://issuer.example/',
    });
    const props: Required<PyTorchJobProps> = {
      ...required,
      master: { cpu: '4', memory: '32Gi', gpus: 1, restartPolicy: ReplicaRestartPolicy.EXIT_CODE },
      worker: { replicas: 3, cpu: '4', memory: '32Gi', gpus: 2, restartPolicy: ReplicaRestartPolicy.NEVER },
      command: ['torchrun'],
      args: ['/app/train.py', '--epochs', '10'],
      env: { TRAINING_DATA_URL: 'abfss://data@lake.dfs.core.windows.net/iris/', MODEL_OUTPUT_URL: 'abfss://models@lake.dfs.core.windows.net/iris/' },
      secretEnv: { HF_TOKEN: { secretName: 'huggingface', key: 'token' } },
      gpuPool: GPU_POOL,
      cpuPool: CPU_POOL,
      nprocPerNode: 'gpu',
      sharedMemory: '8Gi',
      runPolicy: { cleanPodPolicy: CleanPodPolicy.ALL, ttlSecondsAfterFinished: 600, activeDeadlineSeconds: 7200, backoffLimit: 1 },
      elasticPolicy: { minReplicas: 2, maxReplicas: 4, rdzvBackend: RendezvousBackend.ETCD_V2, maxRestarts: 5 },
      gangScheduling: { queue: 'gpu-queue', priorityClass: 'training', minAvailable: 3 },
      identity,
      port: 29500,
      runAsUser: 1001,
      allowHttpsEgress: false,
    };
    // WHEN
    new PyTorchJob(chart, 'job', props);
    const manifests = Testing.synth(chart) as Manifest[];
    // THEN
    const job = findManifest(manifests, 'PyTorchJob', 'iris', 'training');
    expect(job.spec.nprocPerNode).toBe('gpu');
    expect(job.spec.elasticPolicy).toEqual({ minReplicas: 2, maxReplicas: 4, rdzvBackend: 'etcd-v2', maxRestarts: 5 });
    expect(job.spec.runPolicy).toEqual({
      cleanPodPolicy: 'All', ttlSecondsAfterFinished: 600, activeDeadlineSeconds: 7200, backoffLimit: 1,
      schedulingPolicy: { queue: 'gpu-queue', priorityClass: 'training', minAvailable: 3 },
    });
    expect(job.spec.pytorchReplicaSpecs.Master.restartPolicy).toBe('ExitCode');
    expect(job.spec.pytorchReplicaSpecs.Worker).toMatchObject({ replicas: 3, restartPolicy: 'Never' });
    const container = job.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0];
    expect(container).toMatchObject({ command: ['torchrun'], args: ['/app/train.py', '--epochs', '10'], ports: [{ name: 'pytorchjob-port', containerPort: 29500, protocol: 'TCP' }] });
    expect(container.env.map((e: { name: string }) => e.name)).toEqual(['HF_TOKEN', 'MODEL_OUTPUT_URL', 'TRAINING_DATA_URL', 'TRITON_CACHE_DIR', 'XDG_CACHE_HOME']);
    expect(container.env[0]).toEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'huggingface', key: 'token' } } });
    expect(job.spec.pytorchReplicaSpecs.Worker.template.spec.securityContext.runAsUser).toBe(1001);
    expect(job.spec.pytorchReplicaSpecs.Master.template.spec.serviceAccountName).toBe('training-data');
    expect(findManifest(manifests, 'NetworkPolicy', 'iris-pytorch').spec.egress).toHaveLength(1);
  });

  test('GPU replicas get the exact pool tolerations, node selector and GPU requests and limits', () => {
    const { job } = synthJob(gpuJob);
    for (const [type, gpus] of [['Master', '1'], ['Worker', '2']] as const) {
      const pod = job.spec.pytorchReplicaSpecs[type].template.spec;
      expect(pod.nodeSelector).toEqual({ 'kubernetes.azure.com/agentpool': 'gpu' });
      expect(pod.tolerations).toEqual([
        { key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      ]);
      expect(pod.containers[0].resources.limits[NVIDIA_GPU_RESOURCE]).toBe(gpus);
      expect(pod.containers[0].resources.requests).toEqual(pod.containers[0].resources.limits);
    }
  });

  test('CPU-only replicas stay off the GPU pool', () => {
    const { job } = synthJob({ ...gpuJob, master: { cpu: '2', memory: '8Gi' } });
    const master = job.spec.pytorchReplicaSpecs.Master.template.spec;
    expect(master.nodeSelector).toBeUndefined();
    expect(master.tolerations).toBeUndefined();
    expect(master.containers[0].resources.limits[NVIDIA_GPU_RESOURCE]).toBeUndefined();
  });

  test('runPolicy sits under spec.runPolicy with defaults that let the GPU pool drain', () => {
    const { job } = synthJob(gpuJob);
    // No TTL by default: the operator would delete the finished job and Flux re-create it (verifier rule gitops-lifecycle).
    expect(job.spec.runPolicy).toEqual({ cleanPodPolicy: 'Running', activeDeadlineSeconds: 86400, backoffLimit: 3 });
    for (const misplaced of ['cleanPodPolicy', 'ttlSecondsAfterFinished', 'activeDeadlineSeconds', 'backoffLimit', 'schedulingPolicy']) {
      expect(job.spec).not.toHaveProperty(misplaced);
    }
  });

  test('the container is named pytorch, hardened with a read-only root, and mounts an in-memory /dev/shm and a writable /tmp', () => {
    const { job } = synthJob(required);
    const pod = job.spec.pytorchReplicaSpecs.Master.template.spec;
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['pytorch']);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'dshm', mountPath: '/dev/shm' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } }, { name: 'tmp', emptyDir: {} }]);
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // caches that default below HOME (read-only for a uid without a home) move to /tmp
    expect(pod.containers[0].env).toEqual([{ name: 'TRITON_CACHE_DIR', value: '/tmp/.triton/cache' }, { name: 'XDG_CACHE_HOME', value: '/tmp/.cache' }]);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('gang scheduling defaults minAvailable to every pod of the job', () => {
    const { job } = synthJob({ ...gpuJob, gangScheduling: {} });
    expect(job.spec.runPolicy.schedulingPolicy).toEqual({ minAvailable: 3 });
  });

  test('the NetworkPolicy lets the job pods reach each other and HTTPS, nothing else', () => {
    const { manifests } = synthJob(required);
    const policy = findManifest(manifests, 'NetworkPolicy', 'iris-pytorch', 'training');
    const jobPods = { podSelector: { matchLabels: { [TRAINING_JOB_LABEL]: 'iris' } } };
    expect(policy.spec).toEqual({
      ...jobPods,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [jobPods] }],
      egress: [{ to: [jobPods] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
  });

  test('the identity binds every replica (aad-pod-identity mode)', () => {
    const chart = Testing.chart();
    const identity = new PodIdentityBinding(chart, 'identity', {
      namespace: 'training', identityName: 'training-data', clientId: '00000000-0000-0000-0000-000000000102', tenantId: '00000000-0000-0000-0000-000000000001',
      mode: IdentityMode.AAD_POD_IDENTITY,
      resourceId: '/subscriptions/00000000-0000-0000-0000-000000000010/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/training-data',
    });
    new PyTorchJob(chart, 'job', { ...gpuJob, identity });
    const job = findManifest(Testing.synth(chart), 'PyTorchJob', 'iris');
    for (const type of ['Master', 'Worker']) {
      expect(job.spec.pytorchReplicaSpecs[type].template.metadata.labels).toEqual({ aadpodidbinding: 'training-data', [TRAINING_JOB_LABEL]: 'iris' });
    }
  });

  test.each<[string, Partial<PyTorchJobProps>, RegExp]>([
    ['a name that is not a DNS-1035 label', { name: '1iris' }, /'name' \("1iris"\) must be a DNS-1035 label/],
    ['a namespace that is not a DNS label', { namespace: 'Training' }, /'namespace' \("Training"\) must be a DNS label/],
    ['an unpinned image', { image: 'registry.example/iris:latest' }, /'image' \("registry.example\/iris:latest"\) must be pinned/],
    ['no replicas', { master: undefined }, /Either 'master' or 'worker' must be specified/],
    ['workers without a master', { master: undefined, worker: { replicas: 2, cpu: '1', memory: '4Gi' } }, /'worker' without 'master'/],
    ['a bad CPU quantity', { master: { cpu: 'two', memory: '8Gi' } }, /'master.cpu' \("two"\) is not a Kubernetes quantity/],
    ['a bad memory quantity', { master: { cpu: '2', memory: '8GB' } }, /'master.memory' \("8GB"\) is not a Kubernetes quantity/],
    ['a bad shared memory quantity', { sharedMemory: 'lots' }, /'sharedMemory' \("lots"\) is not a Kubernetes quantity/],
    ['a fractional GPU count', { master: { cpu: '2', memory: '8Gi', gpus: 0.5 }, gpuPool: GPU_POOL }, /'master.gpus' \(0.5\) must be a whole number/],
    ['GPUs without a GPU pool', { master: { cpu: '2', memory: '8Gi', gpus: 1 } }, /'master.gpus' \(1\) needs a 'gpuPool'/],
    ['a GPU pool without GPUs', { master: { cpu: '2', memory: '8Gi', gpus: 1 }, gpuPool: { ...GPU_POOL, gpusPerNode: undefined } }, /'gpuPool' \('gpu'\) has no GPUs/],
    ['more GPUs than a node has', { master: { cpu: '2', memory: '8Gi', gpus: 4 }, gpuPool: GPU_POOL }, /'master.gpus' \(4\) exceeds the 2 GPU\(s\) per node of pool 'gpu'/],
    ['shared memory as large as the memory', { sharedMemory: '8Gi' }, /'sharedMemory' \(8Gi\) must be less than 'master.memory' \(8Gi\)/],
    ['zero workers', { worker: { replicas: 0, cpu: '1', memory: '4Gi' } }, /'worker.replicas' \(0\) must be a whole number >= 1/],
    ['a bad nprocPerNode', { nprocPerNode: 'many' }, /'nprocPerNode' \("many"\) must be auto, cpu, gpu or a positive whole number/],
    ['a bad environment variable name', { env: { 'DATA-URL': 'x' } }, /'env.DATA-URL' is not a valid environment variable name/],
    ['a negative TTL', { runPolicy: { ttlSecondsAfterFinished: -1 } }, /'runPolicy.ttlSecondsAfterFinished' \(-1\) must be a whole number >= 0/],
    ['elastic bounds reversed', { elasticPolicy: { minReplicas: 3, maxReplicas: 2 }, worker: { replicas: 2, cpu: '1', memory: '4Gi' } }, /'elasticPolicy.minReplicas' \(3\) must be between 1 and 'elasticPolicy.maxReplicas' \(2\)/],
    ['workers outside the elastic bounds', { elasticPolicy: { minReplicas: 2, maxReplicas: 4 }, worker: { replicas: 1, cpu: '1', memory: '4Gi' } }, /'worker.replicas' \(1\) must be between 'elasticPolicy.minReplicas' \(2\)/],
    ['a gang larger than the job', { gangScheduling: { minAvailable: 2 } }, /'gangScheduling.minAvailable' \(2\) must be between 1 and the job's 1 pod\(s\)/],
  ])('rejects %s', (_name, override, message) => {
    expect(() => new PyTorchJob(Testing.chart(), 'job', { ...required, ...override })).toThrow(message);
  });

  test('an elastic job may run workers without a master', () => {
    const { job } = synthJob({ ...required, master: undefined, worker: { replicas: 2, cpu: '1', memory: '4Gi' }, elasticPolicy: { minReplicas: 1, maxReplicas: 3 } });
    expect(Object.keys(job.spec.pytorchReplicaSpecs)).toEqual(['Worker']);
    expect(job.spec.elasticPolicy).toEqual({ minReplicas: 1, maxReplicas: 3, rdzvBackend: 'c10d' });
  });

  test('escape hatch: the default child is the PyTorchJob', () => {
    const job = new PyTorchJob(Testing.chart(), 'job', required);
    expect(ApiObject.of(job).kind).toBe('PyTorchJob');
    expect(ApiObject.of(job).apiVersion).toBe('kubeflow.org/v1');
  });
});
