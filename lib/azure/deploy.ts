/**
 * `deploy`: applies one cluster's `dist/` where Flux is not running yet (or hands over to Flux with --via-flux).
 * Reads the cluster (it must exist and run), fetches its user kubeconfig into a private temporary file, then runs
 * the planned kubectl steps in order, stopping at the first failure. `--dry-run` prints the steps instead.
 */
import * as path from 'path';
import { createArmClient, resolveCredential } from './arm-client';
import { resolveArmEndpoint } from './arm-endpoint';
import { resolveArmTimeouts } from './arm-timeouts';
import { AzureCliOptions, loadNamedEnvironment, parseAzureCliArgs, selectClusters } from './cli-options';
import { assertRunning, readClusterFacts } from './cluster-reader';
import { CommandRunner, spawnRunner } from './command-runner';
import { planDeploy } from './deploy-plan';
import { EXIT, ToolFailure } from './errors';
import { fetchUserKubeconfig, PrivateKubeconfig } from './kubeconfig';
import { privateKubeconfigRoot } from './kubeconfig-dir';
import { AzureToolDeps, reportFailure } from './tool-deps';

export const DEPLOY_USAGE = 'usage: npm run deploy -- --cluster <name> [--env <env>] [--dry-run] [--via-flux] [--timeout 10m] [--arm-endpoint URL] [--arm-timeout 30s] [--kubectl PATH] [--dist-dir DIR] [--config-dir DIR]';

/** What is shown instead of the kubeconfig path: the file is private and its location is not printed. */
export const KUBECONFIG_PLACEHOLDER = '<private temporary kubeconfig>';

export interface DeployDeps extends AzureToolDeps {
  /** @default spawns the commands */
  readonly runner?: CommandRunner;
  /** Private folder of the kubeconfig. @default $XDG_RUNTIME_DIR/ml-platform-manifests, else .cache/kubeconfig (kubeconfig-dir.ts) */
  readonly tmpRoot?: string;
}

/** Runs deploy for a command line; never throws. */
export async function runDeploy(argv: readonly string[], deps: DeployDeps): Promise<number> {
  let options: AzureCliOptions;
  try {
    options = parseAzureCliArgs(argv, ['env', 'cluster', 'dry-run', 'via-flux', 'timeout', 'arm-endpoint', 'arm-timeout', 'kubectl', 'dist-dir', 'config-dir']);
    if (!options.help && options.cluster === undefined) throw new ToolFailure('usage', 'deploy needs --cluster <name> (one cluster at a time)');
  } catch (error) {
    return reportFailure('deploy', error, deps, DEPLOY_USAGE);
  }
  if (options.help) {
    deps.out(DEPLOY_USAGE);
    return EXIT.OK;
  }
  let kubeconfig: PrivateKubeconfig | undefined;
  const runner = deps.runner ?? spawnRunner();
  try {
    const environment = loadNamedEnvironment(options);
    const [[clusterName, cluster]] = selectClusters(environment, options.cluster);
    const plan = planDeploy(path.join(options.distDir, environment.name, clusterName), options);
    const { azure } = cluster;
    const client = createArmClient({
      subscriptionId: azure.subscriptionId, endpoint: resolveArmEndpoint(options.armEndpoint, deps.env), credential: deps.credential ?? resolveCredential(deps.env), retry: deps.retry,
      timeouts: resolveArmTimeouts(options.armTimeout, deps.env),
    });
    assertRunning(await readClusterFacts(client, azure), azure);
    kubeconfig = PrivateKubeconfig.create(await fetchUserKubeconfig(client, azure), { tmpRoot: deps.tmpRoot ?? privateKubeconfigRoot(deps.env), onSignal: (signal) => runner.stop(signal as NodeJS.Signals) });
    deps.out(`${options.dryRun ? 'Would deploy' : 'Deploying'} ${environment.name}/${clusterName} to AKS cluster ${azure.name} (resource group ${azure.resourceGroup}): ${plan.folders.join(' -> ')}`);
    for (const skipped of plan.skipped) deps.out(`  not applied: ${skipped}`);
    for (const [i, step] of plan.steps.entries()) {
      const shown = [options.kubectl, '--kubeconfig', KUBECONFIG_PLACEHOLDER, ...step.kubectlArgs].join(' ');
      deps.out(`${options.dryRun ? 'would run' : `[${i + 1}/${plan.steps.length}]`} ${shown}`);
      if (options.dryRun) continue;
      const status = await runner.run({ program: options.kubectl, args: ['--kubeconfig', kubeconfig.path, ...step.kubectlArgs] });
      if (status !== 0) {
        throw new ToolFailure('deploy-failed', `step ${i + 1} of ${plan.steps.length} (${step.description}) failed with exit status ${status}; the steps after it were not run`);
      }
    }
    deps.out(options.dryRun ? `dry run: ${plan.steps.length} steps, nothing applied` : `deployed ${environment.name}/${clusterName}: ${plan.steps.length} steps`);
    return EXIT.OK;
  } catch (error) {
    return reportFailure('deploy', error, deps, DEPLOY_USAGE);
  } finally {
    kubeconfig?.dispose();
  }
}
