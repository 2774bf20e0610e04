import { Construct } from 'constructs';
import { declareFlow } from '../core/flows';
import * as kubeflow from '../../imports/kubeflow.org';
import * as k8s from '../core/k8s';
import { RERUN_ANNOTATION } from '../core/labels';
import { isSystemOrGpuPool, NodePoolPlacement } from '../core/node-pool';
import { isQuantity, parseQuantity } from '../core/quantity';
import { PYTORCH_DEFAULT_PORT, replicaTemplate, TRAINING_JOB_LABEL } from './pytorch-template';
import { PodIdentityBinding } from '../identity/pod-identity-binding';

/** What the operator does with the pods when the job ends (`runPolicy.cleanPodPolicy`). */
export enum CleanPodPolicy {
  /** Delete pods that are still running (workers of a finished master), so GPU nodes can drain. The default. */
  RUNNING = 'Running',
  /** Delete every pod when the job ends. */
  ALL = 'All',
  /** Keep every pod (the operator default; holds GPU nodes while workers run). */
  NONE = 'None',
}

/** Restart policy of a replica type. */
export enum ReplicaRestartPolicy {
  /** Restart failed containers in place. The default. */
  ON_FAILURE = 'OnFailure',
  /** Never restart; the job fails with the pod. */
  NEVER = 'Never',
  /** Always restart. */
  ALWAYS = 'Always',
  /** Restart on retryable exit codes (128 and above) only. */
  EXIT_CODE = 'ExitCode',
}

/** Rendezvous backend of elastic training. */
export enum RendezvousBackend {
  /** torch.distributed c10d store (no extra service). The default. */
  C10D = 'c10d',
  /** etcd v3. */
  ETCD = 'etcd',
  /** etcd v2. */
  ETCD_V2 = 'etcd-v2',
}

/** Resources of one replica; requests equal limits. */
export interface PyTorchReplicaOptions {
  /** CPU per pod, such as `4`. */
  readonly cpu: string;
  /** Memory per pod, such as `32Gi` (includes the in-memory /dev/shm). */
  readonly memory: string;
  /**
   * NVIDIA GPUs per pod (needs `gpuPool`).
   * @default 0
   */
  readonly gpus?: number;
  /**
   * Restart policy of the pods.
   * @default ReplicaRestartPolicy.ON_FAILURE
   */
  readonly restartPolicy?: ReplicaRestartPolicy;
}

/** The Worker replica type. */
export interface PyTorchWorkerOptions extends PyTorchReplicaOptions {
  /** Number of worker pods. */
  readonly replicas: number;
}

/** When the job gives up and when its pods go away (`spec.runPolicy`). */
export interface PyTorchRunPolicy {
  /**
   * Pods deleted when the job ends.
   * @default CleanPodPolicy.RUNNING
   */
  readonly cleanPodPolicy?: CleanPodPolicy;
  /**
   * Seconds after the job finished before the operator deletes it (and its pods). Under GitOps Flux re-creates a
   * deleted job and it runs again, so leave it unset for jobs in Git (the verifier reports it).
   * @default - never deleted
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Seconds the job may run before it is failed (a guard so a hung job does not hold GPU nodes forever).
   * @default 86400
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Retries before the job is marked failed.
   * @default 3
   */
  readonly backoffLimit?: number;
}

/** Elastic training (torchrun with a rendezvous): workers may come and go between the bounds. */
export interface PyTorchElasticPolicy {
  /** Fewest workers the job runs with. */
  readonly minReplicas: number;
  /** Most workers the job runs with. */
  readonly maxReplicas: number;
  /**
   * Rendezvous backend.
   * @default RendezvousBackend.C10D
   */
  readonly rdzvBackend?: RendezvousBackend;
  /**
   * Worker group restarts before the job fails.
   * @default - operator default
   */
  readonly maxRestarts?: number;
}

/** Gang scheduling (Volcano or scheduler-plugins): start all pods together or none. */
export interface PyTorchGangScheduling {
  /**
   * Scheduler queue.
   * @default - the scheduler's default queue
   */
  readonly queue?: string;
  /**
   * PriorityClass of the pod group.
   * @default - none
   */
  readonly priorityClass?: string;
  /**
   * Pods that must be schedulable together.
   * @default - every replica of the job
   */
  readonly minAvailable?: number;
}

/** Properties for `PyTorchJob`. */
export interface PyTorchJobProps {
  /** Name of the PyTorchJob (a DNS-1035 label, at most 50 characters: the operator appends `-worker-<n>`). */
  readonly name: string;
  /** Namespace of the job. */
  readonly namespace: string;
  /** Training image, pinned to a tag (not `latest`) or digest. */
  readonly image: string;
  /**
   * The Master replica (exactly one pod; rank 0). Required unless `elasticPolicy` is set.
   * @default - no master (elastic jobs only)
   */
  readonly master?: PyTorchReplicaOptions;
  /**
   * The Worker replicas.
   * @default - no workers (single-pod job)
   */
  readonly worker?: PyTorchWorkerOptions;
  /**
   * Command of the `pytorch` container.
   * @default - the image entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Arguments of the `pytorch` container.
   * @default - the image command
   */
  readonly args?: readonly string[];
  /**
   * Environment, such as data and model locations (`DATA_URL: abfss://...`). No secrets: use `identity`.
   * @default - none
   */
  readonly env?: { readonly [name: string]: string };
  /**
   * Environment read from Secrets created outside dist/ (name to Secret name and key).
   * @default - none
   */
  readonly secretEnv?: { readonly [name: string]: { readonly secretName: string; readonly key: string } };
  /**
   * The GPU node pool; GPU replicas get its node selector and tolerations. Required when a replica requests GPUs.
   * @default - none (CPU-only job)
   */
  readonly gpuPool?: NodePoolPlacement;
  /**
   * The node pool of CPU-only replicas (node selector and tolerations); a User pool without GPUs. CPU-only
   * replicas are kept off System and GPU nodes in any case.
   * @default - none (any User node without GPUs)
   */
  readonly cpuPool?: NodePoolPlacement;
  /**
   * Processes per pod (`spec.nprocPerNode`): `auto`, `cpu`, `gpu` or a number.
   * @default 'auto'
   * @see https://github.com/kubeflow/trainer/blob/release-1.9/pkg/apis/kubeflow.org/v1/pytorch_types.go
   */
  readonly nprocPerNode?: string;
  /**
   * Size of the in-memory /dev/shm (NCCL and DataLoader workers need more than the 64Mi default); counts
   * against the memory limit.
   * @default '2Gi'
   */
  readonly sharedMemory?: string;
  /**
   * When the job gives up and when its pods go away.
   * @default - clean up running pods, delete 1h after finishing, fail after 24h, 3 retries
   */
  readonly runPolicy?: PyTorchRunPolicy;
  /**
   * Elastic training bounds.
   * @default - not elastic
   */
  readonly elasticPolicy?: PyTorchElasticPolicy;
  /**
   * Gang scheduling (`runPolicy.schedulingPolicy`).
   * @default - no gang scheduling
   */
  readonly gangScheduling?: PyTorchGangScheduling;
  /**
   * Azure identity for data access; every replica is bound to it.
   * @default - no identity
   */
  readonly identity?: PodIdentityBinding;
  /**
   * Port of the rendezvous (master) service.
   * @default 23456
   */
  readonly port?: number;
  /**
   * User ID the containers run as (never root).
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * Allow egress to HTTPS (443) anywhere, for Azure Storage and Microsoft Entra token exchange.
   * @default true
   */
  readonly allowHttpsEgress?: boolean;
}

const DNS_1035 = /^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$/;
const NPROC = /^(auto|cpu|gpu|[1-9][0-9]*)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A distributed PyTorch training job (`kubeflow.org/v1` PyTorchJob) with typed Master and Worker replicas, GPU
 * placement on a tainted pool that scales to zero, an in-memory /dev/shm, a run policy that frees GPU nodes,
 * optional elastic and gang-scheduling policies, and a NetworkPolicy for the traffic between its pods.
 */
export class PyTorchJob extends Construct {
  /** The PyTorchJob (the default child). */
  public readonly resource: kubeflow.PyTorchJob;
  /** Lets the job's pods reach each other (rendezvous, NCCL) and, unless disabled, HTTPS. */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** Name of the PyTorchJob. */
  public readonly name: string;
  /** GPUs the whole job requests. */
  public readonly totalGpus: number;

  constructor(scope: Construct, id: string, props: PyTorchJobProps) {
    super(scope, id);
    this.name = props.name;
    this.validateProps(id, props);
    const replicas = replicaList(props);
    this.totalGpus = replicas.reduce((sum, r) => sum + r.count * (r.options.gpus ?? 0), 0);

    const template = {
      jobName: props.name,
      image: props.image,
      command: props.command,
      args: props.args,
      env: props.env ?? {},
      secretEnv: props.secretEnv ?? {},
      port: props.port ?? PYTORCH_DEFAULT_PORT,
      sharedMemory: props.sharedMemory ?? '2Gi',
      runAsUser: props.runAsUser ?? 1000,
      gpuPool: props.gpuPool,
      cpuPool: props.cpuPool,
    };
    const run = props.runPolicy ?? {};
    const gang = props.gangScheduling;
    const elastic = props.elasticPolicy;
    this.resource = new kubeflow.PyTorchJob(this, 'Resource', {
      metadata: {
        name: props.name, namespace: props.namespace,
        annotations: { [RERUN_ANNOTATION]: `a finished PyTorchJob stays finished: to train again, delete it (kubectl delete pytorchjob ${props.name} -n ${props.namespace}) and Flux re-creates it at its next reconcile` },
      },
      spec: {
        nprocPerNode: props.nprocPerNode ?? 'auto',
        pytorchReplicaSpecs: Object.fromEntries(replicas.map((r) => [r.type, {
          replicas: r.count,
          restartPolicy: r.options.restartPolicy ?? ReplicaRestartPolicy.ON_FAILURE,
          template: replicaTemplate(template, { cpu: r.options.cpu, memory: r.options.memory, gpus: r.options.gpus ?? 0 }),
        }])),
        runPolicy: {
          cleanPodPolicy: run.cleanPodPolicy ?? CleanPodPolicy.RUNNING,
          ttlSecondsAfterFinished: run.ttlSecondsAfterFinished,
          activeDeadlineSeconds: run.activeDeadlineSeconds ?? 86400,
          backoffLimit: run.backoffLimit ?? 3,
          schedulingPolicy: gang ? {
            minAvailable: gang.minAvailable ?? replicas.reduce((sum, r) => sum + r.count, 0),
            queue: gang.queue,
            priorityClass: gang.priorityClass,
          } : undefined,
        },
        elasticPolicy: elastic ? {
          minReplicas: elastic.minReplicas,
          maxReplicas: elastic.maxReplicas,
          rdzvBackend: elastic.rdzvBackend ?? RendezvousBackend.C10D,
          maxRestarts: elastic.maxRestarts,
        } : undefined,
      },
    });
    this.networkPolicy = this.createNetworkPolicy(props);
    props.identity?.bind(this.resource);
  }

  private createNetworkPolicy(props: PyTorchJobProps): k8s.KubeNetworkPolicy {
    const jobPods = { podSelector: { matchLabels: { [TRAINING_JOB_LABEL]: props.name } } };
    const https = { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(443) }] };
    const pods = { namespace: props.namespace, podLabels: { [TRAINING_JOB_LABEL]: props.name } };
    // The rendezvous (MASTER_PORT) and NCCL pick ports at run time: replicas reach each other on every TCP port.
    declareFlow(this, { purpose: 'pytorch replicas to each other (rendezvous, NCCL)', from: pods, to: pods, port: 1, endPort: 65535 });
    if (props.allowHttpsEgress ?? true) declareFlow(this, { purpose: 'pytorch replicas to Azure Storage, Entra ID and registries', from: pods, to: { cidr: '0.0.0.0/0' }, port: 443 });
    return new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata: { name: `${props.name}-pytorch`, namespace: props.namespace },
      spec: {
        ...jobPods,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [jobPods] }],
        egress: [{ to: [jobPods] }, ...((props.allowHttpsEgress ?? true) ? [https] : [])],
      },
    });
  }

  private validateProps(id: string, props: PyTorchJobProps): void {
    const fail = (message: string): never => { throw new Error(`PyTorchJob '${id}': ${message}`); };
    if (!DNS_1035.test(props.name)) fail(`'name' ("${props.name}") must be a DNS-1035 label of at most 50 characters: a lowercase letter, then lowercase letters, digits or '-'`);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.namespace)) fail(`'namespace' ("${props.namespace}") must be a DNS label`);
    if (!/^\S+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/.test(props.image) || /:latest$/.test(props.image)) {
      fail(`'image' ("${props.image}") must be pinned to a tag other than latest or to a digest, such as registry.example/train:1.2.0`);
    }
    if (!props.master && !props.worker) fail("Either 'master' or 'worker' must be specified");
    if (!props.master && !props.elasticPolicy) fail("'worker' without 'master': a non-elastic PyTorchJob needs a Master (rank 0); add 'master' or set 'elasticPolicy'");
    for (const replica of replicaList(props)) {
      const at = replica.type === 'Master' ? 'master' : 'worker';
      for (const key of ['cpu', 'memory'] as const) {
        if (!isQuantity(replica.options[key])) fail(`'${at}.${key}' ("${replica.options[key]}") is not a Kubernetes quantity; use a value such as 4 or 32Gi`);
      }
      const gpus = replica.options.gpus ?? 0;
      if (!Number.isInteger(gpus) || gpus < 0) fail(`'${at}.gpus' (${gpus}) must be a whole number >= 0`);
      if (gpus > 0 && !props.gpuPool) fail(`'${at}.gpus' (${gpus}) needs a 'gpuPool': without one the pods can never be scheduled on a GPU node`);
      if (gpus > 0 && props.gpuPool && props.gpuPool.gpusPerNode === undefined) fail(`'gpuPool' ('${props.gpuPool.name}') has no GPUs; set 'gpusPerNode' on it or pick a GPU pool`);
      if (gpus > (props.gpuPool?.gpusPerNode ?? Infinity)) fail(`'${at}.gpus' (${gpus}) exceeds the ${props.gpuPool!.gpusPerNode} GPU(s) per node of pool '${props.gpuPool!.name}'; the pod could never be scheduled`);
      const shm = props.sharedMemory ?? '2Gi';
      if (isQuantity(shm) && parseQuantity(shm) >= parseQuantity(replica.options.memory)) {
        fail(`'sharedMemory' (${shm}) must be less than '${at}.memory' (${replica.options.memory}): the in-memory /dev/shm counts against the memory limit`);
      }
    }
    if (props.cpuPool && isSystemOrGpuPool(props.cpuPool)) fail(`'cpuPool' ('${props.cpuPool.name}') is a ${props.cpuPool.mode === 'System' ? 'System' : 'GPU'} pool; CPU-only replicas run on a User pool without GPUs`);
    if (props.sharedMemory !== undefined && !isQuantity(props.sharedMemory)) fail(`'sharedMemory' ("${props.sharedMemory}") is not a Kubernetes quantity; use a value such as 2Gi`);
    if (props.worker && (!Number.isInteger(props.worker.replicas) || props.worker.replicas < 1)) fail(`'worker.replicas' (${props.worker.replicas}) must be a whole number >= 1`);
    if (props.nprocPerNode !== undefined && !NPROC.test(props.nprocPerNode)) fail(`'nprocPerNode' ("${props.nprocPerNode}") must be auto, cpu, gpu or a positive whole number`);
    for (const name of Object.keys(props.env ?? {})) {
      if (!ENV_NAME.test(name)) fail(`'env.${name}' is not a valid environment variable name; use letters, digits and '_', not starting with a digit`);
    }
    for (const name of Object.keys(props.secretEnv ?? {})) {
      if (!ENV_NAME.test(name)) fail(`'secretEnv.${name}' is not a valid environment variable name; use letters, digits and '_', not starting with a digit`);
      if (props.env?.[name] !== undefined) fail(`'secretEnv.${name}' is also set in 'env'; keep one of them`);
    }
    const run = props.runPolicy ?? {};
    for (const key of ['ttlSecondsAfterFinished', 'activeDeadlineSeconds', 'backoffLimit'] as const) {
      const value = run[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 0)) fail(`'runPolicy.${key}' (${value}) must be a whole number >= 0`);
    }
    const elastic = props.elasticPolicy;
    if (elastic) {
      if (elastic.minReplicas < 1 || elastic.minReplicas > elastic.maxReplicas) fail(`'elasticPolicy.minReplicas' (${elastic.minReplicas}) must be between 1 and 'elasticPolicy.maxReplicas' (${elastic.maxReplicas})`);
      const workers = props.worker?.replicas ?? 0;
      if (workers < elastic.minReplicas || workers > elastic.maxReplicas) fail(`'worker.replicas' (${workers}) must be between 'elasticPolicy.minReplicas' (${elastic.minReplicas}) and 'elasticPolicy.maxReplicas' (${elastic.maxReplicas})`);
    }
    const total = replicaList(props).reduce((sum, r) => sum + r.count, 0);
    const minAvailable = props.gangScheduling?.minAvailable;
    if (minAvailable !== undefined && (minAvailable < 1 || minAvailable > total)) fail(`'gangScheduling.minAvailable' (${minAvailable}) must be between 1 and the job's ${total} pod(s)`);
  }
}

/** The replica types of a job, Master first. */
function replicaList(props: PyTorchJobProps): { type: 'Master' | 'Worker'; count: number; options: PyTorchReplicaOptions }[] {
  return [
    ...(props.master ? [{ type: 'Master' as const, count: 1, options: props.master }] : []),
    ...(props.worker ? [{ type: 'Worker' as const, count: props.worker.replicas, options: props.worker }] : []),
  ];
}
