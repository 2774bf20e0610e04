/** Preflight results as a readable table for people and as JSON for CI. */
import { AzureClusterConfig } from './config';
import { CheckResult } from './check-result';
import { ToolFailure } from './errors';

/** The outcome for one cluster: its checks, or the failure that kept it from being checked. */
export interface ClusterOutcome {
  readonly cluster: string;
  readonly azure: AzureClusterConfig;
  readonly checks: readonly CheckResult[];
  readonly error?: ToolFailure;
}

export interface PreflightReport {
  readonly environment: string;
  readonly armEndpoint: string;
  readonly outcomes: readonly ClusterOutcome[];
  readonly exitCode: number;
}

const RESULT_TEXT = { pass: 'ok', fail: 'FAIL', warn: 'warn', skip: 'skip' } as const;

/** Counts of checks and errors over every cluster. */
export function summarize(outcomes: readonly ClusterOutcome[]) {
  const checks = outcomes.flatMap((o) => o.checks);
  return {
    passed: checks.filter((c) => c.status === 'pass').length,
    failed: checks.filter((c) => c.status === 'fail').length,
    warnings: checks.filter((c) => c.status === 'warn').length,
    skipped: checks.filter((c) => c.status === 'skip').length,
    errors: outcomes.filter((o) => o.error).length,
  };
}

/** The human form: per cluster a header, a table of checks, and a fix line under each failure or warning. */
export function formatTable(report: PreflightReport): string {
  const lines: string[] = [`Preflight of environment '${report.environment}' against ${report.armEndpoint}`];
  for (const outcome of report.outcomes) {
    const { azure } = outcome;
    lines.push('', `${outcome.cluster}: AKS cluster ${azure.name} (resource group ${azure.resourceGroup}, subscription ${azure.subscriptionId})`);
    if (outcome.error) {
      lines.push(`  ERROR: ${outcome.error.message}`);
      continue;
    }
    const header = ['CHECK', 'SUBJECT', 'RESULT', 'CLUSTER HAS', 'MANIFESTS NEED'];
    const rows = outcome.checks.map((c) => [c.check, c.subject, RESULT_TEXT[c.status], c.actual, c.expected]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const render = (cells: string[]) => `  ${cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`;
    lines.push(render(header));
    outcome.checks.forEach((check, i) => {
      lines.push(render(rows[i]));
      if (check.fix) lines.push(`      fix: ${check.fix}`);
    });
  }
  const s = summarize(report.outcomes);
  lines.push('', `${report.outcomes.length} cluster(s): ${s.passed} checks passed, ${s.failed} failed, ${s.warnings} warnings, ${s.skipped} skipped, ${s.errors} cluster(s) not checked; exit ${report.exitCode}`);
  return lines.join('\n');
}

/** The CI form: stable keys, one object. */
export function formatJson(report: PreflightReport): string {
  return JSON.stringify({
    environment: report.environment,
    armEndpoint: report.armEndpoint,
    ok: report.exitCode === 0,
    exitCode: report.exitCode,
    summary: summarize(report.outcomes),
    clusters: report.outcomes.map((o) => ({
      name: o.cluster,
      azure: { subscriptionId: o.azure.subscriptionId, resourceGroup: o.azure.resourceGroup, name: o.azure.name },
      status: o.error ? 'error' : o.checks.some((c) => c.status === 'fail') ? 'fail' : 'pass',
      ...(o.error ? { error: { kind: o.error.kind, exitCode: o.error.exitCode, message: o.error.message } } : {}),
      checks: o.checks,
    })),
  }, null, 2);
}
