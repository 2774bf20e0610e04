/**
 * The test suite's own apply-order check: in a cluster's folders, in the order Flux applies them, nothing a
 * workload needs comes in a later folder than the workload. A workload is any object that makes pods
 * (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, InferenceServices, Spark applications, PyTorchJobs).
 * It needs its Namespace, every ServiceAccount, Role, RoleBinding, ConfigMap, claim, NetworkPolicy, quota and
 * LimitRange of its namespace (the LimitRange and quota act at pod admission; network rules must be in place
 * before its first connection), and every object its spec names (ServiceAccount, ConfigMap, Secret, claim).
 */
import { ManifestJson } from '../../lib/synth/cluster-context';

/** One folder of a cluster, in apply order. */
export interface OrderedFolder {
  readonly folder: string;
  readonly manifests: readonly ManifestJson[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'InferenceService', 'SparkApplication', 'ScheduledSparkApplication', 'PyTorchJob']);
const NAMESPACE_DEPENDENCY_KINDS = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'PersistentVolumeClaim', 'NetworkPolicy', 'ResourceQuota', 'LimitRange']);

const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ? `${namespace}/` : ''}${name}`;

/** The objects a spec names, as `Kind/namespace/name` keys. */
function referencesOf(obj: ManifestJson): Set<string> {
  const namespace = obj.metadata.namespace;
  const refs = new Set<string>();
  const walk = (value: unknown, parentKey: string) => {
    if (Array.isArray(value)) { value.forEach((v) => walk(v, parentKey)); return; }
    if (value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if ((k === 'serviceAccountName' || k === 'serviceAccount') && typeof v === 'string') refs.add(key('ServiceAccount', namespace, v));
      else if (k === 'claimName' && typeof v === 'string') refs.add(key('PersistentVolumeClaim', namespace, v));
      else if (k === 'secretName' && parentKey === 'secret' && typeof v === 'string') refs.add(key('Secret', namespace, v));
      else if (k === 'name' && typeof v === 'string' && ['configMap', 'configMapRef', 'configMapKeyRef'].includes(parentKey)) refs.add(key('ConfigMap', namespace, v));
      else if (k === 'name' && typeof v === 'string' && ['secretRef', 'secretKeyRef'].includes(parentKey)) refs.add(key('Secret', namespace, v));
      else walk(v, k);
    }
  };
  walk(obj.spec, 'spec');
  if (namespace) refs.add(key('Namespace', undefined, namespace));
  return refs;
}

/** Every workload that would be applied before something it needs, as a readable line each; empty when the order is sound. */
export function applyOrderViolations(folders: readonly OrderedFolder[]): string[] {
  const folderOf = new Map<string, number>();
  const namespaceDependencies = new Map<string, { key: string; index: number }[]>();
  folders.forEach((folder, index) => {
    for (const obj of folder.manifests) {
      const k = key(obj.kind, obj.metadata.namespace, obj.metadata.name);
      folderOf.set(k, index);
      if (obj.metadata.namespace && NAMESPACE_DEPENDENCY_KINDS.has(obj.kind)) {
        const list = namespaceDependencies.get(obj.metadata.namespace) ?? [];
        list.push({ key: k, index });
        namespaceDependencies.set(obj.metadata.namespace, list);
      }
    }
  });
  const violations = new Set<string>();
  folders.forEach((folder, index) => {
    for (const obj of folder.manifests) {
      if (!WORKLOAD_KINDS.has(obj.kind)) continue;
      const needed = [
        ...[...referencesOf(obj)].flatMap((ref) => folderOf.has(ref) ? [{ key: ref, index: folderOf.get(ref)! }] : []),
        ...(namespaceDependencies.get(obj.metadata.namespace ?? '') ?? []),
      ];
      for (const dependency of needed) {
        if (dependency.index > index) {
          violations.add(`${key(obj.kind, obj.metadata.namespace, obj.metadata.name)} in ${folder.folder} needs ${dependency.key}, which comes later in ${folders[dependency.index].folder}`);
        }
      }
    }
  });
  return [...violations];
}
