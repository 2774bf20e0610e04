/**
 * GitOps lifecycle: what Flux does with the objects over time. No Flux-managed object is deleted by its own
 * operator (TTL fields: Flux re-creates it at the next reconcile and the job runs again, for ever); every
 * object of a folder Flux waits on can become Ready (kstatus; a WaitForFirstConsumer PVC nobody mounts in that
 * folder never binds; a HelmRelease that depends on a missing release never installs); every one-shot job
 * says how to run it again (annotation `platform.ml/rerun`); a Kafka client whose truststore is a hand-made copy of
 * the Strimzi cluster CA is reported with the renewal schedule (the copy must be repeated in every renewal window).
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
  faults.push(...handCopiedKafkaCa(cluster, model, pods));
  return faults;
};

const STRIMZI_CA_UPSTREAM = 'strimzi/strimzi-kafka-operator 1.2.0 api/src/main/java/io/strimzi/api/kafka/model/common/CertificateAuthority.java '
  + '(validityDays 365, renewalDays 30 by default; within renewalDays of expiry a new CA certificate is generated), '
  + 'operator-common/src/main/java/io/strimzi/operator/common/ca/Ca.java (RENEW_CERT reuses the private key, REPLACE_KEY replaces it); '
  + 'a pod mounts Secrets of its own namespace only, so a client outside the Kafka namespace holds a copy';

/**
 * Pods that mount `ca.crt` from a Secret created outside dist/ (a copy of Strimzi's `<cluster>-cluster-ca-cert`) and
 * connect to a Kafka whose cluster CA Strimzi generates and renews (env KAFKA_BOOTSTRAP_SERVERS names its bootstrap
 * Service): the copy goes stale at every renewal. Reported with the schedule, to be accepted with the runbook.
 */
function handCopiedKafkaCa(cluster: Parameters<VerifyRule>[0], model: ClusterModel, pods: ReturnType<typeof modelPods>): VerifyFault[] {
  const external = cluster.facts.externalSecrets ?? {};
  const kafkas = model.ofKind('Kafka').filter((k) => k.obj.apiVersion.startsWith('kafka.strimzi.io/') && at(k.obj, 'spec', 'clusterCa', 'generateCertificateAuthority') !== false);
  const out: VerifyFault[] = [];
  const seen = new Set<string>();
  for (const pod of pods) {
    const env = ((pod.spec.containers ?? []) as { env?: { name: string; value?: string }[] }[]).flatMap((c) => c.env ?? []);
    const bootstrap = env.find((e) => e.name === 'KAFKA_BOOTSTRAP_SERVERS')?.value ?? '';
    const kafka = kafkas.find((k) => bootstrap.startsWith(`${k.obj.metadata.name}-kafka-bootstrap.${k.obj.metadata.namespace}.`));
    if (!kafka || kafka.obj.metadata.namespace === pod.namespace) continue;
    for (const volume of (pod.spec.volumes ?? []) as { name: string; secret?: { secretName: string; items?: { key: string }[] } }[]) {
      const secret = volume.secret;
      if (!secret || !(secret.items ?? []).some((item) => item.key === 'ca.crt') || !external[`${pod.namespace}/${secret.secretName}`]) continue;
      const key = `${pod.owner.obj.kind}/${pod.owner.obj.metadata.name}/${secret.secretName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const validity = Number(at(kafka.obj, 'spec', 'clusterCa', 'validityDays') ?? 365);
      const renewal = Number(at(kafka.obj, 'spec', 'clusterCa', 'renewalDays') ?? 30);
      const name = kafka.obj.metadata.name;
      out.push(fault(cluster, 'gitops-lifecycle', pod.owner, {
        message: `trusts Kafka ${kafka.obj.metadata.namespace}/${name} through ca.crt of Secret ${pod.namespace}/${secret.secretName}, a copy made outside dist/ of Strimzi's ${name}-cluster-ca-cert: Strimzi renews that CA certificate ${renewal} days before it expires (validity ${validity} days, spec.clusterCa), and unless the copy is repeated within those ${renewal} days the client fails TLS once the previous certificate expires (at once if the CA key is replaced)`,
        upstream: STRIMZI_CA_UPSTREAM,
        fix: `repeat the copy at every renewal (runbook: docs/streaming.md, "Cluster CA renewal") and accept this fault with that reason under clusters.${cluster.facts.cluster}.acceptedFaults (rule gitops-lifecycle, object ${pod.owner.obj.kind}/${pod.owner.obj.metadata.namespace}/${pod.owner.obj.metadata.name})`,
      }));
    }
  }
  return out;
}
