/**
 * Network flows a workload needs, declared by the construct that creates the workload. The verifier's
 * network-flows rule proves that the cluster's NetworkPolicies allow each declared flow and that they admit no
 * ingress that no construct declared (`lib/verify/network-flows.ts`).
 *
 * Flows are recorded per construct tree (the cdk8s App of one cluster): `collectDeclaredFlows(app)` returns
 * them for `ClusterFacts.flows`.
 */
import { Construct, IConstruct } from 'constructs';
import type { DeclaredFlow, FlowEndpoint } from '../verify/types';

export type { DeclaredFlow, FlowEndpoint } from '../verify/types';

const FLOWS = new WeakMap<IConstruct, DeclaredFlow[]>();

/** Any address, for sources and destinations known only by name (Azure endpoints, ACME servers, the API server). */
export const ANY_ADDRESS = '0.0.0.0/0';

/** Records that the workload of `scope` needs `flow`. */
export function declareFlow(scope: Construct, flow: DeclaredFlow): void {
  validateFlow(scope, flow);
  const root = scope.node.root;
  const list = FLOWS.get(root) ?? [];
  list.push(flow);
  FLOWS.set(root, list);
}

/** Records one flow per port. */
export function declareFlows(scope: Construct, flow: Omit<DeclaredFlow, 'port'>, ports: readonly number[]): void {
  for (const port of ports) declareFlow(scope, { ...flow, port });
}

/** The flows declared anywhere in the construct tree of `scope`, deduplicated, in a stable order. */
export function collectDeclaredFlows(scope: IConstruct): DeclaredFlow[] {
  const byKey = new Map<string, DeclaredFlow>();
  for (const flow of FLOWS.get(scope.node.root) ?? []) byKey.set(flowKey(flow), flow);
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}

/** A stable identity of a flow (purpose included, so two needs of the same path both show in the facts). */
export function flowKey(flow: DeclaredFlow): string {
  return [endpointKey(flow.from), endpointKey(flow.to), flow.protocol ?? 'TCP', String(flow.port).padStart(5, '0'), String(flow.endPort ?? flow.port).padStart(5, '0'), flow.purpose].join(' ');
}

/** `namespace{k=v,...}` or the CIDR. */
export function endpointKey(endpoint: FlowEndpoint): string {
  if ('cidr' in endpoint) return endpoint.except?.length ? `${endpoint.cidr} except ${[...endpoint.except].sort().join(',')}` : endpoint.cidr;
  const labels = Object.keys(endpoint.podLabels).sort().map((key) => `${key}=${endpoint.podLabels[key]}`);
  return `${endpoint.namespace}{${labels.join(',')}}`;
}

function validateFlow(scope: Construct, flow: DeclaredFlow): void {
  const fail = (message: string): never => { throw new Error(`declareFlow at '${scope.node.path}' (${flow.purpose}): ${message}`); };
  if (!Number.isInteger(flow.port) || flow.port < 1 || flow.port > 65535) fail(`'port' (${flow.port}) must be an integer from 1 to 65535`);
  if (flow.endPort !== undefined && (!Number.isInteger(flow.endPort) || flow.endPort < flow.port || flow.endPort > 65535)) fail(`'endPort' (${flow.endPort}) must be an integer from 'port' (${flow.port}) to 65535`);
  if (!flow.purpose.trim()) fail('\'purpose\' must say why the flow exists');
  if ('cidr' in flow.from && 'cidr' in flow.to) fail('a flow needs pods at one end at least; both ends are address ranges');
}
