/**
 * The name rules of the objects config names become, in one table used three ways: as the key patterns of the
 * config schema (so a bad name is a config error with file and line that names the object kind imposing the
 * limit), by the constructs' own checks, and in tests. Sources: Kubernetes validation
 * (apimachinery `IsDNS1123Label`, `IsDNS1035Label`, `IsDNS1123Subdomain`; Service names are validated with
 * `ValidateServiceName` = DNS-1035 label, k8s.io/kubernetes pkg/apis/core/validation), and KServe's own limit on
 * InferenceService names (DNS-1035, at most 45 characters: the controller derives longer names from it;
 * kserve pkg/webhook/admission/inferenceservice `validateInferenceServiceName`, checked in lib/serving/kserve-model.ts).
 */

/** One naming rule: the regular expression and the words a message uses for it, with the object kind behind it. */
export interface NameRule {
  /** Kind(s) of object whose name this is, for messages ("a Service name"). */
  readonly objectKind: string;
  readonly pattern: string;
  /** What the rule means, in words. */
  readonly text: string;
}

export const NAME_RULES = {
  /** Most namespaced objects and Namespaces themselves (RFC 1123 label). */
  dns1123Label: {
    objectKind: 'Kubernetes object',
    pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
    text: "a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  },
  /** Service names (RFC 1035 label: must start with a letter). */
  service: {
    objectKind: 'Service',
    pattern: '^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$',
    text: "a DNS-1035 label, as Kubernetes requires of Service names: a lowercase letter first, then lowercase letters, digits and '-', ending with a letter or digit, at most 63 characters",
  },
  /** KServe InferenceService names. */
  inferenceService: {
    objectKind: 'KServe InferenceService',
    pattern: '^[a-z]([-a-z0-9]{0,43}[a-z0-9])?$',
    text: "a DNS-1035 label of at most 45 characters, as KServe requires of InferenceService names: a lowercase letter first, then lowercase letters, digits and '-', ending with a letter or digit",
  },
  /** Names of objects such as PersistentVolumeClaims, Secrets and ServiceAccounts (RFC 1123 subdomain). */
  dns1123Subdomain: {
    objectKind: 'Kubernetes object',
    pattern: '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    text: "a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters",
  },
} as const satisfies Record<string, NameRule>;

/** Why `name` breaks `rule` (`("x") must be ...`, naming the object kind), or undefined when it is valid. */
export function nameProblem(rule: NameRule, name: string): string | undefined {
  return new RegExp(rule.pattern).test(name) ? undefined : `("${name}") must be ${rule.text}`;
}

/** The schema description of a map whose keys become names under `rule`. */
export function nameKeyDescription(what: string, becomes: string, rule: NameRule): string {
  return `${what} (each becomes ${becomes}, so it must be ${rule.text})`;
}
