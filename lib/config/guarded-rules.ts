/**
 * Runs the semantic rules on a config that failed the schema check, so that schema and rule problems are
 * reported together. The rules see the data through a guard: reading a part the schema check reported (a
 * missing key, a value of the wrong type or form) throws, the rule is skipped for that cluster, and every other
 * rule (and the same rule on other clusters) still runs. A rule never sees a value the schema did not accept.
 */
import type { ConfigIssue } from './issues';
import type { ConfigRule, RuleViolation } from './rules';
import type { PlatformConfig } from './schema';
import type { ConfigPath } from './yaml-positions';

/** Thrown by the guard when a rule reads a part of the config that the schema check reported. */
class InvalidPartRead extends Error {}

const key = (path: ConfigPath) => JSON.stringify(path);

/** True when `path` is `prefix` or below it. */
export function isWithin(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => String(part) === String(path[i]));
}

/** A read-only view of `data` that throws when a rule reads one of the `broken` paths (or below them). */
function guard(data: unknown, path: ConfigPath, broken: ReadonlySet<string>): unknown {
  if (typeof data !== 'object' || data === null) return data;
  return new Proxy(data as object, {
    get(target, property, receiver) {
      if (typeof property === 'symbol') return Reflect.get(target, property, receiver);
      const child = [...path, Array.isArray(target) && /^[0-9]+$/.test(property) ? Number(property) : property];
      if (broken.has(key(child))) throw new InvalidPartRead(key(child));
      const value = Reflect.get(target, property, receiver);
      if (!Object.prototype.hasOwnProperty.call(target, property)) return value;
      return guard(value, child, broken);
    },
    set: () => false,
    deleteProperty: () => false,
  });
}

/**
 * The violations `rules` find in data that failed the schema check with `schemaIssues`. A rule that reads a
 * reported part is skipped (per cluster where possible); violations at or below a reported path are dropped
 * (the schema problem already explains them).
 */
export function runRulesOnInvalidData(rules: readonly ConfigRule[], data: unknown, schemaIssues: readonly ConfigIssue[]): RuleViolation[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const brokenPaths = schemaIssues.map((issue) => issue.path);
  const broken = new Set(brokenPaths.map(key));
  if (broken.has(key([]))) return [];
  const root = guard(data, [], broken) as PlatformConfig;
  const found = new Map<string, RuleViolation>();
  const keep = (violations: readonly RuleViolation[]) => {
    for (const violation of violations) {
      if (brokenPaths.some((path) => isWithin(violation.path, path))) continue;
      found.set(`${key(violation.path)} ${violation.message}`, violation);
    }
  };
  for (const rule of rules) {
    try {
      keep(rule(root));
      continue;
    } catch {
      // Usually InvalidPartRead; any other failure on invalid data is treated the same way (the schema
      // problems are reported anyway, and a valid config runs the rules unguarded).
    }
    // The rule read a reported part: run it on each cluster alone, so the clusters without problems still count.
    let clusterNames: string[];
    try {
      clusterNames = Object.keys(root.clusters);
    } catch {
      continue;
    }
    for (const name of clusterNames) {
      try {
        keep(rule(singleClusterView(root, name)));
      } catch {
        // this rule cannot judge this cluster until its schema problems are fixed
      }
    }
  }
  return [...found.values()];
}

/** The config as a rule would see it if `name` were its only cluster (top-level parts read lazily). */
function singleClusterView(root: PlatformConfig, name: string): PlatformConfig {
  const view: Record<string, unknown> = {};
  for (const property of Object.keys(root)) {
    Object.defineProperty(view, property, {
      enumerable: true,
      get: () => (property === 'clusters' ? { [name]: root.clusters[name] } : (root as unknown as Record<string, unknown>)[property]),
    });
  }
  return view as unknown as PlatformConfig;
}
