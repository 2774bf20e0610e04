/** The training section of a cluster: distributed PyTorch jobs on a GPU pool, with an Azure identity for data. */
import { Closed, ContainerImage, DnsLabel, NameMap, Pattern, Quantity, SecretEnv, StringEnum, Type, Static } from '../config/schema-helpers';

const ReplicaProperties = {
  cpu: Quantity('CPU per pod (request = limit)'),
  memory: Quantity('memory per pod (request = limit), including the in-memory /dev/shm'),
  gpus: Type.Optional(Type.Integer({ minimum: 0, maximum: 16, description: 'NVIDIA GPUs per pod; needs a GPU node pool. Default: 0' })),
  restartPolicy: Type.Optional(StringEnum(['OnFailure', 'Never', 'Always', 'ExitCode'] as const, 'restart policy of the pods. Default: OnFailure')),
};

export const TrainingReplicaSchema = Closed(ReplicaProperties, { description: 'the Master replica: one pod, rank 0' });

export const TrainingWorkersSchema = Closed({
  replicas: Type.Integer({ minimum: 1, maximum: 1000, description: 'number of worker pods' }),
  ...ReplicaProperties,
}, { description: 'the Worker replicas' });

export const TrainingJobSchema = Closed({
  image: ContainerImage('training image'),
  command: Type.Optional(Type.Array(Type.String(), { description: 'command of the pytorch container. Default: the image entrypoint' })),
  args: Type.Optional(Type.Array(Type.String(), { description: 'arguments of the pytorch container. Default: the image command' })),
  master: Type.Optional(TrainingReplicaSchema),
  workers: Type.Optional(TrainingWorkersSchema),
  nprocPerNode: Type.Optional(Pattern('^(auto|cpu|gpu|[1-9][0-9]*)$', 'processes per pod: auto, cpu, gpu or a number. Default: auto')),
  sharedMemory: Type.Optional(Quantity('size of the in-memory /dev/shm for NCCL. Default: 2Gi')),
  env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
    additionalProperties: false,
    description: 'environment of the pytorch container, such as data and model locations (no secrets: the job has an Azure identity)',
  })),
  secretEnv: Type.Optional(SecretEnv('environment of the pytorch container read from Secrets created outside dist/ (for secrets Workload Identity cannot replace)')),
  runPolicy: Type.Optional(Closed({
    cleanPodPolicy: Type.Optional(StringEnum(['Running', 'All', 'None'] as const, 'pods deleted when the job ends. Default: Running (frees GPU nodes)')),
    ttlSecondsAfterFinished: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds before the operator deletes the finished job. Default: never. Flux re-creates a deleted job and it runs again, so the verifier reports this field (gitops-lifecycle) unless the fault is accepted' })),
    activeDeadlineSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'seconds the job may run before it fails. Default: 86400' })),
    backoffLimit: Type.Optional(Type.Integer({ minimum: 0, description: 'retries before the job fails. Default: 3' })),
  }, { description: 'PyTorchJob runPolicy' })),
  elastic: Type.Optional(Closed({
    minReplicas: Type.Integer({ minimum: 1, description: 'fewest workers' }),
    maxReplicas: Type.Integer({ minimum: 1, description: 'most workers' }),
    maxRestarts: Type.Optional(Type.Integer({ minimum: 0, description: 'worker group restarts before the job fails' })),
    rdzvBackend: Type.Optional(StringEnum(['c10d', 'etcd', 'etcd-v2'] as const, 'rendezvous backend. Default: c10d')),
  }, { description: 'elastic training bounds' })),
  gangScheduling: Type.Optional(Closed({
    queue: Type.Optional(Type.String({ minLength: 1, description: 'scheduler queue' })),
    priorityClass: Type.Optional(Type.String({ minLength: 1, description: 'PriorityClass of the pod group' })),
    minAvailable: Type.Optional(Type.Integer({ minimum: 1, description: 'pods that must start together. Default: all' })),
  }, { description: 'gang scheduling (Volcano or scheduler-plugins)' })),
}, { description: 'a distributed PyTorch training job (kubeflow.org/v1 PyTorchJob)' });

export const TrainingSchema = Closed({
  namespace: DnsLabel('namespace of the training jobs (one of the cluster namespaces)'),
  gpuPool: Type.Optional(Pattern('^[a-z][a-z0-9]{0,11}$', 'node pool for GPU replicas. Default: the cluster\'s only pool with gpusPerNode')),
  cpuPool: Type.Optional(Pattern('^[a-z][a-z0-9]{0,11}$', 'node pool for replicas without GPUs (a User pool without gpusPerNode). Default: none; such replicas are only kept off System and GPU nodes')),
  identity: Type.Optional(DnsLabel('key under identities of the Azure identity the jobs use for data access')),
  serviceAccountName: Type.Optional(DnsLabel('ServiceAccount the jobs run as. Default: the identity name')),
  jobs: NameMap(TrainingJobSchema, '^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$', 'job names (a lowercase letter, then lowercase letters, digits or \'-\', at most 50 characters)'),
}, { description: 'distributed PyTorch training on this cluster' });

export type TrainingReplicaConfig = Static<typeof TrainingReplicaSchema>;
export type TrainingJobConfig = Static<typeof TrainingJobSchema>;
export type TrainingConfig = Static<typeof TrainingSchema>;

/**
 * Name of the node pool GPU replicas run on: `gpuPool` when set, else the cluster's only pool with
 * `gpusPerNode`; undefined when neither applies (the config rules report why).
 */
export function trainingGpuPoolName(section: TrainingConfig, nodePools: { readonly [name: string]: { readonly gpusPerNode?: number } }): string | undefined {
  if (section.gpuPool !== undefined) return section.gpuPool;
  const gpuPools = Object.keys(nodePools).filter((name) => nodePools[name].gpusPerNode !== undefined);
  return gpuPools.length === 1 ? gpuPools[0] : undefined;
}

/** Pods and GPUs of one job. */
export function trainingJobSize(job: TrainingJobConfig): { pods: number; gpus: number } {
  const replicas = [...(job.master ? [{ count: 1, gpus: job.master.gpus ?? 0 }] : []), ...(job.workers ? [{ count: job.workers.replicas, gpus: job.workers.gpus ?? 0 }] : [])];
  return { pods: replicas.reduce((sum, r) => sum + r.count, 0), gpus: replicas.reduce((sum, r) => sum + r.count * r.gpus, 0) };
}
