/**
 * `npm run deploy -- --cluster <name> [--env <env>] [--dry-run] [--via-flux]`: applies one cluster's dist/
 * with server-side apply, layer by layer (or the Flux entry point). Exit status: see lib/azure/errors.ts.
 */
import { runMain } from '../core/cli-main';
import { runDeploy } from '../azure/deploy';

runMain('deploy', () => runDeploy(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}));
