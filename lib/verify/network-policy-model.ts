/**
 * NetworkPolicy (networking.k8s.io/v1) semantics, as Kubernetes 1.31 defines them
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/ at v1.31, and the API reference of
 * `NetworkPolicySpec`, `NetworkPolicyPeer`, `NetworkPolicyPort`):
 *
 * - A pod is isolated for ingress (egress) when at least one policy in its namespace selects it and lists
 *   `Ingress` (`Egress`) in `policyTypes`. Without `policyTypes`, a policy has `Ingress`, plus `Egress` when it
 *   has an `egress` section. A pod that no such policy selects accepts (sends) everything.
 * - Policies are additive: a connection is allowed when a rule of any policy that isolates the pod admits it. A
 *   connection between two pods needs the source's egress and the destination's ingress to allow it.
 * - A rule admits a peer when `from` / `to` is empty or absent (every source or destination, in or outside the
 *   cluster) or one of its peers matches. A peer with only `podSelector` selects pods of the policy's own
 *   namespace; with only `namespaceSelector`, every pod of the matching namespaces; with both, the matching pods
 *   of the matching namespaces. Namespaces carry `kubernetes.io/metadata.name: <name>` (set by the API server).
 * - `ipBlock` is meant for addresses outside the cluster (pod addresses are ephemeral, and whether an ipBlock
 *   matches pod or node addresses depends on the network plugin): the model matches ipBlocks only against
 *   address ranges, never against pods. An address range is admitted when it lies inside `cidr` and outside every
 *   `except` entry (an `except` entry the range itself excludes, such as the private ranges of a flow to public
 *   addresses, does not count).
 * - A rule admits a port when `ports` is empty or absent, or one entry matches: `protocol` (default TCP),
 *   `port` (absent: every port of the protocol), a named port resolved on the destination pod's container ports
 *   (so a named port never matches an address outside the cluster), and `endPort` for a range.
 * - Pods on the host network are outside NetworkPolicy (their traffic is the node's).
 */
import { ManifestJson } from '../synth/cluster-context';
import { PodGroup, PodPort } from './flow-pods';

type Json = { readonly [key: string]: any };

/** A label selector (`matchLabels`, `matchExpressions`). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** One end of a connection: a group of pods, or an address range outside the cluster. */
export type Endpoint = { readonly pods: PodGroup } | { readonly cidr: string; readonly except?: readonly string[] };

/** A peer of a rule. */
export type Peer =
  | { readonly kind: 'pods'; readonly namespaceSelector?: LabelSelector; readonly podSelector?: LabelSelector }
  | { readonly kind: 'ipBlock'; readonly cidr: string; readonly except: readonly string[] };

/** A port entry of a rule. */
export interface PortEntry {
  readonly protocol: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

/** An ingress or egress rule; `undefined` peers or ports mean all. */
export interface PolicyRule {
  readonly index: number;
  readonly peers?: readonly Peer[];
  readonly ports?: readonly PortEntry[];
}

/** A NetworkPolicy ready for evaluation. */
export interface CompiledPolicy {
  /** `NetworkPolicy/<namespace>/<name>`. */
  readonly ref: string;
  readonly folder: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  readonly isolatesIngress: boolean;
  readonly isolatesEgress: boolean;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}

/** Whether `selector` selects `labels` (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In': if (!has || !values.includes(labels[expr.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[expr.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** Compiles a NetworkPolicy manifest. */
export function compilePolicy(obj: ManifestJson, folder: string): CompiledPolicy {
  const spec: Json = (obj as Json).spec ?? {};
  const namespace = obj.metadata.namespace ?? 'default';
  const types: string[] = spec.policyTypes ?? ['Ingress', ...(spec.egress ? ['Egress'] : [])];
  const rules = (list: Json[] | undefined, peersKey: 'from' | 'to'): PolicyRule[] => (list ?? []).map((rule, index) => ({
    index,
    peers: rule?.[peersKey] && rule[peersKey].length > 0 ? rule[peersKey].map(compilePeer) : undefined,
    ports: rule?.ports && rule.ports.length > 0 ? rule.ports.map((p: Json) => ({ protocol: p.protocol ?? 'TCP', port: p.port, endPort: p.endPort })) : undefined,
  }));
  return {
    ref: `NetworkPolicy/${namespace}/${obj.metadata.name}`,
    folder,
    namespace,
    podSelector: spec.podSelector ?? {},
    isolatesIngress: types.includes('Ingress'),
    isolatesEgress: types.includes('Egress'),
    ingress: types.includes('Ingress') ? rules(spec.ingress, 'from') : [],
    egress: types.includes('Egress') ? rules(spec.egress, 'to') : [],
  };
}

function compilePeer(peer: Json): Peer {
  if (peer.ipBlock) return { kind: 'ipBlock', cidr: peer.ipBlock.cidr, except: peer.ipBlock.except ?? [] };
  return { kind: 'pods', namespaceSelector: peer.namespaceSelector, podSelector: peer.podSelector };
}

/** Policies indexed by namespace, with namespace labels, answering "is this connection allowed". */
export class PolicyIndex {
  private readonly byNamespace = new Map<string, CompiledPolicy[]>();
  private readonly isolating = new Map<PodGroup, { ingress: CompiledPolicy[]; egress: CompiledPolicy[] }>();
  /** Per namespace: its policies by the first label of their `matchLabels` (see `candidatesFor`). */
  private readonly bySelectorLabel = new Map<string, { position: Map<CompiledPolicy, number>; byLabel: Map<string, CompiledPolicy[]>; unlabelled: CompiledPolicy[] }>();

  constructor(policies: readonly CompiledPolicy[], private readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>) {
    for (const policy of policies) {
      const list = this.byNamespace.get(policy.namespace) ?? [];
      list.push(policy);
      this.byNamespace.set(policy.namespace, list);
    }
  }

  /** Every policy of a namespace. */
  public policiesOf(namespace: string): readonly CompiledPolicy[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** The policies that isolate `pod` in each direction. */
  public isolationOf(pod: PodGroup): { ingress: CompiledPolicy[]; egress: CompiledPolicy[] } {
    let cached = this.isolating.get(pod);
    if (!cached) {
      const selecting = pod.hostNetwork ? [] : this.candidatesFor(pod).filter((p) => selects(p.podSelector, pod.labels));
      cached = { ingress: selecting.filter((p) => p.isolatesIngress), egress: selecting.filter((p) => p.isolatesEgress) };
      this.isolating.set(pod, cached);
    }
    return cached;
  }

  /**
   * The policies of the pod's namespace that may select it, in namespace order: those whose `matchLabels` share a
   * label with the pod, and those without `matchLabels`. A superset of the selecting ones (`selects` decides), found
   * without testing every policy of a namespace against every pod (a namespace of 1,000 models has 2,000 policies).
   * Each policy is filed under the label of its `matchLabels` that the fewest policies of the namespace use (the
   * model's name rather than `component: predictor`).
   */
  private candidatesFor(pod: PodGroup): readonly CompiledPolicy[] {
    const pair = (key: string, value: unknown) => `${key}\u0000${String(value)}`;
    let index = this.bySelectorLabel.get(pod.namespace);
    if (!index) {
      const policies = this.policiesOf(pod.namespace);
      const uses = new Map<string, number>();
      for (const policy of policies) {
        for (const [key, value] of Object.entries(policy.podSelector.matchLabels ?? {})) uses.set(pair(key, value), (uses.get(pair(key, value)) ?? 0) + 1);
      }
      index = { position: new Map(), byLabel: new Map(), unlabelled: [] };
      for (const [i, policy] of policies.entries()) {
        index.position.set(policy, i);
        const pairs = Object.entries(policy.podSelector.matchLabels ?? {}).map(([key, value]) => pair(key, value));
        if (pairs.length === 0) {
          index.unlabelled.push(policy);
          continue;
        }
        const rarest = pairs.reduce((best, p) => (uses.get(p)! < uses.get(best)! ? p : best));
        const list = index.byLabel.get(rarest);
        if (list) list.push(policy);
        else index.byLabel.set(rarest, [policy]);
      }
      this.bySelectorLabel.set(pod.namespace, index);
    }
    const found = [...index.unlabelled];
    for (const [key, value] of Object.entries(pod.labels)) found.push(...(index.byLabel.get(pair(key, value)) ?? []));
    const position = index.position;
    return found.sort((a, b) => position.get(a)! - position.get(b)!);
  }

  /** Labels of a namespace (at least its name label). */
  public labelsOf(namespace: string): Readonly<Record<string, string>> {
    return this.namespaceLabels.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace };
  }

  /** Whether `peer` of a rule in `policyNamespace` matches `endpoint`. */
  public peerMatches(peer: Peer, policyNamespace: string, endpoint: Endpoint): boolean {
    if ('cidr' in endpoint) {
      return peer.kind === 'ipBlock' && cidrWithin(endpoint.cidr, peer.cidr)
        && !peer.except.some((e) => cidrsOverlap(e, endpoint.cidr) && !(endpoint.except ?? []).some((x) => cidrWithin(e, x)));
    }
    if (peer.kind === 'ipBlock' || endpoint.pods.hostNetwork) return false;
    const pod = endpoint.pods;
    const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, this.labelsOf(pod.namespace)) : pod.namespace === policyNamespace;
    return namespaceOk && selects(peer.podSelector, pod.labels);
  }

  /** Whether `rule` admits a connection with `peer` on `port`/`protocol` to `destination` (for named ports). */
  public ruleAdmits(rule: PolicyRule, policyNamespace: string, peer: Endpoint, port: number, protocol: string, destination: Endpoint, endPort = port): boolean {
    return (rule.peers === undefined || rule.peers.some((p) => this.peerMatches(p, policyNamespace, peer)))
      && portAdmitted(rule.ports, port, protocol, destination, endPort);
  }

  /**
   * Whether one side allows the connection: `self` is the pod whose policies decide (the source for egress, the
   * destination for ingress), `peer` the other end. Returns the isolating policies when none admits it.
   */
  public sideAllows(direction: 'ingress' | 'egress', self: PodGroup, peer: Endpoint, port: number, protocol: string, endPort = port): { allowed: boolean; policies: CompiledPolicy[] } {
    const policies = this.isolationOf(self)[direction];
    if (policies.length === 0) return { allowed: true, policies };
    const destination: Endpoint = direction === 'ingress' ? { pods: self } : peer;
    const allowed = policies.some((policy) => policy[direction].some((rule) => this.ruleAdmits(rule, policy.namespace, peer, port, protocol, destination, endPort)));
    return { allowed, policies };
  }
}

/**
 * Whether a rule's ports admit every port from `port` to `endPort` with `protocol` to `destination` (named ports
 * resolve on destination pods). One entry must cover the whole range.
 */
export function portAdmitted(ports: readonly PortEntry[] | undefined, port: number, protocol: string, destination: Endpoint, endPort = port): boolean {
  if (ports === undefined) return true;
  return ports.some((entry) => portEntryAdmits(entry, port, protocol, destination, endPort));
}

/** Whether one port entry admits every port from `port` to `endPort` with `protocol`. */
export function portEntryAdmits(entry: PortEntry, port: number, protocol: string, destination: Endpoint, endPort = port): boolean {
  if (entry.protocol !== protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'string' && !/^\d+$/.test(entry.port)) {
    if (!('pods' in destination) || endPort !== port) return false;
    return destination.pods.ports.some((p: PodPort) => p.name === entry.port && p.protocol === protocol && p.port === port);
  }
  const first = Number(entry.port);
  return port >= first && endPort <= (entry.endPort ?? first);
}

const RANGES = new Map<string, [4 | 6, bigint, bigint] | undefined>();

/** An IPv4 or IPv6 range as [family, first, last] (bigint), parsed once per text. */
function cidrRange(cidr: string): [4 | 6, bigint, bigint] | undefined {
  if (!RANGES.has(cidr)) RANGES.set(cidr, parseCidr(cidr));
  return RANGES.get(cidr);
}

function parseCidr(cidr: string): [4 | 6, bigint, bigint] | undefined {
  const [address, prefixText] = cidr.split('/');
  const v6 = address.includes(':');
  const bits = v6 ? 128 : 32;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  let value: bigint;
  if (v6) {
    const [head, tail] = address.split('::');
    const parts = (s: string | undefined) => (s ? s.split(':') : []).map((h) => BigInt(parseInt(h, 16)));
    const h = parts(head);
    const t = parts(tail);
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0n), ...t];
    value = groups.reduce((acc, g) => (acc << 16n) | g, 0n);
  } else {
    const octets = address.split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return undefined;
    value = octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
  }
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  return [v6 ? 6 : 4, first, first + (1n << hostBits) - 1n];
}

/** Whether range `inner` lies inside range `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = cidrRange(inner);
  const b = cidrRange(outer);
  return !!a && !!b && a[0] === b[0] && a[1] >= b[1] && a[2] <= b[2];
}

/** Whether two ranges share an address. */
export function cidrsOverlap(x: string, y: string): boolean {
  const a = cidrRange(x);
  const b = cidrRange(y);
  return !!a && !!b && a[0] === b[0] && a[1] <= b[2] && b[1] <= a[2];
}
