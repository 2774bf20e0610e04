/**
 * `preflight`: reads each AKS cluster of an environment through ARM and checks it against the config the
 * manifests are generated from. Returns the exit status (0 all good, 1 mismatches, others per failure kind).
 */
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { createArmClient, resolveCredential } from './arm-client';
import { resolveArmEndpoint } from './arm-endpoint';
import { resolveArmTimeouts } from './arm-timeouts';
import { AzureCliOptions, loadNamedEnvironment, parseAzureCliArgs, selectClusters } from './cli-options';
import { checkCluster } from './cluster-checks';
import { roleAssignmentsDocument } from '../models/role-assignments';
import { armGetVia, checkRoleAssignments } from './role-assignment-checks';
import { assertRunning, readClusterFacts } from './cluster-reader';
import { EXIT, firstLine, ToolFailure } from './errors';
import { AzureToolDeps, reportFailure } from './tool-deps';
import { ClusterOutcome, formatJson, formatTable } from './preflight-report';

export const PREFLIGHT_USAGE = 'usage: npm run preflight -- [--env <env>] [--cluster <name>] [--json] [--role-assignments] [--arm-endpoint URL] [--arm-timeout 30s] [--config-dir DIR]';

/** Runs preflight for a command line; never throws. */
export async function runPreflight(argv: readonly string[], deps: AzureToolDeps): Promise<number> {
  let options: AzureCliOptions;
  try {
    options = parseAzureCliArgs(argv, ['env', 'cluster', 'json', 'role-assignments', 'arm-endpoint', 'arm-timeout', 'config-dir']);
  } catch (error) {
    return reportFailure('preflight', error, deps, PREFLIGHT_USAGE);
  }
  if (options.help) {
    deps.out(PREFLIGHT_USAGE);
    return EXIT.OK;
  }
  try {
    const environment = loadNamedEnvironment(options);
    const clusters = selectClusters(environment, options.cluster);
    const endpoint = resolveArmEndpoint(options.armEndpoint, deps.env);
    const timeouts = resolveArmTimeouts(options.armTimeout, deps.env);
    const credential = deps.credential ?? resolveCredential(deps.env);
    const clients = new Map<string, ContainerServiceClient>();
    const outcomes: ClusterOutcome[] = [];
    for (const [name, cluster] of clusters) {
      const { azure } = cluster;
      if (!clients.has(azure.subscriptionId)) {
        clients.set(azure.subscriptionId, createArmClient({ subscriptionId: azure.subscriptionId, endpoint, credential, retry: deps.retry, timeouts }));
      }
      try {
        const facts = await readClusterFacts(clients.get(azure.subscriptionId)!, azure);
        assertRunning(facts, azure);
        const checks = checkCluster(name, cluster, facts);
        if (options.roleAssignments) {
          const needed = roleAssignmentsDocument(environment.name, environment.config).roleAssignments.filter((a) => a.clusters.includes(name));
          checks.push(...await checkRoleAssignments(environment.config, needed, armGetVia(clients.get(azure.subscriptionId)!, endpoint.url)));
        }
        outcomes.push({ cluster: name, azure, checks });
      } catch (error) {
        const failure = error instanceof ToolFailure ? error : new ToolFailure('internal', firstLine(String((error as Error)?.message ?? error)));
        outcomes.push({ cluster: name, azure, checks: [], error: failure });
        deps.err(`preflight: ${name}: ${failure.message}`);
        if (failure.kind === 'not-logged-in') break; // the same credential would fail for every other cluster
      }
    }
    const firstError = outcomes.find((o) => o.error)?.error;
    const mismatch = outcomes.some((o) => o.checks.some((c) => c.status === 'fail'));
    const exitCode = firstError ? firstError.exitCode : mismatch ? EXIT.MISMATCH : EXIT.OK;
    const report = { environment: environment.name, armEndpoint: endpoint.url, outcomes, exitCode };
    deps.out(options.json ? formatJson(report) : formatTable(report));
    return exitCode;
  } catch (error) {
    return reportFailure('preflight', error, deps, PREFLIGHT_USAGE);
  }
}
