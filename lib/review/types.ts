/** The vocabulary of the dist/ review: objects, their changes, and the risks found in them. */
import { JsonObject, JsonValue } from '../validation/json';

/** How much a reviewer should worry about a change; ordered. */
export type RiskLevel = 'info' | 'warning' | 'danger';

/** Levels from least to most severe. */
export const RISK_LEVELS: readonly RiskLevel[] = ['info', 'warning', 'danger'];

/** The rank of a level (info 0, warning 1, danger 2), for comparisons. */
export function riskRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

/** True for the names of the levels (to check command-line input). */
export function isRiskLevel(text: string): text is RiskLevel {
  return (RISK_LEVELS as readonly string[]).includes(text);
}

/**
 * Identity of an object across two versions of dist/: environment + cluster + API group + kind + namespace + name.
 * The API version is not part of it (v1beta1 -> v1 of the same object is a change, not a rename).
 */
export interface ObjectRef {
  readonly environment: string;
  readonly cluster: string;
  /** API group, '' for the core group. */
  readonly group: string;
  readonly kind: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
}

/** One object of one version of dist/, with where it was found. */
export interface ManifestObject {
  readonly ref: ObjectRef;
  /** The identity as one string (see objectKey). */
  readonly key: string;
  /** The file, relative to the repository root (e.g. dist/example/serving/workloads/x.yaml). */
  readonly file: string;
  /** The folder holding the file, relative to the repository root: what one Flux Kustomization applies. */
  readonly folder: string;
  /** The delivery layer folder name (operators, platform, workloads, workloads-2, ...), '' when not that deep. */
  readonly layer: string;
  readonly obj: JsonObject;
}

/** One changed field: `old`/`new` undefined when the field was added/removed. */
export interface FieldChange {
  /** Dotted path; list items by key (`containers[name=app]`) or index (`args[2]`). */
  readonly path: string;
  readonly old?: JsonValue;
  readonly new?: JsonValue;
}

/** One finding of a risk rule. */
export interface Risk {
  readonly level: RiskLevel;
  /** The rule id (kebab-case), e.g. `prune-deletes-data`. */
  readonly rule: string;
  /** One line: what will happen on the cluster and why. */
  readonly reason: string;
}

/** What happened to one object between base and head. */
export interface ObjectChange {
  readonly type: 'added' | 'removed' | 'changed';
  readonly ref: ObjectRef;
  readonly base?: ManifestObject;
  readonly head?: ManifestObject;
  /** Field changes (empty for added/removed objects). */
  readonly fields: readonly FieldChange[];
  /** The risks the rules found, most severe first. */
  readonly risks: readonly Risk[];
}

/** All objects of one version of dist/, by identity key. */
export type ObjectSet = ReadonlyMap<string, ManifestObject>;

/** The two versions compared, for rules that need more than the changed object (Flux coverage, quota usage). */
export interface ReviewContext {
  readonly base: ObjectSet;
  readonly head: ObjectSet;
}

/** A risk rule: looks at one change (and the context) and returns its findings. */
export interface RiskRule {
  readonly id: string;
  /** One line for the docs: what the rule flags. */
  readonly summary: string;
  check(change: ObjectChange, context: ReviewContext): Risk[];
}

/** The result of a review. */
export interface DiffReport {
  /** What the base is: the ref as given and the commit it resolved to. */
  readonly base: { readonly ref: string; readonly commit: string };
  /** What the head is ('working tree' or a ref). */
  readonly head: string;
  readonly changes: readonly ObjectChange[];
}

/** Looks up `path` in a JSON value; undefined when any step is missing. */
export function getPath(value: JsonValue | undefined, path: readonly (string | number)[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const step of path) {
    if (current === undefined || current === null) return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (typeof current !== 'object' || Array.isArray(current)) return undefined;
      current = (current as JsonObject)[step];
    }
  }
  return current;
}
