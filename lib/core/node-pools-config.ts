/** AKS node pools: the scheduling facts (labels, taints, GPUs, scale limits) manifests depend on. */
import { Closed, NameMap, Pattern, StringEnum, Type, Static } from '../config/schema-helpers';

/** AKS taint syntax, `key=value:Effect`, as `az aks nodepool add --node-taints` takes it. */
export const TAINT_PATTERN = '^([a-zA-Z0-9][-a-zA-Z0-9_./]*)=([-a-zA-Z0-9_.]*):(NoSchedule|PreferNoSchedule|NoExecute)$';

export const NodePoolSchema = Closed({
  mode: StringEnum(['System', 'User'] as const, 'AKS pool mode: System (runs kube-system) or User'),
  vmSize: Pattern('^Standard_[A-Za-z0-9_]+$', 'Azure VM size such as Standard_D4s_v5'),
  minCount: Type.Integer({ minimum: 0, maximum: 1000, description: 'autoscaler minimum node count (0 lets a User pool scale to zero)' }),
  maxCount: Type.Integer({ minimum: 1, maximum: 1000, description: 'autoscaler maximum node count' }),
  labels: Type.Optional(Type.Record(Type.String({ pattern: '^([a-z0-9.-]+/)?[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$' }), Type.String({ maxLength: 63 }), {
    additionalProperties: false,
    description: 'extra node labels set on the pool (the agentpool label is always there)',
  })),
  taints: Type.Optional(Type.Array(Pattern(TAINT_PATTERN, 'an AKS node taint key=value:Effect, such as sku=gpu:NoSchedule'), {
    description: 'node taints set on the pool',
  })),
  gpusPerNode: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, description: 'NVIDIA GPUs per node (nvidia.com/gpu); set only on GPU pools' })),
}, { description: 'an AKS node pool' });

/** AKS pool names: lowercase letters and digits, starting with a letter, at most 12 characters (Linux pools). */
export const NodePoolsSchema = NameMap(NodePoolSchema, '^[a-z][a-z0-9]{0,11}$', 'AKS node pool names (a lowercase letter, then up to 11 lowercase letters or digits)');

export type NodePoolConfig = Static<typeof NodePoolSchema>;
