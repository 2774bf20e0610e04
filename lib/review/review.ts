/** The dist/ review: read both versions, compare object by object, run the risk rules. */
import { compareText } from '../core/sort';
import { defaultBase, locateRepository, readFilesAtCommit, readFilesInWorkTree, resolveCommit } from './dist-source';
import { diffFields } from './field-diff';
import { buildObjectSet } from './object-set';
import { RISK_RULES } from './rules';
import { DiffReport, ObjectChange, ObjectSet, ReviewContext, Risk, riskRank, RiskRule } from './types';

/** Compares two versions of dist/ and runs the rules on every change; changes sorted by identity. */
export function compareObjectSets(base: ObjectSet, head: ObjectSet, rules: readonly RiskRule[] = RISK_RULES): ObjectChange[] {
  const context: ReviewContext = { base, head };
  const keys = [...new Set([...base.keys(), ...head.keys()])].sort(compareText);
  const changes: ObjectChange[] = [];
  for (const key of keys) {
    const before = base.get(key);
    const after = head.get(key);
    let change: Omit<ObjectChange, 'risks'>;
    if (before === undefined && after !== undefined) {
      change = { type: 'added', ref: after.ref, head: after, fields: [] };
    } else if (after === undefined && before !== undefined) {
      change = { type: 'removed', ref: before.ref, base: before, fields: [] };
    } else if (before !== undefined && after !== undefined) {
      const fields = diffFields(before.obj, after.obj);
      if (fields.length === 0 && before.folder === after.folder) continue;
      change = { type: 'changed', ref: after.ref, base: before, head: after, fields };
    } else {
      continue;
    }
    const withoutRisks: ObjectChange = { ...change, risks: [] };
    const risks = rules.flatMap((rule) => rule.check(withoutRisks, context)).sort(compareRisks);
    changes.push({ ...change, risks });
  }
  return changes;
}

/** Most severe first, then by rule and reason (deterministic). */
export function compareRisks(a: Risk, b: Risk): number {
  return riskRank(b.level) - riskRank(a.level) || compareText(a.rule, b.rule) || compareText(a.reason, b.reason);
}

/** Options of a review run. */
export interface ReviewOptions {
  /** A directory inside the git work tree whose `dist/` is reviewed (the project root). */
  readonly projectDir: string;
  /** The base ref; default: the merge base of HEAD with the default branch. */
  readonly base?: string;
  /** The folder reviewed, relative to projectDir. @default 'dist' */
  readonly dist?: string;
  /** Environment for the default branch lookup (GITHUB_BASE_REF). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Reviews the working tree's dist/ against the base: every changed object and its risks. */
export function reviewDist(options: ReviewOptions): DiffReport {
  const { root, prefix } = locateRepository(options.projectDir);
  const distPath = [prefix, options.dist ?? 'dist'].filter((p) => p !== '').join('/');
  const base = options.base === undefined
    ? defaultBase(root, options.env)
    : { ref: options.base, commit: resolveCommit(root, options.base) };
  const baseSet = buildObjectSet(readFilesAtCommit(root, base.commit, distPath), distPath);
  const headSet = buildObjectSet(readFilesInWorkTree(root, distPath), distPath);
  return { base, head: 'working tree', changes: compareObjectSets(baseSet, headSet) };
}
