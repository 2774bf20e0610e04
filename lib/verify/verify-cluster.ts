/** Runs the rules on clusters, sets accepted faults apart, and formats the report. */
import { ClusterFacts, VerifiedCluster, VerifyFault, VerifyResult, VerifyRule } from './types';
import { VERIFY_RULES } from './rules';

/** Runs `rules` on one cluster; faults matching an accepted entry (rule + object) are set apart, not dropped. */
export function verifyCluster(cluster: VerifiedCluster, rules: readonly VerifyRule[] = VERIFY_RULES): VerifyResult {
  const found = dedupe(rules.flatMap((rule) => rule(cluster)));
  const accepted: (VerifyFault & { reason: string })[] = [];
  const faults: VerifyFault[] = [];
  const used = new Set<number>();
  for (const f of found) {
    const index = cluster.facts.acceptedFaults.findIndex((a) => a.rule === f.rule && a.object === f.object);
    if (index >= 0) {
      used.add(index);
      accepted.push({ ...f, reason: cluster.facts.acceptedFaults[index].reason });
    } else {
      faults.push(f);
    }
  }
  const unusedAcceptances = cluster.facts.acceptedFaults.filter((_, i) => !used.has(i));
  return { faults, accepted, unusedAcceptances };
}

function dedupe(faults: VerifyFault[]): VerifyFault[] {
  const seen = new Set<string>();
  return faults.filter((f) => {
    const key = `${f.rule}|${f.folder}|${f.object}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One fault as report lines. */
export function formatFault(f: VerifyFault): string {
  return `  ${f.environment}/${f.cluster} ${f.folder} ${f.object} [${f.rule}]: ${f.message}\n      upstream: ${f.upstream}\n      fix: ${f.fix}`;
}

/** The report of several clusters: faults, then accepted faults, then stale acceptances. */
export function formatReport(results: readonly { facts: ClusterFacts; result: VerifyResult }[]): string {
  const faults = results.flatMap((r) => r.result.faults);
  const accepted = results.flatMap((r) => r.result.accepted);
  const stale = results.flatMap((r) => r.result.unusedAcceptances.map((a) => ({ facts: r.facts, a })));
  const lines: string[] = [];
  if (faults.length > 0) {
    lines.push(`The verifier found ${faults.length} fault(s): these clusters would not come up as generated.`);
    lines.push(...faults.map(formatFault));
  }
  if (stale.length > 0) {
    lines.push(`${stale.length} accepted fault(s) match no fault; remove them from the config:`);
    lines.push(...stale.map(({ facts, a }) => `  ${facts.environment}/${facts.cluster}: clusters.${facts.cluster}.acceptedFaults: rule ${a.rule}, object ${a.object}`));
  }
  if (accepted.length > 0) {
    lines.push(`${accepted.length} fault(s) accepted by the config:`);
    lines.push(...accepted.map((f) => `  ${f.environment}/${f.cluster} ${f.folder} ${f.object} [${f.rule}]: ${f.message}\n      accepted because: ${f.reason}`));
  }
  return lines.join('\n');
}

/** Thrown by synth when a cluster has faults (or stale acceptances): nothing is written. */
export class VerifyError extends Error {
  constructor(public readonly report: string, public readonly faults: readonly VerifyFault[]) {
    super(report);
    this.name = 'VerifyError';
  }
}
