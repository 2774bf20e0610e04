/**
 * The CRD schema sets `make import` derives: one set per operator version, so that a custom resource is
 * validated against the CRDs of the version its cluster installs (not the newest copy in ../shared). The
 * operators' pins in the config map onto these sets (lib/gitops/installed-versions.ts); a pin without a set
 * is a config error that names the versions listed here.
 */

/** One operator version's CRDs, as imported into `imports/schemas/crds/<name>-<version>/`. */
export interface CrdSchemaSet {
  /** Set name (the CRD bundle, e.g. `kserve`, `gateway-api`). */
  readonly name: string;
  /** Version of the bundle, with a leading `v` (e.g. `v0.16.0`). */
  readonly version: string;
  /** Folder of the CRD YAML files, relative to the shared data folder (`../shared`). */
  readonly source: string;
  /** Where the files come from upstream (repository, tag, path). */
  readonly upstream: string;
}

/** Every imported set; several versions of one name may exist side by side. */
export const CRD_SCHEMA_SETS: readonly CrdSchemaSet[] = [
  { name: 'aad-pod-identity', version: 'v1.8.17', source: 'crds/aad-pod-identity', upstream: 'Azure/aad-pod-identity v1.8.17 config/crd' },
  { name: 'flux', version: 'v2.9.4', source: 'crds/flux', upstream: 'fluxcd source-controller, kustomize-controller, helm-controller of Flux v2.9.4 (crds/SOURCES.md)' },
  { name: 'gateway-api', version: 'v1.3.0', source: 'crds-extra/gateway-api-v1.3.0', upstream: 'envoyproxy/gateway v1.5.0 charts/gateway-helm/crds/gatewayapi-crds.yaml (Gateway API v1.3.0, experimental channel)' },
  { name: 'gateway-api', version: 'v1.4.1', source: 'crds/gateway-api', upstream: 'kubernetes-sigs/gateway-api v1.4.1 config/crd/standard' },
  { name: 'kserve', version: 'v0.16.0', source: 'crds-extra/kserve-v0.16.0', upstream: 'kserve/kserve v0.16.0 charts/kserve-crd/templates' },
  { name: 'kserve', version: 'v0.20.0', source: 'crds/kserve', upstream: 'kserve/kserve v0.20.0 config/crd/full' },
  { name: 'kubeflow-training', version: 'v1.9.4', source: 'crds/kubeflow-training', upstream: 'kubeflow/trainer v1.9.4 manifests/base/crds' },
  { name: 'strimzi', version: '1.2.0', source: 'crds-extra/strimzi-1.2.0', upstream: 'strimzi/strimzi-kafka-operator 1.2.0 helm-charts/helm3/strimzi-kafka-operator/crds' },
  { name: 'spark-operator', version: 'v2.5.2', source: 'crds/spark-operator', upstream: 'kubeflow/spark-operator v2.5.2 config/crd/bases' },
];

/** `<name>@<version>`, how issues and the installed-versions file name a set. */
export function crdSetId(name: string, version: string): string {
  return `${name}@${version}`;
}

/** The versions of a set name that were imported, oldest first (empty if none). */
export function crdSetVersions(name: string): string[] {
  return CRD_SCHEMA_SETS.filter((s) => s.name === name).map((s) => s.version).sort(compareVersions);
}

/** Orders `v1.2.3` style versions numerically. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => v.replace(/^v/, '').split(/[.-]/).map((p) => (/^[0-9]+$/.test(p) ? Number(p) : p));
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
