/** The pod template of one PyTorchJob replica type: container `pytorch`, GPU placement, /dev/shm, security. */
import * as kubeflow from '../../imports/kubeflow.org';
import { nonRootPodSecurity, restrictedContainerSecurity } from '../core/container-security';
import { NodePoolPlacement, notOnSystemOrGpuNodes, poolNodeSelector, poolTolerations } from '../core/node-pool';

type Template = kubeflow.PyTorchJobSpecPytorchReplicaSpecsTemplate;
type Toleration = kubeflow.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecTolerations;

/** The container name the training operator requires. */
export const PYTORCH_CONTAINER_NAME = 'pytorch';
/** The port name and number the training operator uses for the master (rendezvous) service. */
export const PYTORCH_PORT_NAME = 'pytorchjob-port';
export const PYTORCH_DEFAULT_PORT = 23456;
/** The extended resource name of NVIDIA GPUs (device plugin). */
export const NVIDIA_GPU_RESOURCE = 'nvidia.com/gpu';
/** Pod label with the job name, set by us so network policies do not depend on operator label versions. */
export const TRAINING_JOB_LABEL = 'platform.ml/training-job';

/** What every replica type of a job shares. */
export interface PodTemplateInput {
  readonly jobName: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: { readonly [name: string]: string };
  readonly secretEnv: { readonly [name: string]: { readonly secretName: string; readonly key: string } };
  readonly port: number;
  readonly sharedMemory: string;
  readonly runAsUser: number;
  readonly gpuPool?: NodePoolPlacement;
  /** Pool of CPU-only replicas; without it they are only kept off System and GPU nodes. */
  readonly cpuPool?: NodePoolPlacement;
}

/** Resources of one replica: requests equal limits (Guaranteed QoS, no CPU throttling surprises). */
export interface ReplicaResources {
  readonly cpu: string;
  readonly memory: string;
  readonly gpus: number;
}

/** Tolerations for a GPU pool: its own taints plus `nvidia.com/gpu` (the taint GPU operators and AKS guidance use). */
export function gpuTolerations(pool: NodePoolPlacement): Toleration[] {
  const fromPool: Toleration[] = poolTolerations(pool) ?? [];
  const gpu: Toleration = { key: NVIDIA_GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' };
  return fromPool.some((t) => t.key === NVIDIA_GPU_RESOURCE) ? fromPool : [...fromPool, gpu];
}

/**
 * Caches that Python ML stacks write below HOME, which for a uid without a passwd entry is `/` (read-only here):
 * moved to the writable /tmp unless the job's env sets them. XDG_CACHE_HOME holds torch hub and pip caches
 * (torch.hub.get_dir: $TORCH_HOME, else $XDG_CACHE_HOME/torch); TRITON_CACHE_DIR the kernels torch.compile
 * builds (triton/runtime/cache.py: TRITON_CACHE_DIR, else ~/.triton/cache). torch.compile's own cache
 * (TORCHINDUCTOR_CACHE_DIR) and torchelastic's log folders already default to the temporary folder.
 */
export const READ_ONLY_ROOT_CACHE_ENV: { readonly [name: string]: string } = { XDG_CACHE_HOME: '/tmp/.cache', TRITON_CACHE_DIR: '/tmp/.triton/cache' };

/** The pod template of a replica type. GPU replicas land on the GPU pool; CPU-only replicas stay off it. */
export function replicaTemplate(input: PodTemplateInput, resources: ReplicaResources): Template {
  const quantities = {
    cpu: kubeflow.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecContainersResourcesLimits.fromString(resources.cpu),
    memory: kubeflow.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecContainersResourcesLimits.fromString(resources.memory),
    ...(resources.gpus > 0 ? { [NVIDIA_GPU_RESOURCE]: kubeflow.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecContainersResourcesLimits.fromString(String(resources.gpus)) } : {}),
  };
  const onGpuPool = resources.gpus > 0 && input.gpuPool !== undefined;
  const given = new Set([...Object.keys(input.env), ...Object.keys(input.secretEnv)]);
  const cacheEnv = Object.keys(READ_ONLY_ROOT_CACHE_ENV).filter((name) => !given.has(name));
  const onCpuPool = resources.gpus === 0 && input.cpuPool !== undefined;
  const env: kubeflow.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecContainersEnv[] = [
    ...Object.keys(input.env).map((name) => ({ name, value: input.env[name] })),
    ...cacheEnv.map((name) => ({ name, value: READ_ONLY_ROOT_CACHE_ENV[name] })),
    ...Object.keys(input.secretEnv).map((name) => ({ name, valueFrom: { secretKeyRef: { name: input.secretEnv[name].secretName, key: input.secretEnv[name].key } } })),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    metadata: { labels: { [TRAINING_JOB_LABEL]: input.jobName } },
    spec: {
      automountServiceAccountToken: false,
      securityContext: nonRootPodSecurity(input.runAsUser),
      nodeSelector: onGpuPool ? poolNodeSelector(input.gpuPool!) : onCpuPool ? poolNodeSelector(input.cpuPool!) : undefined,
      tolerations: onGpuPool ? gpuTolerations(input.gpuPool!) : onCpuPool ? poolTolerations(input.cpuPool!) : undefined,
      // CPU-only replicas never land on the System pool (kube-system) or the expensive GPU nodes.
      affinity: resources.gpus > 0 ? undefined : { nodeAffinity: notOnSystemOrGpuNodes() },
      containers: [{
        name: PYTORCH_CONTAINER_NAME,
        image: input.image,
        command: input.command ? [...input.command] : undefined,
        args: input.args ? [...input.args] : undefined,
        env: env.length > 0 ? env : undefined,
        ports: [{ name: PYTORCH_PORT_NAME, containerPort: input.port, protocol: 'TCP' }],
        resources: { requests: quantities, limits: quantities },
        // Read-only root: the job writes to /tmp (and the caches above, moved there) and /dev/shm only.
        securityContext: restrictedContainerSecurity({ readOnlyRootFilesystem: true }),
        volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }, { name: 'tmp', mountPath: '/tmp' }],
      }],
      volumes: [{
        name: 'dshm',
        emptyDir: {
          medium: 'Memory',
          sizeLimit: kubeflow.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecVolumesEmptyDirSizeLimit.fromString(input.sharedMemory),
        },
      }, { name: 'tmp', emptyDir: {} }],
    },
  };
}
