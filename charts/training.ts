import { NodePoolMode, NodePoolPlacement } from '../lib/core/node-pool';
import { TrainingJobConfig, trainingGpuPoolName } from '../lib/training/config';
import { PodIdentityBinding } from '../lib/identity/pod-identity-binding';
import { CleanPodPolicy, PyTorchJob, PyTorchReplicaOptions, RendezvousBackend, ReplicaRestartPolicy } from '../lib/training/pytorch-job';
import { ClusterComposition, ClusterContext } from '../lib/synth/cluster-context';
import { podIdentityFor } from './identity';

/** The GPU pool of the training section as the PyTorchJob construct takes it. */
function gpuPoolPlacement(context: ClusterContext): NodePoolPlacement | undefined {
  const name = trainingGpuPoolName(context.cluster.training!, context.cluster.nodePools);
  const pool = name === undefined ? undefined : context.cluster.nodePools[name];
  if (name === undefined || pool === undefined) return undefined;
  return { name, mode: pool.mode as NodePoolMode, minCount: pool.minCount, taints: pool.taints, gpusPerNode: pool.gpusPerNode };
}

/** The pool of CPU-only replicas (`training.cpuPool`), if set. */
function cpuPoolPlacement(context: ClusterContext): NodePoolPlacement | undefined {
  const name = context.cluster.training!.cpuPool;
  const pool = name === undefined ? undefined : context.cluster.nodePools[name];
  if (name === undefined || pool === undefined) return undefined;
  return { name, mode: pool.mode as NodePoolMode, minCount: pool.minCount, taints: pool.taints, gpusPerNode: pool.gpusPerNode };
}

function replicaOptions(replica: NonNullable<TrainingJobConfig['master']>): PyTorchReplicaOptions {
  return { cpu: replica.cpu, memory: replica.memory, gpus: replica.gpus, restartPolicy: replica.restartPolicy as ReplicaRestartPolicy | undefined };
}

function addJob(context: ClusterContext, name: string, job: TrainingJobConfig, gpuPool: NodePoolPlacement | undefined, identity: PodIdentityBinding | undefined): PyTorchJob {
  return new PyTorchJob(context.layers.workloads, `pytorch-${name}`, {
    name,
    namespace: context.cluster.training!.namespace,
    image: job.image,
    command: job.command,
    args: job.args,
    env: job.env,
    secretEnv: job.secretEnv,
    master: job.master ? replicaOptions(job.master) : undefined,
    worker: job.workers ? { ...replicaOptions(job.workers), replicas: job.workers.replicas } : undefined,
    nprocPerNode: job.nprocPerNode,
    sharedMemory: job.sharedMemory,
    gpuPool,
    cpuPool: cpuPoolPlacement(context),
    runPolicy: job.runPolicy && { ...job.runPolicy, cleanPodPolicy: job.runPolicy.cleanPodPolicy as CleanPodPolicy | undefined },
    elasticPolicy: job.elastic && { ...job.elastic, rdzvBackend: job.elastic.rdzvBackend as RendezvousBackend | undefined },
    gangScheduling: job.gangScheduling,
    identity,
  });
}

/**
 * The training cluster's jobs: the identity for data access (platform layer) and one PyTorchJob with its
 * NetworkPolicy per configured job (workloads layer). The namespace and its GPU quota come from the
 * namespace baseline. Nothing without a `training` section.
 */
export const trainingComposition: ClusterComposition = (context) => {
  const section = context.cluster.training;
  if (!section) return;
  const identity = section.identity === undefined ? undefined : podIdentityFor(context, {
    namespace: section.namespace,
    identityName: section.identity,
    serviceAccountName: section.serviceAccountName,
  });
  const gpuPool = gpuPoolPlacement(context);
  for (const name of Object.keys(section.jobs).sort()) addJob(context, name, section.jobs[name], gpuPool, identity);
};
