/**
 * Small building blocks for the platform config schema.
 *
 * The schema is written once with TypeBox: the same definition gives the TypeScript types
 * (`Static<typeof X>`), the JSON Schema published for editors (`config/platform.schema.json`) and
 * the runtime check (ajv). Every object is closed (`additionalProperties: false`) so a typo in a
 * key is an error, and every string rule carries a human sentence in `description`, which the
 * error formatter shows as "expected ...".
 */
import { Type, TSchema, TObject, TProperties, ObjectOptions, StringOptions, Static, TUnsafe } from '@sinclair/typebox';

/** A closed object: unknown keys are rejected. */
export function Closed<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** A string restricted to a fixed set of values, emitted as a plain JSON Schema `enum`. */
export function StringEnum<T extends readonly string[]>(values: T, description: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], description });
}

/** A string with a pattern; `description` says in words what the pattern means. */
export function Pattern(pattern: string, description: string, options: StringOptions = {}) {
  return Type.String({ pattern, description, ...options });
}

/** Regular expression of a Kubernetes DNS label (RFC 1123), as used for namespaces and most names. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';

/** A Kubernetes DNS label (RFC 1123): lowercase letters, digits and '-', at most 63 characters. */
export const DnsLabel = (description = 'a DNS label: lowercase letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters') =>
  Pattern(DNS_LABEL_PATTERN, description);

/** A GUID such as an Azure tenant, subscription or client ID. */
export const Guid = (description: string) =>
  Pattern('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', `${description}, a GUID such as 00000000-0000-0000-0000-000000000000`);

/** A Kubernetes resource quantity ("500m", "2", "16Gi"). */
export const Quantity = (description: string) =>
  Pattern('^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$', `${description}: a Kubernetes quantity such as 500m, 2, 512Mi or 16Gi`);

/**
 * A container image reference: registry/path with a tag, a digest, or both (`app:1.2.0`, `app@sha256:<64 hex>`,
 * `app:1.2.0@sha256:<64 hex>`, the last pinning the exact image while the tag stays readable). The container
 * runtime pulls by digest when one is given (the tag is then informational).
 */
export const IMAGE_REFERENCE_PATTERN = '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][-A-Za-z0-9_.]{0,127}(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$';

/** A container image pinned by tag, by digest (opt-in, `@sha256:`) or by both. */
export const ContainerImage = (description: string) => Pattern(IMAGE_REFERENCE_PATTERN,
  `${description}: a container image pinned to a tag or digest (or both), such as example.azurecr.io/app:1.2.0 or example.azurecr.io/app:1.2.0@sha256:<64 hex digits>`);

/** An https URL. */
export const HttpsUrl = (description: string) => Pattern('^https://[^\\s]+$', `${description}: an https:// URL`);

/**
 * Environment variables read from Secrets created outside dist/ (`secretKeyRef`): the way to give a container a
 * secret without writing it into the generated output.
 */
export const SecretEnv = (description: string) => Type.Record(
  Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
  Closed({
    secretName: Pattern('^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$', 'name of a Secret in the same namespace, created outside dist/'),
    key: Pattern('^[-._a-zA-Z0-9]+$', 'key of the value in the Secret'),
  }, { description: 'a Secret key reference' }),
  { additionalProperties: false, description },
);

/**
 * A map keyed by name, for things that must be unique by name (clusters, namespaces, node pools).
 * Keys must match `keyPattern`; a key that does not is reported as an invalid name.
 */
export function NameMap<T extends TSchema>(value: T, keyPattern: string, keyDescription: string) {
  return Type.Record(Type.String({ pattern: keyPattern }), value, {
    additionalProperties: false,
    description: `a map whose keys are ${keyDescription}`,
  });
}

export { Type, Static };
