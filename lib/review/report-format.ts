/** Renders a review as text (terminal), markdown (pull-request comment) or JSON (tools). */
import { compareText } from '../core/sort';
import { shortValue } from './field-diff';
import { describeObject } from './object-set';
import { DiffReport, ObjectChange, Risk, RISK_LEVELS, RiskLevel, riskRank } from './types';

/** The output formats of `npm run diff`. */
export type ReportFormat = 'text' | 'markdown' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'markdown', 'json'];

/** Marks the pull-request comment the CI workflow finds and updates. */
export const COMMENT_MARKER = '<!-- ml-platform-manifests:dist-review -->';

const MARKDOWN_FIELDS_PER_OBJECT = 40;

interface ClusterGroup {
  readonly environment: string;
  readonly cluster: string;
  readonly changes: readonly ObjectChange[];
}

function groups(report: DiffReport): ClusterGroup[] {
  const byCluster = new Map<string, ObjectChange[]>();
  for (const change of report.changes) {
    const key = `${change.ref.environment}\0${change.ref.cluster}`;
    byCluster.set(key, [...(byCluster.get(key) ?? []), change]);
  }
  return [...byCluster.entries()].sort(([a], [b]) => compareText(a, b)).map(([key, changes]) => {
    const [environment, cluster] = key.split('\0');
    return { environment, cluster, changes };
  });
}

function counts(changes: readonly ObjectChange[]): string {
  const n = (type: ObjectChange['type']): number => changes.filter((c) => c.type === type).length;
  return `${n('added')} added, ${n('removed')} removed, ${n('changed')} changed`;
}

/** The most severe risk level of the report, undefined without risks. */
export function highestRisk(report: DiffReport): RiskLevel | undefined {
  const ranks = report.changes.flatMap((c) => c.risks.map((r) => riskRank(r.level)));
  return ranks.length === 0 ? undefined : RISK_LEVELS[Math.max(...ranks)];
}

function riskCounts(report: DiffReport): string {
  const all = report.changes.flatMap((c) => c.risks);
  return [...RISK_LEVELS].reverse().map((level) => `${all.filter((r) => r.level === level).length} ${level}`).join(', ');
}

function clusterName(group: { environment: string; cluster: string }): string {
  return `${group.environment || '(no environment)'}/${group.cluster || '(no cluster)'}`;
}

function layerNote(change: ObjectChange): string {
  if (change.base !== undefined && change.head !== undefined && change.base.folder !== change.head.folder) {
    return `${change.base.layer || change.base.folder} → ${change.head.layer || change.head.folder}`;
  }
  return (change.head ?? change.base)?.layer ?? '';
}

function fieldLine(field: ObjectChange['fields'][number]): string {
  return `${field.path}: ${shortValue(field.old)} → ${shortValue(field.new)}`;
}

const MARKS: Readonly<Record<ObjectChange['type'], string>> = { added: '+', removed: '-', changed: '~' };

/** Plain text for a terminal. */
export function formatText(report: DiffReport): string {
  const lines = [
    `dist/ review: ${report.base.ref} (${report.base.commit.slice(0, 12)}) → ${report.head}`,
    `${counts(report.changes)}; risks: ${riskCounts(report)}`,
  ];
  for (const group of groups(report)) {
    lines.push('', `${clusterName(group)}: ${counts(group.changes)}`);
    for (const change of group.changes) {
      lines.push(`  ${MARKS[change.type]} ${describeObject(change.ref)}  [${layerNote(change)}]`);
      for (const risk of change.risks) lines.push(`      ${risk.level.toUpperCase()} ${risk.rule}: ${risk.reason}`);
      for (const field of change.fields) lines.push(`      ${fieldLine(field)}`);
    }
  }
  if (report.changes.length === 0) lines.push('', 'no object changes');
  return `${lines.join('\n')}\n`;
}

const ICONS: Readonly<Record<RiskLevel, string>> = { danger: '🔴 danger', warning: '🟠 warning', info: '🔵 info' };

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown for a pull-request comment: summary, a table of the risks, then each cluster's changes. */
export function formatMarkdown(report: DiffReport): string {
  const highest = highestRisk(report);
  const lines = [
    COMMENT_MARKER,
    '### dist/ review',
    '',
    `Base \`${report.base.ref}\` (\`${report.base.commit.slice(0, 12)}\`) → ${report.head}: **${counts(report.changes)}**.`,
    `Highest risk: **${highest ?? 'none'}** (${riskCounts(report)}).`,
  ];
  const risky = report.changes.flatMap((change) => change.risks.map((risk) => ({ change, risk })))
    .sort((a, b) => riskRank(b.risk.level) - riskRank(a.risk.level));
  const table = (rows: typeof risky): string[] => ['| risk | cluster | object | rule | reason |', '| --- | --- | --- | --- | --- |',
    ...rows.map(({ change, risk }) => `| ${ICONS[risk.level]} | ${cell(clusterName(change.ref))} | \`${cell(describeObject(change.ref))}\` | ${risk.rule} | ${cell(risk.reason)} |`)];
  const serious = risky.filter(({ risk }) => risk.level !== 'info');
  const infos = risky.filter(({ risk }) => risk.level === 'info');
  if (serious.length > 0) lines.push('', ...table(serious));
  if (infos.length > 0) lines.push('', `<details><summary>${infos.length} info finding${infos.length === 1 ? '' : 's'}</summary>`, '', ...table(infos), '', '</details>');
  for (const group of groups(report)) {
    lines.push('', `#### ${clusterName(group)}: ${counts(group.changes)}`, '');
    for (const change of group.changes) {
      const worst = change.risks[0] as Risk | undefined;
      lines.push(`- ${MARKS[change.type] === '~' ? '**changed**' : change.type === 'added' ? '**added**' : '**removed**'} \`${describeObject(change.ref)}\` (${layerNote(change)})${worst === undefined ? '' : ` ${ICONS[worst.level]}`}`);
      if (change.fields.length > 0) {
        const shown = change.fields.slice(0, MARKDOWN_FIELDS_PER_OBJECT).map(fieldLine);
        if (change.fields.length > shown.length) shown.push(`… ${change.fields.length - shown.length} more field changes (npm run diff shows all)`);
        lines.push('  ```text', ...shown.map((l) => `  ${l}`), '  ```');
      }
    }
  }
  if (report.changes.length === 0) lines.push('', 'No object changes in `dist/`.');
  return `${lines.join('\n')}\n`;
}

/** JSON for tools: raw field values (no shortening); a field missing on one side has no `old`/`new` key. */
export function formatJson(report: DiffReport): string {
  const output = {
    base: report.base,
    head: report.head,
    summary: {
      added: report.changes.filter((c) => c.type === 'added').length,
      removed: report.changes.filter((c) => c.type === 'removed').length,
      changed: report.changes.filter((c) => c.type === 'changed').length,
      highestRisk: highestRisk(report) ?? null,
      risks: Object.fromEntries(RISK_LEVELS.map((level) => [level, report.changes.flatMap((c) => c.risks).filter((r) => r.level === level).length])),
    },
    clusters: groups(report).map((group) => ({
      environment: group.environment,
      cluster: group.cluster,
      changes: group.changes.map((change) => ({
        type: change.type,
        object: change.ref,
        apiVersion: { base: change.base?.obj.apiVersion ?? null, head: change.head?.obj.apiVersion ?? null },
        file: { base: change.base?.file ?? null, head: change.head?.file ?? null },
        fields: change.fields,
        risks: change.risks,
      })),
    })),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

/** Renders in the given format. */
export function formatReport(report: DiffReport, format: ReportFormat): string {
  return format === 'json' ? formatJson(report) : format === 'markdown' ? formatMarkdown(report) : formatText(report);
}
