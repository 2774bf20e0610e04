/**
 * `npm run diff -- [--base <git ref>] [--format text|markdown|json] [--fail-on info|warning|danger]`
 * Compares the objects of dist/ at the base (default: the merge base of HEAD with the default branch) with the
 * working tree, per environment and cluster, and flags risky changes. Exit status: 0 done, 1 a risk at or above
 * --fail-on (or git/YAML could not be read), 2 usage error.
 */
import { parseArgs, UsageError } from '../validation/cli-args';
import { formatReport, highestRisk, isRiskLevel, REPORT_FORMATS, ReportFormat, reviewDist, riskRank } from '../review';

const USAGE = 'usage: diff [--base <git ref>] [--format text|markdown|json] [--fail-on info|warning|danger]';

function main(argv: readonly string[]): number {
  let args;
  try {
    args = parseArgs(argv, ['base', 'format', 'fail-on']);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const format = args.options.get('format') ?? 'text';
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format "${format}": expected one of ${REPORT_FORMATS.join(', ')}`);
    const failOn = args.options.get('fail-on');
    if (failOn !== undefined && !isRiskLevel(failOn)) throw new UsageError(`--fail-on "${failOn}": expected info, warning or danger`);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`diff: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.options.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const report = reviewDist({ projectDir: process.cwd(), base: args.options.get('base') });
  process.stdout.write(formatReport(report, (args.options.get('format') ?? 'text') as ReportFormat));
  const failOn = args.options.get('fail-on');
  const highest = highestRisk(report);
  if (failOn !== undefined && isRiskLevel(failOn) && highest !== undefined && riskRank(highest) >= riskRank(failOn)) {
    console.error(`diff: highest risk is ${highest}, at or above --fail-on ${failOn}`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`diff: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
