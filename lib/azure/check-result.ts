/** The outcome of one preflight check: what the cluster has, what the manifests need, and how to fix it. */

/** `fail` makes preflight exit non-zero; `warn` is shown but does not; `skip` says why a check did not apply. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  /** Check id, such as `oidc-issuer` or `pool-taints`. */
  readonly check: string;
  /** What was checked: `cluster` or `pool <name>`. */
  readonly subject: string;
  readonly status: CheckStatus;
  /** What the cluster has. */
  readonly actual: string;
  /** What the manifests (the config they are generated from) need. */
  readonly expected: string;
  /** How to fix a failure or warning. */
  readonly fix?: string;
}

/** Builds a result that passes when `ok`, and otherwise fails (or warns) with the fix. */
export function result(check: string, subject: string, ok: boolean, actual: string, expected: string, fix: string, failStatus: CheckStatus = 'fail'): CheckResult {
  return ok ? { check, subject, status: 'pass', actual, expected } : { check, subject, status: failStatus, actual, expected, fix };
}

/** `a, b` or `(none)`. */
export function listText(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.join(', ');
}
