import { Format, Options } from 'ajv';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** RFC 3339 date-time, as Kubernetes `metav1.Time` serialises it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Formats the validator checks; any other format (ipv4, uri, double, ...) is accepted unchecked. */
const FORMATS: Readonly<Record<string, Format>> = {
  'int32': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX },
  'int64': { type: 'number', validate: (n: number) => Number.isInteger(n) },
  'date-time': { type: 'string', validate: (s: string) => DATE_TIME.test(s) },
  'byte': { type: 'string', validate: (s: string) => BASE64.test(s) },
};

/**
 * Options of the ajv instance used for the generated strict schemas: all errors, no strict mode (so
 * leftover OpenAPI keywords and unknown formats never throw), non-unicode regexps (closer to Go RE2
 * patterns), and no meta-schema validation (the schemas are generated). Defaults are applied separately
 * (see applyDefaults): ajv's `useDefaults` runs after `oneOf`/`anyOf`, too late for rules that rely on them.
 */
export const AJV_OPTIONS: Readonly<Options> = {
  allErrors: true,
  strict: false,
  logger: false,
  unicodeRegExp: false,
  validateSchema: false,
  formats: FORMATS,
};
