/**
 * Effective requests and limits of pods as the API server admits them: the namespace's LimitRange fills in
 * missing container defaults (a container with only a limit gets it as its request), and a pod requests the
 * larger of its init containers' and the sum of its containers' (kubernetes v1.31 LimitRanger admission plugin,
 * resourcehelper.PodRequests).
 */
import { parseQuantity } from '../core/quantity';
import { at, ClusterModel } from './cluster-model';
import { Container, ModeledPod } from './pod-model';

/** Resource name to amount (cores, bytes, count). */
export type Amounts = Record<string, number>;

/** The Container-type limits of the LimitRanges of a namespace. */
export function limitRangeOf(model: ClusterModel, namespace: string): { default: Amounts; defaultRequest: Amounts; max: Amounts; min: Amounts; name?: string } {
  const out = { default: {} as Amounts, defaultRequest: {} as Amounts, max: {} as Amounts, min: {} as Amounts, name: undefined as string | undefined };
  for (const lr of model.ofKind('LimitRange')) {
    if (lr.obj.metadata.namespace !== namespace) continue;
    out.name = lr.obj.metadata.name;
    for (const item of (at(lr.obj, 'spec', 'limits') as any[] | undefined) ?? []) {
      if (item.type !== 'Container') continue;
      for (const key of ['default', 'defaultRequest', 'max', 'min'] as const) {
        for (const [resource, value] of Object.entries(item[key] ?? {})) out[key][resource] = parseQuantity(value as string);
      }
    }
  }
  return out;
}

const amounts = (map: unknown): Amounts => Object.fromEntries(Object.entries((map as Record<string, string>) ?? {}).map(([k, v]) => [k, parseQuantity(v)]));

/** A container's requests and limits after LimitRange defaulting. */
export function effectiveResources(container: Container, limitRange: ReturnType<typeof limitRangeOf>): { requests: Amounts; limits: Amounts } {
  const limits = { ...limitRange.default, ...amounts(container.resources?.limits) };
  const requests = { ...amounts(container.resources?.requests) };
  for (const [resource, value] of Object.entries(amounts(container.resources?.limits))) if (requests[resource] === undefined) requests[resource] = value;
  for (const [resource, value] of Object.entries(limitRange.defaultRequest)) if (requests[resource] === undefined) requests[resource] = value;
  for (const [resource, value] of Object.entries(limits)) if (requests[resource] === undefined) requests[resource] = value;
  return { requests, limits };
}

/** A pod's requests and limits: max(largest init container, sum of containers) per resource. */
export function podResources(pod: ModeledPod, limitRange: ReturnType<typeof limitRangeOf>): { requests: Amounts; limits: Amounts } {
  const sum = (list: Container[], key: 'requests' | 'limits') => {
    const total: Amounts = {};
    for (const c of list) for (const [r, v] of Object.entries(effectiveResources(c, limitRange)[key])) total[r] = (total[r] ?? 0) + v;
    return total;
  };
  const maxInit = (key: 'requests' | 'limits') => {
    const total: Amounts = {};
    for (const c of pod.spec.initContainers ?? []) for (const [r, v] of Object.entries(effectiveResources(c, limitRange)[key])) total[r] = Math.max(total[r] ?? 0, v);
    return total;
  };
  const combine = (a: Amounts, b: Amounts) => {
    const out = { ...a };
    for (const [r, v] of Object.entries(b)) out[r] = Math.max(out[r] ?? 0, v);
    return out;
  };
  return { requests: combine(sum(pod.spec.containers ?? [], 'requests'), maxInit('requests')), limits: combine(sum(pod.spec.containers ?? [], 'limits'), maxInit('limits')) };
}

/** A quantity for messages: cores as given, bytes in Gi/Mi. */
export function formatAmount(resource: string, value: number): string {
  if (resource.includes('memory') || resource.includes('storage')) {
    return value >= 2 ** 30 ? `${+(value / 2 ** 30).toFixed(2)}Gi` : `${+(value / 2 ** 20).toFixed(0)}Mi`;
  }
  return `${+value.toFixed(3)}`;
}
