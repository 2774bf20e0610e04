/**
 * `npm run preflight -- [--env <env>] [--cluster <name>] [--json] [--arm-endpoint URL]`: checks the AKS
 * clusters of an environment against its config. Exit status: 0 all good, 1 mismatches, see lib/azure/errors.ts.
 */
import { runMain } from '../core/cli-main';
import { runPreflight } from '../azure/preflight';

runMain('preflight', () => runPreflight(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}));
