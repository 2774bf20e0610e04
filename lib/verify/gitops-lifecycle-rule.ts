/**
 * GitOps lifecycle: what Flux does with the objects over time. No Flux-managed object is deleted by its own
 * operator (TTL fields: Flux re-creates it at the next reconcile and the job runs again, for ever); every
 * object of a folder Flux waits on can become Ready (kstatus; a WaitForFirstConsumer PVC nobody mounts in that
 * folder never binds; a HelmRelease that depends on a missing release never installs); every one-shot job
 * says how to run it again (annotation `platform.ml/rerun`).
 */
import { RERUN_ANNOTATION } from '../core/labels';
import { at, ClusterModel, FLUX_FOLDER, PlacedObject } from './cluster-model';
import { fault } from './fault';
import { modelPods } from './pod-model';
import { VerifyFault, VerifyRule } from './types';
import { AKS_STORAGE_CLASSES } from './upstream-installs';

/** TTL fields that make an operator delete the object Flux applied. */
const TTL_FIELDS: readonly { kind: string; path: string[]; upstream: string }[] = [
  { kind: 'PyTorchJob', path: ['spec', 'runPolicy', 'ttlSecondsAfterFinished'], upstream: 'kubeflow/trainer v1.9.4 pkg/controller.v1/common/job.go CleanupJob (deletes the PyTorchJob after ttlSecondsAfterFinished)' },
  { kind: 'SparkApplication', path: ['spec', 'timeToLiveSeconds'], upstream: 'kubeflow/spark-operator v2.5.2 internal/controller/sparkapplication/controller.go reconcileTerminatedSparkApplication (deletes the SparkApplication after timeToLiveSeconds)' },
  { kind: 'Job', path: ['spec', 'ttlSecondsAfterFinished'], upstream: 'kubernetes v1.31 TTL-after-finished controller (deletes the Job)' },
];

const FLUX_RECREATE = 'fluxcd/kustomize-controller v1.9.4: objects in Git missing from the cluster are re-created at the next reconcile (interval)';

/** Kinds whose objects run once and then stay finished. */
const ONE_SHOT_KINDS = ['Job', 'PyTorchJob', 'SparkApplication'];

export const gitopsLifecycleRule: VerifyRule = (cluster) => {
  const model = ClusterModel.of(cluster);
  const faults: VerifyFault[] = [];
  const add = (placed: PlacedObject, message: string, upstream: string, fix: string) => faults.push(fault(cluster, 'gitops-lifecycle', placed, { message, upstream, fix }));

  for (const placed of model.objects) {
    for (const ttl of TTL_FIELDS.filter((t) => t.kind === placed.obj.kind)) {
      const value = at(placed.obj, ...ttl.path);
      if (value !== undefined && value !== null) {
        add(placed, `${ttl.path.join('.')}: ${String(value)} makes the operator delete the finished ${placed.obj.kind}; Flux re-creates it from Git at the next reconcile and it runs again, for ever`,
          `${ttl.upstream}; ${FLUX_RECREATE}`, `remove ${ttl.path.slice(1).join('.')} from the Flux-managed object (the config option that sets it), or run the job on a schedule (ScheduledSparkApplication/CronJob templates may keep a TTL: their children are not in Git)`);
      }
    }
    // A SparkApplication with restart policy Always is resubmitted whenever it ends: not a one-shot job.
    const longRunning = placed.obj.kind === 'SparkApplication' && at(placed.obj, 'spec', 'restartPolicy', 'type') === 'Always';
    if (ONE_SHOT_KINDS.includes(placed.obj.kind) && !longRunning) {
      const annotations = (placed.obj.metadata.annotations as Record<string, string> | undefined) ?? {};
      if (!annotations[RERUN_ANNOTATION]) {
        add(placed, `one-shot ${placed.obj.kind} without a documented way to run it again: once finished it stays finished, and changing its spec in Git cannot restart it`,
          `${FLUX_RECREATE}; finished jobs are not restarted by a spec change`, `annotate it with ${RERUN_ANNOTATION} saying how to run it again (for example a run id in its name from config, or deleting it so Flux re-creates it)`);
      }
    }
  }

  // Folders Flux waits on.
  const flux = cluster.folders.find((f) => f.folder === FLUX_FOLDER);
  const waited = new Set<string>();
  for (const k of flux?.manifests ?? []) {
    if (k.kind === 'Kustomization' && at(k, 'spec', 'wait') === true) waited.add(String(at(k, 'spec', 'path') ?? '').split('/').pop() ?? '');
  }
  const pods = modelPods(model);
  for (const pvc of model.ofKind('PersistentVolumeClaim')) {
    if (!waited.has(pvc.folder)) continue;
    const className = at(pvc.obj, 'spec', 'storageClassName') as string | undefined ?? 'default';
    const own = model.find('StorageClass', undefined, className);
    const mode = own ? (at(own.obj, 'volumeBindingMode') as string | undefined ?? 'Immediate') : AKS_STORAGE_CLASSES[className];
    if (mode !== 'WaitForFirstConsumer') continue;
    const consumed = pods.some((p) => p.namespace === pvc.obj.metadata.namespace && p.owner.order <= pvc.order
      && (p.spec.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === pvc.obj.metadata.name));
    if (!consumed) {
      add(pvc, `storage class ${className} binds on first consumer, and no pod in folder ${pvc.folder} or earlier mounts the claim: it stays Pending, and Flux waits on it until the folder times out`,
        'fluxcd/cli-utils kstatus (a PVC is Current only when Bound); kubernetes v1.31 volume binding mode WaitForFirstConsumer', `move the claim to the folder of the first pod that mounts it, or use an Immediate storage class`);
    }
  }
  for (const release of model.releases) {
    for (const dep of release.dependsOn) {
      const [ns, name] = dep.split('/');
      if (!model.releases.some((r) => r.obj.metadata.namespace === ns && r.obj.metadata.name === name)) {
        add(release, `dependsOn HelmRelease ${dep}, which no folder creates: the release never installs and folder ${release.folder} times out`,
          'fluxcd/helm-controller v1.6.3 internal/controller/helmrelease_controller.go (dependency not found: not Ready)', `remove the dependency or add the HelmRelease ${dep}`);
      }
    }
  }
  return faults;
};
