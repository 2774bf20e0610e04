/**
 * Apply order: Flux applies the layer folders one after the other (`dependsOn` + `wait`), and inside a folder
 * applies Namespaces and CRDs first, then everything else in one server-side apply (fluxcd/kustomize-controller
 * v1.9 internal/controller/kustomization_controller.go, fluxcd/pkg ssa). An object whose namespace or CRD
 * arrives later fails the dry run of its whole folder; a pod whose ServiceAccount, ConfigMap, Secret or PVC
 * arrives later is never created (or never starts), so the folder never becomes Ready and nothing after it is
 * applied. HelmReleases in the same folder install in parallel unless `dependsOn` orders them.
 */
import { apiGroup, at, ClusterModel, PlacedObject } from './cluster-model';
import { fault } from './fault';
import { modelPods, ModeledPod } from './pod-model';
import { VerifyFault, VerifyRule } from './types';
import { BUILT_IN_GROUPS, PREINSTALLED_GROUPS } from './upstream-installs';

const FLUX_ORDER = 'fluxcd/kustomize-controller v1.9.4 (Kustomization dependsOn + wait: a folder applies only after the previous one is Ready; Namespaces and CRDs of a folder are applied first)';

/** Where a namespace first exists: a folder index (-1 before the first folder), or undefined. */
function namespaceArrival(model: ClusterModel, namespace: string): { order: number; by: string } | undefined {
  const pre = model.preexistingNamespace(namespace);
  if (pre) return { order: -1, by: pre };
  const own = model.find('Namespace', undefined, namespace);
  const upstream = model.upstreamNamespaces().filter((u) => u.namespace === namespace);
  const candidates = [
    ...(own ? [{ order: own.order, by: `Namespace/${namespace} in folder ${own.folder}` }] : []),
    // Created by an upstream install: usable from the next folder on (its Kustomization is Ready then).
    ...upstream.map((u) => ({ order: u.order + 0.5, by: `${u.source} (applied by ${u.by.obj.kind}/${u.by.obj.metadata.name} in folder ${u.by.folder})` })),
  ];
  return candidates.sort((a, b) => a.order - b.order)[0];
}

/** Where a CRD API group first exists (folder index; fractional = after that folder's releases are Ready). */
function groupArrival(model: ClusterModel, group: string): { order: number; by: string; release?: string } | undefined {
  if (BUILT_IN_GROUPS.includes(group)) return { order: -1, by: 'Kubernetes' };
  if (PREINSTALLED_GROUPS[group]) return { order: -1, by: PREINSTALLED_GROUPS[group] };
  const candidates: { order: number; by: string; release?: string }[] = [];
  for (const crd of model.ofKind('CustomResourceDefinition')) {
    if (at(crd.obj, 'spec', 'group') === group) candidates.push({ order: crd.order, by: `CRD ${crd.obj.metadata.name} in folder ${crd.folder}` });
  }
  for (const release of model.releases) {
    if (release.facts?.crdGroups(release.values).includes(group)) {
      candidates.push({ order: release.order + 0.5, by: `HelmRelease ${release.obj.metadata.namespace}/${release.obj.metadata.name} (${release.facts.upstream})`, release: `${release.obj.metadata.namespace}/${release.obj.metadata.name}` });
    }
  }
  for (const manifests of model.gitManifests) {
    if (manifests.facts?.crdGroups.includes(group)) candidates.push({ order: manifests.order + 0.5, by: `Kustomization ${manifests.obj.metadata.name} (${manifests.facts.upstream})` });
  }
  return candidates.sort((a, b) => a.order - b.order)[0];
}

/** The folder name of an index, for messages. */
const folderName = (model: ClusterModel, order: number): string => (order < 0 ? 'bootstrap' : model.folders[Math.floor(order)]?.folder ?? '?');

/** `fn` remembered by its string argument (the arrivals depend only on the model and the name). */
function memo<T>(fn: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, fn(key));
    return seen.get(key)!;
  };
}

export const applyOrderRule: VerifyRule = (cluster) => {
  const model = ClusterModel.of(cluster);
  // Asked once per object: remembered per namespace and API group (the large platform has 5,000 objects in a few
  // dozen namespaces and groups).
  const namespaceAt = memo((ns) => namespaceArrival(model, ns));
  const groupAt = memo((group) => groupArrival(model, group));
  const faults: VerifyFault[] = [];
  const add = (placed: PlacedObject, message: string, upstream: string, fix: string) => faults.push(fault(cluster, 'apply-order', placed, { message, upstream, fix }));

  for (const placed of model.objects) {
    const { obj } = placed;
    // 1. The namespace of every namespaced object.
    const ns = obj.metadata.namespace;
    if (ns && obj.kind !== 'Namespace') {
      const arrival = namespaceAt(ns);
      if (!arrival) {
        add(placed, `namespace '${ns}' is created by no folder, no upstream install and not at bootstrap: the apply of folder ${placed.folder} fails (namespace not found)`,
          FLUX_ORDER, `create namespace '${ns}' in folder ${placed.folder} or an earlier one (declare it under namespaces), or declare who creates it`);
      } else if (arrival.order > placed.order) {
        add(placed, `namespace '${ns}' arrives only with ${arrival.by}, after folder ${placed.folder}: its apply fails (namespace not found) and no later folder is applied`,
          FLUX_ORDER, `create namespace '${ns}' no later than folder ${placed.folder}`);
      }
    }
    // 2. The CRD of every custom resource.
    const group = apiGroup(obj.apiVersion);
    const arrival = groupAt(group);
    if (!arrival) {
      add(placed, `no folder installs the CRD of ${obj.apiVersion} ${obj.kind}: the dry run of folder ${placed.folder} fails (no matches for kind)`,
        FLUX_ORDER, `install the operator that serves API group ${group} in an earlier folder`);
    } else if (!(arrival.order <= placed.order || (Math.floor(arrival.order) === placed.order && sameFolderReleaseOk(model, placed, arrival.release)))) {
      add(placed, `the CRD of ${obj.kind} (${group}) arrives with ${arrival.by} in folder ${folderName(model, arrival.order)}, ${Math.floor(arrival.order) === placed.order ? 'which this object does not wait for' : `after folder ${placed.folder}`}: the dry run fails (no matches for kind)`,
        FLUX_ORDER, Math.floor(arrival.order) === placed.order && placed.obj.kind === 'HelmRelease' && arrival.release
          ? `add dependsOn ${arrival.release} to this HelmRelease`
          : `move ${obj.kind}/${obj.metadata.name} to a folder after the one that installs ${group}`);
    }
  }

  // 3. What HelmReleases need: namespaces their charts render into, CRD groups their workloads need at start.
  for (const release of model.releases) {
    const into = release.facts?.rendersInto?.(release.values);
    for (const ns of into?.namespaces ?? []) {
      if (ns === release.obj.metadata.namespace) continue;
      const arrival = namespaceAt(ns);
      if (!arrival || arrival.order > release.order) {
        add(release, `chart ${release.chart} ${release.version} renders objects into namespace '${ns}', which ${arrival ? `arrives only with ${arrival.by}` : 'nothing creates'}: helm install fails, folder ${release.folder} never becomes Ready and nothing after it is applied`,
          into!.upstream, `create namespace '${ns}' in folder ${release.folder} or earlier (for Spark job namespaces: in the operators layer), or turn off the chart's rendering into it`);
      }
    }
    for (const need of release.facts?.needsGroups?.(release.values) ?? []) {
      for (const group of need.groups) {
        const arrival = groupAt(group);
        const ok = arrival && (arrival.order < release.order
          || (Math.floor(arrival.order) === release.order && arrival.release !== undefined && model.releaseDependencies(release).has(arrival.release)));
        if (!ok) {
          add(release, `${need.why}; the CRDs of ${group} ${arrival ? `arrive with ${arrival.by}, which this HelmRelease does not wait for` : 'are installed by nothing'}`,
            need.upstream, arrival?.release ? `add dependsOn ${arrival.release} to HelmRelease ${release.obj.metadata.namespace}/${release.obj.metadata.name}` : `install the CRDs of ${group} in an earlier folder`);
        }
      }
    }
    for (const dep of release.dependsOn) {
      const [ns, name] = dep.split('/');
      const target = model.releases.find((r) => r.obj.metadata.namespace === ns && r.obj.metadata.name === name);
      if (target && target.order > release.order) {
        add(release, `dependsOn HelmRelease ${dep}, which is in the later folder ${target.folder}: this HelmRelease never becomes Ready and folder ${release.folder} times out`,
          'fluxcd/helm-controller v1.6.3 internal/controller/helmrelease_controller.go (dependsOn must be Ready)', `move HelmRelease ${dep} to folder ${release.folder} or earlier`);
      }
    }
  }

  // 4. What pods reference: ServiceAccount, ConfigMaps, Secrets, PVCs; and NetworkPolicies that allow their traffic.
  const indexes = podReferenceIndexes(model);
  for (const pod of modelPods(model)) faults.push(...podReferences(model, pod, add, indexes));

  // 5. What Gateway API routes reference: ReferenceGrants and BackendTLSPolicies of their backends.
  routeReferences(model, add);
  return faults;
};

/** A custom resource in the same folder as the HelmRelease installing its CRD is fine only for HelmReleases that depend on it. */
function sameFolderReleaseOk(model: ClusterModel, placed: PlacedObject, release: string | undefined): boolean {
  if (!release || placed.obj.kind !== 'HelmRelease') return false;
  const own = model.releases.find((r) => r.obj === placed.obj);
  return own !== undefined && model.releaseDependencies(own).has(release);
}

type Add = (placed: PlacedObject, message: string, upstream: string, fix: string) => void;

/** A NetworkPolicy that selects pods by labels only and allows some traffic. */
interface AllowingPolicy {
  readonly placed: PlacedObject;
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** What every pod's references are checked against, built once per cluster (not once per pod). */
interface PodReferenceIndexes {
  /** Per namespace, in object order: NetworkPolicies with a non-empty `matchLabels`, no `matchExpressions` and some rule. */
  readonly allowingPolicies: ReadonlyMap<string | undefined, readonly AllowingPolicy[]>;
  /** `namespace/secretName` of the Secrets cert-manager Certificates write. */
  readonly certificateSecrets: ReadonlySet<string>;
}

function podReferenceIndexes(model: ClusterModel): PodReferenceIndexes {
  const allowingPolicies = new Map<string | undefined, AllowingPolicy[]>();
  for (const policy of model.ofKind('NetworkPolicy')) {
    const selector = (at(policy.obj, 'spec', 'podSelector', 'matchLabels') as Record<string, string> | undefined) ?? {};
    const expressions = (at(policy.obj, 'spec', 'podSelector', 'matchExpressions') as unknown[] | undefined) ?? [];
    const allows = ((at(policy.obj, 'spec', 'ingress') as unknown[] | undefined) ?? []).length + ((at(policy.obj, 'spec', 'egress') as unknown[] | undefined) ?? []).length > 0;
    if (!allows || expressions.length > 0 || Object.keys(selector).length === 0) continue;
    const namespace = policy.obj.metadata.namespace;
    const list = allowingPolicies.get(namespace);
    if (list) list.push({ placed: policy, matchLabels: selector });
    else allowingPolicies.set(namespace, [{ placed: policy, matchLabels: selector }]);
  }
  const certificateSecrets = new Set<string>();
  for (const c of model.ofKind('Certificate')) {
    const secretName = at(c.obj, 'spec', 'secretName');
    if (typeof secretName === 'string' && c.obj.metadata.namespace !== undefined) certificateSecrets.add(`${c.obj.metadata.namespace}/${secretName}`);
  }
  return { allowingPolicies, certificateSecrets };
}

function podReferences(model: ClusterModel, pod: ModeledPod, add: Add, indexes: PodReferenceIndexes): VerifyFault[] {
  const where = `${pod.template} of ${pod.owner.obj.kind}/${pod.owner.obj.metadata.name}`;
  const need = (kind: string, name: string, why: string, external?: string) => {
    const found = model.find(kind, pod.namespace, name);
    if (found && found.order <= pod.owner.order) return;
    if (!found && external) return;
    add(pod.owner, found
      ? `${where} uses ${kind} ${pod.namespace}/${name} (${why}), which arrives only in the later folder ${found.folder}: pods are not created or do not start, so folder ${pod.owner.folder} never becomes Ready`
      : `${where} uses ${kind} ${pod.namespace}/${name} (${why}), which no folder creates and the cluster facts do not declare as created outside dist/`,
    'kubernetes v1.31: pods are rejected without their ServiceAccount and stay ContainerCreating without a non-optional ConfigMap, Secret or PVC; Flux waits for them (kustomize-controller wait)',
    found ? `move ${kind}/${name} to folder ${pod.owner.folder} or earlier` : `create ${kind} ${pod.namespace}/${name} in an earlier folder, or declare it created outside dist/`);
  };
  const sa = pod.spec.serviceAccountName;
  if (sa && sa !== 'default') need('ServiceAccount', sa, 'serviceAccountName');
  const external = model.cluster.facts.externalSecrets ?? {};
  const certificateSecret = (name: string) => indexes.certificateSecrets.has(`${pod.namespace}/${name}`);
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap && !v.configMap.optional && v.configMap.name !== 'kube-root-ca.crt') need('ConfigMap', v.configMap.name, `volume ${v.name}`);
    if (v.secret && !v.secret.optional) need('Secret', v.secret.secretName, `volume ${v.name}`, external[`${pod.namespace}/${v.secret.secretName}`] ?? (certificateSecret(v.secret.secretName) ? 'cert-manager' : undefined));
    if (v.persistentVolumeClaim) need('PersistentVolumeClaim', v.persistentVolumeClaim.claimName, `volume ${v.name}`);
  }
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      if (cm && !cm.optional) need('ConfigMap', cm.name, `env ${e.name} of container ${c.name}`);
      const secret = e.valueFrom?.secretKeyRef;
      if (secret && !secret.optional) need('Secret', secret.name, `env ${e.name} of container ${c.name}`, external[`${pod.namespace}/${secret.name}`] ?? (certificateSecret(secret.name) ? 'cert-manager' : undefined));
    }
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef && !from.configMapRef.optional) need('ConfigMap', from.configMapRef.name, `envFrom of container ${c.name}`);
      if (from.secretRef && !from.secretRef.optional) need('Secret', from.secretRef.name, `envFrom of container ${c.name}`, external[`${pod.namespace}/${from.secretRef.name}`]);
    }
  }
  // NetworkPolicies that select these pods and allow something: they must not arrive after the pods.
  for (const { placed: policy, matchLabels: selector } of indexes.allowingPolicies.get(pod.namespace) ?? []) {
    if (policy.order <= pod.owner.order) continue;
    if (Object.entries(selector).every(([k, v]) => pod.labels[k] === v)) {
      add(pod.owner, `${where} needs the traffic NetworkPolicy ${policy.obj.metadata.name} allows, but that policy arrives only in the later folder ${policy.folder}: under the namespace's default deny the pods never become Ready, so folder ${pod.owner.folder} never does and the policy is never applied (deadlock)`,
        FLUX_ORDER, `put NetworkPolicy ${policy.obj.metadata.name} in folder ${pod.owner.folder} or earlier (keep a workload and its policies in one folder when a layer is split)`);
    }
  }
  return [];
}

/** Route kinds of the Gateway API whose rules have `backendRefs` (Envoy Gateway v1.5.0 processes all of them with `processDestination`). */
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

const GRANT_FACT = 'Envoy Gateway v1.5.0 internal/gatewayapi/validate.go (validateBackendNamespace, validateCrossNamespaceRef: a backendRef to another namespace needs a ReferenceGrant in that namespace whose from has group gateway.networking.k8s.io, the route kind and namespace, and whose to has group "" and kind Service with no name or the Service name; else ResolvedRefs=False/RefNotPermitted and the route answers 500); Gateway API v1.3.0 ReferenceGrant v1beta1';
const TLS_FACT = 'Envoy Gateway v1.5.0 internal/gatewayapi/backendtlspolicy.go (getBackendTLSPolicy, backendTLSTargetMatched: a policy in the backend namespace whose targetRef names the Service, with no sectionName or the name of the Service port the backendRef uses, route.go getTargetBackendReference) and route.go processDestination; Gateway API v1.3.0 BackendTLSPolicy v1alpha3. Without it the proxy speaks plain HTTP to the TLS port';

/** What route backendRefs are checked against, built once per cluster. */
interface RouteIndexes {
  /**
   * The earliest ReferenceGrant allowing each (grant namespace, from group/kind/namespace, Service name or `*` for a
   * `to` without a name): one entry per from x to pair of each grant, so a look-up per backendRef is constant time
   * (the large platform has some 60 grants in its models namespace).
   */
  readonly grants: ReadonlyMap<string, PlacedObject>;
  /** BackendTLSPolicies by `namespace/service/sectionName` (`namespace/service/` for the whole Service). */
  readonly tlsPolicies: ReadonlyMap<string, readonly PlacedObject[]>;
  /** Namespaces/services some policy targets (for Services that are not in the output, such as KServe's). */
  readonly tlsServices: ReadonlyMap<string, readonly PlacedObject[]>;
}

const grantKey = (namespace: string, from: string, service: string) => `${namespace}|${from}|${service}`;

const pushTo = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

function routeIndexes(model: ClusterModel): RouteIndexes {
  const grants = new Map<string, PlacedObject>();
  for (const grant of model.ofKind('ReferenceGrant')) {
    if (apiGroup(grant.obj.apiVersion) !== GATEWAY_GROUP || grant.obj.metadata.namespace === undefined) continue;
    for (const f of (at(grant.obj, 'spec', 'from') as Record<string, unknown>[] | undefined) ?? []) {
      for (const t of (at(grant.obj, 'spec', 'to') as Record<string, unknown>[] | undefined) ?? []) {
        if ((t.group ?? '') !== '' || t.kind !== 'Service') continue;
        const key = grantKey(grant.obj.metadata.namespace, `${f.group}/${f.kind}/${f.namespace}`, typeof t.name === 'string' && t.name !== '' ? t.name : '*');
        const known = grants.get(key);
        if (!known || known.order > grant.order) grants.set(key, grant);
      }
    }
  }
  const tlsPolicies = new Map<string, PlacedObject[]>();
  const tlsServices = new Map<string, PlacedObject[]>();
  for (const policy of model.ofKind('BackendTLSPolicy')) {
    if (apiGroup(policy.obj.apiVersion) !== GATEWAY_GROUP) continue;
    for (const t of (at(policy.obj, 'spec', 'targetRefs') as Record<string, unknown>[] | undefined) ?? []) {
      if ((t.group ?? '') !== '' || t.kind !== 'Service') continue;
      const section = typeof t.sectionName === 'string' ? t.sectionName : '';
      pushTo(tlsPolicies, `${policy.obj.metadata.namespace}/${t.name}/${section}`, policy);
      pushTo(tlsServices, `${policy.obj.metadata.namespace}/${t.name}`, policy);
    }
  }
  return { grants, tlsPolicies, tlsServices };
}

/** The earliest of some placed objects. */
const earliest = (list: readonly PlacedObject[]): PlacedObject | undefined => list.reduce<PlacedObject | undefined>((a, b) => (a && a.order <= b.order ? a : b), undefined);

/**
 * 5. What Gateway API routes need to reach their backends: a ReferenceGrant for a Service in another namespace, and
 * the BackendTLSPolicy of a Service port that serves TLS. A route applied before them answers 500 (or talks plain
 * HTTP to a TLS port) until the later folder is applied: not a deadlock, but the route is broken in between, and a
 * missing grant breaks it for good.
 */
function routeReferences(model: ClusterModel, add: Add): void {
  const indexes = routeIndexes(model);
  // Kind by kind (ofKind with several kinds scans every object).
  for (const route of ROUTE_KINDS.flatMap((kind) => model.ofKind(kind))) {
    if (apiGroup(route.obj.apiVersion) !== GATEWAY_GROUP) continue;
    const routeNs = route.obj.metadata.namespace ?? 'default';
    const seen = new Set<string>();
    for (const rule of (at(route.obj, 'spec', 'rules') as Record<string, unknown>[] | undefined) ?? []) {
      for (const ref of (rule.backendRefs as Record<string, unknown>[] | undefined) ?? []) {
        if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service' || typeof ref.name !== 'string') continue;
        const ns = typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : routeNs;
        const key = `${ns}/${ref.name}:${ref.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const what = () => `backendRef Service ${ns}/${ref.name}${ref.port === undefined ? '' : ` port ${ref.port}`}`;
        if (ns !== routeNs) {
          const from = `${GATEWAY_GROUP}/${route.obj.kind}/${routeNs}`;
          const grant = earliest([indexes.grants.get(grantKey(ns, from, ref.name)), indexes.grants.get(grantKey(ns, from, '*'))].filter((g): g is PlacedObject => g !== undefined));
          if (!grant) {
            add(route, `${what()} is in another namespace and no ReferenceGrant in '${ns}' allows ${route.obj.kind}s of '${routeNs}' to reach it: the route never works (500, RefNotPermitted)`,
              GRANT_FACT, `add a ReferenceGrant in namespace '${ns}' from ${route.obj.kind} in '${routeNs}' to Service ${ref.name}, in folder ${route.folder} or earlier`);
          } else if (grant.order > route.order) {
            add(route, `${what()} is allowed only by ReferenceGrant ${ns}/${grant.obj.metadata.name}, which arrives in the later folder ${grant.folder}: the route answers 500 (RefNotPermitted) until that folder is applied`,
              GRANT_FACT, `move ReferenceGrant ${ns}/${grant.obj.metadata.name} to folder ${route.folder} or earlier`);
          }
        }
        // The BackendTLSPolicy of the port (by the Service port's name) or of the whole Service. When the Service is
        // not in the output (created by an operator), every policy on that Service counts: the port name is unknown.
        const service = model.find('Service', ns, ref.name);
        let candidates: readonly PlacedObject[];
        if (service) {
          const ports = (at(service.obj, 'spec', 'ports') as { port?: number; name?: string }[] | undefined) ?? [];
          const portName = ref.port === undefined ? undefined : ports.find((p) => p.port === ref.port)?.name;
          candidates = [...(indexes.tlsPolicies.get(`${ns}/${ref.name}/`) ?? []), ...(portName ? indexes.tlsPolicies.get(`${ns}/${ref.name}/${portName}`) ?? [] : [])];
        } else {
          candidates = indexes.tlsServices.get(`${ns}/${ref.name}`) ?? [];
        }
        const policy = earliest(candidates);
        if (policy && policy.order > route.order) {
          add(route, `${what()} is verified by BackendTLSPolicy ${ns}/${policy.obj.metadata.name}, which arrives in the later folder ${policy.folder}: until then the gateway speaks plain HTTP to the TLS port and the route fails (5xx)`,
            TLS_FACT, `move BackendTLSPolicy ${ns}/${policy.obj.metadata.name} to folder ${route.folder} or earlier`);
        }
      }
    }
  }
}
