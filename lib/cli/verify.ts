/**
 * `npm run verify -- [dist folder]`: runs the day-one verifier on every cluster of a dist tree (default dist/),
 * from the manifests and each cluster's cluster-facts.json alone (no config, no ../shared). Exit code 1 on any
 * fault or stale accepted fault; accepted faults are always listed.
 */
import * as fs from 'fs';
import { formatReport, readDistClusters, verifyCluster } from '../verify';

function main(argv: readonly string[]): number {
  const dir = argv.find((a) => !a.startsWith('-')) ?? 'dist';
  if (!fs.existsSync(dir)) {
    console.error(`verify: ${dir} does not exist; run make synth first or pass the dist folder`);
    return 2;
  }
  const started = process.hrtime.bigint();
  const clusters = readDistClusters(dir);
  if (clusters.length === 0) {
    console.error(`verify: no <environment>/<cluster>/cluster-facts.json under ${dir}; run make synth to write them`);
    return 2;
  }
  const results = clusters.map((cluster) => ({ facts: cluster.facts, result: verifyCluster(cluster) }));
  const report = formatReport(results);
  if (report) console.log(report);
  const faults = results.reduce((n, r) => n + r.result.faults.length + r.result.unusedAcceptances.length, 0);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`verified ${clusters.length} cluster(s) in ${dir}: ${faults === 0 ? 'no faults' : `${faults} fault(s)`} (${ms.toFixed(0)} ms)`);
  return faults === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
