/**
 * Rule `network-flows`: the cluster's NetworkPolicies, evaluated as Kubernetes does (see
 * `network-policy-model.ts`), allow every flow the constructs declared (`ClusterFacts.flows`) and admit no
 * ingress that no declared flow needs.
 *
 * - Every declared flow's pod ends select at least one pod of the cluster (`flow-pods.ts`); for every source
 *   pod group and destination pod group, the source's egress and the destination's ingress allow the port.
 * - Every ingress rule of every policy admits only sources that some declared flow into the selected pods
 *   needs: a pod group (or, for rules open to addresses, the address range) the rule admits must be the source
 *   of a declared flow to that destination which the rule admits; a listed port that no declared flow uses is
 *   reported too. A flow declared from `0.0.0.0/0` (clients on the Internet, the API server calling a webhook)
 *   covers every source.
 */
import { endpointKey } from '../core/flows';
import { ClusterFacts, DeclaredFlow, FlowEndpoint, VerifiedCluster, VerifyFault, VerifyRule } from './types';
import { CompiledPolicy, compilePolicy, Endpoint, PolicyIndex, PolicyRule, portEntryAdmits, cidrWithin, cidrsOverlap, selects } from './network-policy-model';
import { chartNetworkPolicies, clusterPods, PodGroup } from './flow-pods';

const UPSTREAM = 'Kubernetes v1.31 NetworkPolicy semantics: https://kubernetes.io/docs/concepts/services-networking/network-policies/ (isolation, additive rules, both ends must allow), API networking.k8s.io/v1 NetworkPolicySpec';
const ALL_ADDRESSES = '0.0.0.0/0';

/** A cluster prepared for flow checks (exported for tests and benchmarks). */
export interface FlowModel {
  readonly pods: readonly PodGroup[];
  /** `pods` by namespace, each list in `pods` order. */
  readonly podsByNamespace: ReadonlyMap<string, readonly PodGroup[]>;
  /** The index of each pod in `pods`. */
  readonly podOrder: ReadonlyMap<PodGroup, number>;
  /** The pods of `namespace` that carry every label of `podLabels`, in `pods` order (remembered). */
  readonly podsMatching: (namespace: string, podLabels: Readonly<Record<string, string>>) => readonly PodGroup[];
  readonly index: PolicyIndex;
  readonly policies: readonly CompiledPolicy[];
  /** Folders by object ref, for faults. */
  readonly folderOf: ReadonlyMap<string, string>;
  readonly unknownCharts: readonly { owner: string; folder: string; chart: string }[];
  /** Namespaces the output creates (Namespace objects). */
  readonly managedNamespaces: ReadonlySet<string>;
}

/** Builds the pods, policies and namespace labels of a cluster. */
export function buildFlowModel(cluster: VerifiedCluster): FlowModel {
  const { pods, unknownCharts } = clusterPods(cluster);
  const policies: CompiledPolicy[] = [];
  const namespaceLabels = new Map<string, Record<string, string>>();
  const folderOf = new Map<string, string>();
  const managedNamespaces = new Set<string>();
  for (const name of Object.keys(cluster.facts.preexistingNamespaces)) namespaceLabels.set(name, { 'kubernetes.io/metadata.name': name });
  for (const folder of cluster.folders) {
    for (const obj of folder.manifests) {
      if (obj.kind === 'NetworkPolicy' && obj.apiVersion === 'networking.k8s.io/v1') policies.push(compilePolicy(obj, folder.folder));
      if (obj.kind === 'Namespace' && obj.apiVersion === 'v1') {
        const labels = (obj.metadata.labels ?? {}) as Record<string, string>;
        namespaceLabels.set(obj.metadata.name, { ...labels, 'kubernetes.io/metadata.name': obj.metadata.name });
        managedNamespaces.add(obj.metadata.name);
      }
    }
  }
  for (const { manifest, folder } of chartNetworkPolicies(cluster)) policies.push(compilePolicy(manifest, folder));
  for (const pod of pods) {
    folderOf.set(pod.owner, pod.folder);
    if (!namespaceLabels.has(pod.namespace)) namespaceLabels.set(pod.namespace, { 'kubernetes.io/metadata.name': pod.namespace });
  }
  for (const policy of policies) folderOf.set(policy.ref, policy.folder);
  const podsByNamespace = new Map<string, PodGroup[]>();
  const podOrder = new Map<PodGroup, number>();
  pods.forEach((pod, i) => {
    podOrder.set(pod, i);
    const list = podsByNamespace.get(pod.namespace);
    if (list) list.push(pod);
    else podsByNamespace.set(pod.namespace, [pod]);
  });
  return { pods, podsByNamespace, podOrder, podsMatching: podMatcher(podsByNamespace), index: new PolicyIndex(policies, namespaceLabels), policies, folderOf, unknownCharts, managedNamespaces };
}

/**
 * `podsMatching` of a FlowModel: per namespace, pods are filed by each of their labels, and a query tests only the
 * pods of its least used label (the 2,400 flows of the large platform each name one of 1,000 models).
 */
function podMatcher(podsByNamespace: ReadonlyMap<string, readonly PodGroup[]>): FlowModel['podsMatching'] {
  const pair = (key: string, value: unknown) => `${key}\u0000${String(value)}`;
  const byLabel = new Map<string, Map<string, PodGroup[]>>();
  const answers = new Map<string, readonly PodGroup[]>();
  return (namespace, podLabels) => {
    const entries = Object.entries(podLabels);
    const key = `${namespace}\u0001${entries.map(([k, v]) => pair(k, v)).sort().join('\u0001')}`;
    const known = answers.get(key);
    if (known) return known;
    const inNamespace = podsByNamespace.get(namespace) ?? [];
    let candidates: readonly PodGroup[] = inNamespace;
    if (entries.length > 0) {
      let index = byLabel.get(namespace);
      if (!index) {
        index = new Map();
        for (const pod of inNamespace) {
          for (const [k, v] of Object.entries(pod.labels)) {
            const list = index.get(pair(k, v));
            if (list) list.push(pod);
            else index.set(pair(k, v), [pod]);
          }
        }
        byLabel.set(namespace, index);
      }
      candidates = entries.map(([k, v]) => index!.get(pair(k, v)) ?? []).reduce((a, b) => (b.length < a.length ? b : a));
    }
    const matching = candidates.filter((pod) => entries.every(([k, v]) => pod.labels[k] === v));
    answers.set(key, matching);
    return matching;
  };
}

/** The rule. */
export const networkFlowRule: VerifyRule = (cluster) => {
  const model = buildFlowModel(cluster);
  return [...checkDeclaredFlows(cluster.facts, model), ...checkUndeclaredIngress(cluster.facts, model)];
};

type Resolved = { endpoints: { endpoint: Endpoint; pod?: PodGroup }[]; hostNetwork: PodGroup[] };

/**
 * The pod groups an end selects. Pods of a namespace the output neither creates nor knows pods of (an AKS add-on's,
 * such as application routing) cannot be checked: they stand in as one group with the declared labels.
 */
function resolve(end: FlowEndpoint, model: FlowModel): Resolved {
  if ('cidr' in end) return { endpoints: [{ endpoint: { cidr: end.cidr, except: end.except } }], hostNetwork: [] };
  const matching = model.podsMatching(end.namespace, end.podLabels);
  const elsewhere = end.deployedElsewhere !== undefined;
  if (matching.length === 0 && (elsewhere || (!model.managedNamespaces.has(end.namespace) && !model.podsByNamespace.has(end.namespace)))) {
    const outside: PodGroup = {
      namespace: end.namespace, labels: { ...end.podLabels }, ports: [], hostNetwork: false, owner: `Namespace/${end.namespace}`, folder: '',
      description: `pods ${JSON.stringify(end.podLabels)} of namespace ${end.namespace} (${elsewhere ? `deployed elsewhere: ${end.deployedElsewhere}` : 'outside the output'}, taken as declared)`,
    };
    return { endpoints: [{ endpoint: { pods: outside }, pod: outside }], hostNetwork: [] };
  }
  return {
    endpoints: matching.filter((pod) => !pod.hostNetwork).map((pod) => ({ endpoint: { pods: pod }, pod })),
    hostNetwork: matching.filter((pod) => pod.hostNetwork),
  };
}

function portText(flow: DeclaredFlow): string {
  return `${flow.port}${flow.endPort !== undefined && flow.endPort !== flow.port ? `-${flow.endPort}` : ''}/${flow.protocol ?? 'TCP'}`;
}

function describeFlow(flow: DeclaredFlow): string {
  return `'${flow.purpose}' (${endpointKey(flow.from)} -> ${endpointKey(flow.to)} port ${portText(flow)})`;
}

function describeEndpoint(endpoint: Endpoint): string {
  if ('cidr' in endpoint) return endpoint.except?.length ? `${endpoint.cidr} except ${endpoint.except.join(', ')}` : endpoint.cidr;
  return endpoint.pods.description;
}

function checkDeclaredFlows(facts: ClusterFacts, model: FlowModel): VerifyFault[] {
  const faults: VerifyFault[] = [];
  const fault = (object: string, message: string, fix: string) => faults.push({
    rule: 'network-flows', environment: facts.environment, cluster: facts.cluster,
    folder: model.folderOf.get(object) ?? '', object, message, upstream: UPSTREAM, fix,
  });
  // A side's verdict depends only on the policies isolating the pod in that direction (and, for ingress, on the
  // pod's ports, which named ports resolve on), the other end and the port: pods that share those share it. So
  // each flow evaluates it once per group of such pods and other end, not once per pair (200 Spark drivers x 200
  // executors per flow).
  const policyIds = new Map<CompiledPolicy, number>();
  const groupKeys = new Map<PodGroup, { egress: string; ingress: string }>();
  const groupKey = (pod: PodGroup, direction: 'egress' | 'ingress'): string => {
    let keys = groupKeys.get(pod);
    if (!keys) {
      const ids = (list: readonly CompiledPolicy[]) => list.map((policy) => {
        let id = policyIds.get(policy);
        if (id === undefined) policyIds.set(policy, id = policyIds.size);
        return id;
      }).join(',');
      const isolation = model.index.isolationOf(pod);
      keys = { egress: ids(isolation.egress), ingress: `${ids(isolation.ingress)}|${JSON.stringify(pod.ports)}` };
      groupKeys.set(pod, keys);
    }
    return keys[direction];
  };
  for (const flow of facts.flows) {
    const protocol = flow.protocol ?? 'TCP';
    const from = resolve(flow.from, model);
    const to = resolve(flow.to, model);
    let unresolved = false;
    for (const [side, resolved, end] of [['source', from, flow.from], ['destination', to, flow.to]] as const) {
      if (resolved.hostNetwork.length > 0) {
        unresolved = true;
        fault(resolved.hostNetwork[0].owner, `Declared flow ${describeFlow(flow)}: its ${side} selects ${resolved.hostNetwork[0].description}, which uses the host network; NetworkPolicies see node addresses for it`,
          `declare the ${side} as the node address range ({ cidr }) instead of pod labels`);
      } else if (resolved.endpoints.length === 0) {
        unresolved = true;
        fault(`Namespace/${(end as { namespace: string }).namespace}`, `Declared flow ${describeFlow(flow)}: its ${side} selects no pod of the cluster (no workload, operator-created pod or chart pod in namespace '${(end as { namespace: string }).namespace}' carries labels ${JSON.stringify((end as { podLabels: object }).podLabels)})`,
          'fix the labels of the declaration, or add the workload; if the pods come from a chart or operator the model does not know, add them to lib/verify/flow-pods.ts with their upstream source');
      }
    }
    if (unresolved) continue;
    const reported = new Set<string>();
    // Verdicts of this flow by side group and index of the other end.
    const verdicts = { egress: new Map<string, boolean[]>(), ingress: new Map<string, boolean[]>() };
    const allows = (direction: 'egress' | 'ingress', self: PodGroup, peer: Endpoint, peerIndex: number): { allowed: boolean; policies: CompiledPolicy[] } => {
      const key = groupKey(self, direction);
      let row = verdicts[direction].get(key);
      if (!row) verdicts[direction].set(key, row = []);
      let allowed = row[peerIndex];
      if (allowed === undefined) row[peerIndex] = allowed = model.index.sideAllows(direction, self, peer, flow.port, protocol, flow.endPort ?? flow.port).allowed;
      return { allowed, policies: model.index.isolationOf(self)[direction] };
    };
    for (const [srcIndex, src] of from.endpoints.entries()) {
      for (const [dstIndex, dst] of to.endpoints.entries()) {
        if (src.pod) {
          const egress = allows('egress', src.pod, dst.endpoint, dstIndex);
          if (!egress.allowed && !reported.has(`e ${src.pod.owner}`)) {
            reported.add(`e ${src.pod.owner}`);
            fault(src.pod.owner, `Declared flow ${describeFlow(flow)} is denied: the egress of ${src.pod.description} to ${describeEndpoint(dst.endpoint)} is isolated by ${egress.policies.map((p) => p.ref).join(', ')} and no egress rule admits port ${portText(flow)} to it`,
              `add an egress rule admitting ${describeEndpoint(dst.endpoint)} on ${portText(flow)} to a NetworkPolicy in namespace '${src.pod.namespace}' that selects these pods`);
          }
        }
        if (dst.pod) {
          const ingress = allows('ingress', dst.pod, src.endpoint, srcIndex);
          if (!ingress.allowed && !reported.has(`i ${dst.pod.owner}`)) {
            reported.add(`i ${dst.pod.owner}`);
            fault(dst.pod.owner, `Declared flow ${describeFlow(flow)} is denied: the ingress of ${dst.pod.description} from ${describeEndpoint(src.endpoint)} is isolated by ${ingress.policies.map((p) => p.ref).join(', ')} and no ingress rule admits port ${portText(flow)} from it`,
              `add an ingress rule admitting ${describeEndpoint(src.endpoint)} on ${portText(flow)} to a NetworkPolicy in namespace '${dst.pod.namespace}' that selects these pods`);
          }
        }
      }
    }
  }
  return faults;
}

function covers(end: FlowEndpoint, source: Endpoint): boolean {
  if ('cidr' in end) {
    const range = 'cidr' in source ? source.cidr : ALL_ADDRESSES;
    return cidrWithin(range, end.cidr) && !(end.except ?? []).some((e) => cidrsOverlap(e, range));
  }
  if ('cidr' in source) return false;
  return source.pods.namespace === end.namespace && Object.entries(end.podLabels).every(([k, v]) => source.pods.labels[k] === v);
}

/** The declared flows into each pod group, in declaration order (a flow targets the pods its destination selects). */
function flowsByDestinationPod(flows: readonly DeclaredFlow[], model: FlowModel): Map<PodGroup, DeclaredFlow[]> {
  const map = new Map<PodGroup, DeclaredFlow[]>();
  for (const flow of flows) {
    if ('cidr' in flow.to) continue;
    for (const pod of model.podsMatching(flow.to.namespace, flow.to.podLabels)) {
      const list = map.get(pod);
      if (list) list.push(flow);
      else map.set(pod, [flow]);
    }
  }
  return map;
}

/**
 * Sources a rule admits: pod groups (in `model.pods` order), and the address ranges of its ipBlocks (all addresses
 * without peers). Only the pods of the namespaces some peer can match are tested: a peer without
 * `namespaceSelector` matches pods of the policy's namespace only, an ipBlock never matches pods.
 */
function admittedSources(rule: PolicyRule, policy: CompiledPolicy, model: FlowModel): Endpoint[] {
  const namespaces = rule.peers === undefined ? [...model.podsByNamespace.keys()] : [...new Set(rule.peers.flatMap((peer) => {
    if (peer.kind === 'ipBlock') return [];
    if (!peer.namespaceSelector) return [policy.namespace];
    return [...model.podsByNamespace.keys()].filter((ns) => selects(peer.namespaceSelector, model.index.labelsOf(ns)));
  }))];
  const candidates = namespaces.flatMap((ns) => model.podsByNamespace.get(ns) ?? []);
  if (namespaces.length > 1) candidates.sort((a, b) => model.podOrder.get(a)! - model.podOrder.get(b)!);
  const sources: Endpoint[] = candidates.filter((pod) => !pod.hostNetwork
    && (rule.peers === undefined || rule.peers.some((peer) => model.index.peerMatches(peer, policy.namespace, { pods: pod }))))
    .map((pod) => ({ pods: pod }));
  if (rule.peers === undefined) sources.push({ cidr: ALL_ADDRESSES });
  for (const peer of rule.peers ?? []) if (peer.kind === 'ipBlock') sources.push({ cidr: peer.cidr });
  return sources;
}

function checkUndeclaredIngress(facts: ClusterFacts, model: FlowModel): VerifyFault[] {
  const faults: VerifyFault[] = [];
  const resolved = new Map<DeclaredFlow, Resolved>();
  const sourcesOf = (flow: DeclaredFlow): Resolved => {
    let r = resolved.get(flow);
    if (!r) resolved.set(flow, r = resolve(flow.from, model));
    return r;
  };
  const flowsInto = flowsByDestinationPod(facts.flows, model);
  // The pods each policy isolates for ingress, in pod order (one pass over the pods, not one per policy).
  const isolatedBy = new Map<CompiledPolicy, PodGroup[]>();
  for (const pod of model.pods) {
    if (pod.hostNetwork) continue;
    for (const policy of model.index.isolationOf(pod).ingress) {
      const list = isolatedBy.get(policy);
      if (list) list.push(pod);
      else isolatedBy.set(policy, [pod]);
    }
  }
  for (const policy of model.policies) {
    if (policy.ingress.length === 0) continue;
    const destinations = isolatedBy.get(policy) ?? [];
    if (destinations.length === 0) continue;
    for (const rule of policy.ingress) {
      const undeclared: string[] = [];
      const usedPorts = new Set<number>();
      const sources = admittedSources(rule, policy, model);
      for (const destination of destinations) {
        const flows = flowsInto.get(destination) ?? [];
        for (const source of sources) {
          const needed = flows.some((flow) => covers(flow.from, source)
            && model.index.ruleAdmits(rule, policy.namespace, source, flow.port, flow.protocol ?? 'TCP', { pods: destination }, flow.endPort ?? flow.port));
          if (!needed) undeclared.push(`${describeEndpoint(source)} -> ${destination.description}`);
        }
        // Ports: a listed port is used when a declared flow into this destination passes the rule with it (its
        // source resolved as for the flow check, so pods deployed elsewhere count too).
        for (const flow of flows) {
          const admitted = sourcesOf(flow).endpoints.some(({ endpoint }) =>
            model.index.ruleAdmits(rule, policy.namespace, endpoint, flow.port, flow.protocol ?? 'TCP', { pods: destination }, flow.endPort ?? flow.port));
          if (!admitted) continue;
          (rule.ports ?? []).forEach((entry, i) => { if (portEntryAdmits(entry, flow.port, flow.protocol ?? 'TCP', { pods: destination }, flow.endPort ?? flow.port)) usedPorts.add(i); });
        }
      }
      const unusedPorts = (rule.ports ?? []).filter((_, i) => !usedPorts.has(i)).map((entry) => `${entry.port ?? 'all'}${entry.endPort ? `-${entry.endPort}` : ''}/${entry.protocol}`);
      if (undeclared.length === 0 && unusedPorts.length === 0) continue;
      const parts: string[] = [];
      if (undeclared.length > 0) {
        const shown = undeclared.slice(0, 4).join('; ');
        parts.push(`admits ${undeclared.length} source-destination pair(s) no construct declared a flow for: ${shown}${undeclared.length > 4 ? `; ... (${undeclared.length - 4} more)` : ''}`);
      }
      if (unusedPorts.length > 0) parts.push(`opens port(s) ${unusedPorts.join(', ')} that no declared flow uses`);
      faults.push({
        rule: 'network-flows', environment: facts.environment, cluster: facts.cluster, folder: policy.folder, object: policy.ref,
        message: `Ingress rule ${rule.index} of ${policy.ref} ${parts.join(', and ')}`,
        upstream: UPSTREAM,
        fix: 'narrow the rule (from: namespaceSelector/podSelector of the declared sources, ports of the declared flows), or declare the flow with declareFlow() in the construct whose workload needs it',
      });
    }
  }
  return faults;
}
