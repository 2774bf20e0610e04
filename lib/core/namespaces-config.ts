/** Namespaces and their baseline: Pod Security level, quota and container defaults. */
import { Closed, NameMap, Quantity, StringEnum, Type, Static } from '../config/schema-helpers';
import { NAME_RULES, nameKeyDescription } from './names';

export const POD_SECURITY_LEVELS = ['restricted', 'baseline', 'privileged'] as const;

const PodSecuritySchema = Closed({
  level: StringEnum(POD_SECURITY_LEVELS, 'Pod Security Admission level to enforce'),
  reason: Type.Optional(Type.String({ minLength: 10, description: 'why this namespace needs a level below restricted (required unless level is restricted)' })),
}, { description: 'Pod Security Admission settings' });

/** The quota keys we support, named exactly as in ResourceQuota `spec.hard`. */
export const QuotaSchema = Closed({
  'requests.cpu': Type.Optional(Quantity('total CPU requests')),
  'requests.memory': Type.Optional(Quantity('total memory requests')),
  'limits.cpu': Type.Optional(Quantity('total CPU limits')),
  'limits.memory': Type.Optional(Quantity('total memory limits')),
  'requests.nvidia.com/gpu': Type.Optional(Quantity('total NVIDIA GPU requests')),
  'requests.storage': Type.Optional(Quantity('total storage requested by PersistentVolumeClaims')),
  'persistentvolumeclaims': Type.Optional(Type.Integer({ minimum: 0, description: 'number of PersistentVolumeClaims' })),
  'pods': Type.Optional(Type.Integer({ minimum: 0, description: 'number of pods' })),
  'services': Type.Optional(Type.Integer({ minimum: 0, description: 'number of Services' })),
  'services.loadbalancers': Type.Optional(Type.Integer({ minimum: 0, description: 'number of Services of type LoadBalancer' })),
}, { description: 'ResourceQuota hard limits, keyed as in ResourceQuota spec.hard' });

const CpuMemorySchema = Closed({
  cpu: Quantity('CPU'),
  memory: Quantity('memory'),
}, { description: 'a CPU and memory pair' });

/** Defaults and bounds for containers that set no resources of their own (a LimitRange). */
export const ContainerDefaultsSchema = Closed({
  request: CpuMemorySchema,
  limit: CpuMemorySchema,
  max: Type.Optional(CpuMemorySchema),
}, { description: 'LimitRange defaults for containers: default request, default limit, optional maximum' });

export const NamespaceSchema = Closed({
  podSecurity: Type.Optional(PodSecuritySchema),
  quota: Type.Optional(QuotaSchema),
  containerDefaults: Type.Optional(ContainerDefaultsSchema),
  labels: Type.Optional(Type.Record(Type.String({ pattern: '^([a-z0-9.-]+/)?[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$' }), Type.String({ maxLength: 63 }), {
    additionalProperties: false,
    description: 'extra labels on the Namespace object',
  })),
}, { description: 'a namespace; missing settings come from the cluster namespaceDefaults' });

export const NamespaceDefaultsSchema = Closed({
  quota: QuotaSchema,
  containerDefaults: ContainerDefaultsSchema,
}, { description: 'quota and container defaults for every namespace that does not set its own' });

export const NamespacesSchema = NameMap(NamespaceSchema, NAME_RULES.dns1123Label.pattern, nameKeyDescription('namespace names', 'a Namespace', { ...NAME_RULES.dns1123Label, objectKind: 'Namespace' }));

export type PodSecurityLevel = typeof POD_SECURITY_LEVELS[number];
export type QuotaConfig = Static<typeof QuotaSchema>;
export type ContainerDefaultsConfig = Static<typeof ContainerDefaultsSchema>;
export type NamespaceConfig = Static<typeof NamespaceSchema>;
export type NamespaceDefaultsConfig = Static<typeof NamespaceDefaultsSchema>;
