/**
 * The cluster's user kubeconfig: fetched through ARM, checked, and written to a private file (folder 0700, file
 * 0600) under the user's private kubeconfig folder (kubeconfig-dir.ts, never the shared temporary folder), removed
 * on every path: success, failure, process exit and signals. SIGKILL runs no handler: the next run removes the
 * folders of dead runs first. Its content and its path are never printed.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { AzureClusterConfig } from './config';
import { classifyAzureError, ToolFailure } from './errors';
import { ensurePrivateRoot, privateKubeconfigRoot, RUN_FOLDER_PREFIX, sweepDeadKubeconfigs } from './kubeconfig-dir';

/** Fetches the user kubeconfig (exec format: kubelogin does the Entra ID login on AAD clusters). */
export async function fetchUserKubeconfig(client: ContainerServiceClient, azure: AzureClusterConfig): Promise<string> {
  let kubeconfigs;
  try {
    ({ kubeconfigs } = await client.managedClusters.listClusterUserCredentials(azure.resourceGroup, azure.name, { format: 'exec' }));
  } catch (error) {
    throw classifyAzureError(error, { action: 'fetching the user kubeconfig of AKS cluster', resourceGroup: azure.resourceGroup, clusterName: azure.name, subscriptionId: azure.subscriptionId });
  }
  const chosen = kubeconfigs?.find((k) => k.name === 'clusterUser') ?? kubeconfigs?.[0];
  const text = chosen?.value ? Buffer.from(chosen.value).toString('utf8') : '';
  if (!isKubeconfig(text)) {
    throw new ToolFailure('deploy-failed', `ARM returned no usable kubeconfig for AKS cluster '${azure.name}' (credential '${chosen?.name ?? 'none'}' is not a kubeconfig with a cluster and a context)`);
  }
  return text;
}

function isKubeconfig(text: string): boolean {
  try {
    const doc = yaml.load(text) as { kind?: unknown; clusters?: unknown; contexts?: unknown } | undefined;
    return !!doc && typeof doc === 'object' && doc.kind === 'Config' && Array.isArray(doc.clusters) && doc.clusters.length > 0 && Array.isArray(doc.contexts);
  } catch {
    return false;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_EXIT: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** A kubeconfig in a private temporary folder. Call dispose() in a finally; exits and signals also remove it. */
export class PrivateKubeconfig {
  /**
   * Writes `content` under `<tmpRoot>/kubeconfig-<pid>-XXXXXX/kubeconfig`, readable by the owner only, after
   * removing the folders that dead runs left in `tmpRoot` (reported to `onSweep`).
   */
  public static create(content: string, options: { readonly tmpRoot?: string; readonly onSignal?: (signal: string) => void; readonly onSweep?: (name: string) => void } = {}): PrivateKubeconfig {
    const root = options.tmpRoot ?? privateKubeconfigRoot(process.env);
    ensurePrivateRoot(root);
    for (const name of sweepDeadKubeconfigs(root)) options.onSweep?.(name);
    const dir = fs.mkdtempSync(path.join(root, `${RUN_FOLDER_PREFIX}${process.pid}-`));
    fs.chmodSync(dir, 0o700);
    const file = path.join(dir, 'kubeconfig');
    const kubeconfig = new PrivateKubeconfig(dir, file, options.onSignal);
    try {
      fs.writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
      fs.chmodSync(file, 0o600); // the umask cannot widen it, but be explicit
    } catch (error) {
      kubeconfig.dispose();
      throw error;
    }
    return kubeconfig;
  }

  public readonly path: string;
  private readonly dir: string;
  private disposed = false;
  private readonly onExit = () => this.dispose();
  private readonly signalHandlers = new Map<string, () => void>();

  private constructor(dir: string, file: string, onSignal?: (signal: string) => void) {
    this.dir = dir;
    this.path = file;
    process.on('exit', this.onExit);
    for (const signal of SIGNALS) {
      const handler = () => {
        onSignal?.(signal);
        this.dispose();
        process.exit(SIGNAL_EXIT[signal]);
      };
      this.signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  /** Removes the file and its folder, and the exit and signal hooks. Safe to call more than once. */
  public dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    fs.rmSync(this.dir, { recursive: true, force: true });
    process.removeListener('exit', this.onExit);
    for (const [signal, handler] of this.signalHandlers) process.removeListener(signal, handler);
  }
}
