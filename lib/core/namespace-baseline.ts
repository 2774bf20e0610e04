import { Construct } from 'constructs';
import { isQuantity } from './quantity';
import * as k8s from './k8s';
import { NAMESPACE_NAME_LABEL, POD_SECURITY_REASON_ANNOTATION } from './labels';

/** Pod Security Admission levels, each value the exact label value. */
export enum PodSecurityLevel {
  /** Heavily restricted; current pod hardening best practice. The default. */
  RESTRICTED = 'restricted',
  /** Prevents known privilege escalations; allows the default pod configuration. */
  BASELINE = 'baseline',
  /** Unrestricted; for system-level workloads such as hostNetwork daemons. */
  PRIVILEGED = 'privileged',
}

/** CPU and memory quantities. */
export interface CpuMemory {
  /** CPU quantity, such as `500m`. */
  readonly cpu: string;
  /** Memory quantity, such as `1Gi`. */
  readonly memory: string;
}

/** Defaults and bounds for containers that set no resources (rendered as a LimitRange). */
export interface ContainerDefaults {
  /** Request given to containers that set none. */
  readonly request: CpuMemory;
  /** Limit given to containers that set none. */
  readonly limit: CpuMemory;
  /**
   * Upper bound for any container.
   * @default - no maximum
   */
  readonly max?: CpuMemory;
}

/** Properties for `NamespaceBaseline`. */
export interface NamespaceBaselineProps {
  /** Name of the namespace (a DNS label). */
  readonly name: string;
  /** ResourceQuota `spec.hard`, keyed as in Kubernetes (`requests.cpu`, `pods`, ...). */
  readonly quota: { readonly [resource: string]: string | number };
  /** Container defaults rendered as a LimitRange. */
  readonly containerDefaults: ContainerDefaults;
  /**
   * Pod Security Admission level enforced on the namespace.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurityLevel?: PodSecurityLevel;
  /**
   * Why the namespace needs a level below restricted; required when `podSecurityLevel` is not restricted.
   * @default - none (only valid with the restricted level)
   */
  readonly podSecurityReason?: string;
  /**
   * Pod Security Standards version the level refers to, such as `v1.31` (pin it to the cluster's minor so an
   * upgrade never tightens admission by surprise).
   * @default 'latest'
   */
  readonly podSecurityVersion?: string;
  /**
   * Extra labels on the Namespace.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
}

/**
 * A namespace with the platform baseline: Pod Security Admission labels (restricted unless a reason is
 * given), a default-deny NetworkPolicy for ingress and egress plus a DNS egress allowance, a ResourceQuota
 * and a LimitRange.
 *
 * Workloads open exactly the traffic they need with their own NetworkPolicies on top of the default deny.
 */
export class NamespaceBaseline extends Construct {
  /** The Namespace object (the default child). */
  public readonly resource: k8s.KubeNamespace;
  /** Name of the namespace. */
  public readonly name: string;
  /** The Pod Security level that is enforced. */
  public readonly podSecurityLevel: PodSecurityLevel;
  /** Denies all ingress and egress that no other policy allows. */
  public readonly defaultDeny: k8s.KubeNetworkPolicy;
  /** Allows DNS lookups against the cluster DNS. */
  public readonly allowDns: k8s.KubeNetworkPolicy;
  /** The ResourceQuota. */
  public readonly quota: k8s.KubeResourceQuota;
  /** The LimitRange. */
  public readonly limitRange: k8s.KubeLimitRange;

  constructor(scope: Construct, id: string, props: NamespaceBaselineProps) {
    super(scope, id);
    this.name = props.name;
    this.podSecurityLevel = props.podSecurityLevel ?? PodSecurityLevel.RESTRICTED;
    this.validateProps(id, props);

    const version = props.podSecurityVersion ?? 'latest';
    this.resource = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': this.podSecurityLevel,
          'pod-security.kubernetes.io/enforce-version': version,
          // audit and warn always at restricted: a relaxed namespace still reports what it relies on.
          'pod-security.kubernetes.io/audit': PodSecurityLevel.RESTRICTED,
          'pod-security.kubernetes.io/audit-version': version,
          'pod-security.kubernetes.io/warn': PodSecurityLevel.RESTRICTED,
          'pod-security.kubernetes.io/warn-version': version,
        },
        annotations: props.podSecurityReason ? { [POD_SECURITY_REASON_ANNOTATION]: props.podSecurityReason } : undefined,
      },
    });

    const namespace = props.name;
    this.defaultDeny = new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny-all', namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    this.allowDns = new k8s.KubeNetworkPolicy(this, 'allow-dns', {
      metadata: { name: 'allow-dns-egress', namespace },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          }],
          ports: [
            { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
            { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
          ],
        }],
      },
    });
    this.quota = new k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: 'namespace-quota', namespace },
      spec: { hard: Object.fromEntries(Object.entries(props.quota).map(([key, value]) => [key, toQuantity(value)])) },
    });
    const defaults = props.containerDefaults;
    this.limitRange = new k8s.KubeLimitRange(this, 'limits', {
      metadata: { name: 'container-defaults', namespace },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: cpuMemory(defaults.request),
          default: cpuMemory(defaults.limit),
          max: defaults.max ? cpuMemory(defaults.max) : undefined,
        }],
      },
    });
  }

  private validateProps(id: string, props: NamespaceBaselineProps): void {
    const prefix = `NamespaceBaseline '${id}'`;
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.name)) {
      throw new Error(`${prefix}: 'name' ("${props.name}") must be a DNS label: lowercase letters, digits and '-', at most 63 characters`);
    }
    if (this.podSecurityLevel !== PodSecurityLevel.RESTRICTED && !props.podSecurityReason) {
      throw new Error(`${prefix}: 'podSecurityLevel' (${this.podSecurityLevel}) needs a 'podSecurityReason' that says why restricted is not enough`);
    }
    const quantities = [
      ...Object.entries(props.quota).map(([key, value]) => [`quota.${key}`, String(value)]),
      ...(['request', 'limit', 'max'] as const).flatMap((kind) => {
        const pair = props.containerDefaults[kind];
        return pair ? [[`containerDefaults.${kind}.cpu`, pair.cpu], [`containerDefaults.${kind}.memory`, pair.memory]] : [];
      }),
    ];
    for (const [prop, value] of quantities) {
      if (!isQuantity(value)) {
        throw new Error(`${prefix}: '${prop}' ("${value}") is not a Kubernetes quantity; use a value such as 500m, 2 or 16Gi`);
      }
    }
  }
}

function toQuantity(value: string | number): k8s.Quantity {
  return typeof value === 'number' ? k8s.Quantity.fromNumber(value) : k8s.Quantity.fromString(value);
}

function cpuMemory(pair: CpuMemory): { [key: string]: k8s.Quantity } {
  return { cpu: k8s.Quantity.fromString(pair.cpu), memory: k8s.Quantity.fromString(pair.memory) };
}

