/**
 * Where deploy keeps the cluster's kubeconfig while kubectl runs: never the shared temporary folder. A SIGKILLed
 * deploy cannot remove its file (no handler runs), so the file lives in a private folder of this user, and every
 * deploy first removes the kubeconfigs of runs whose pid is dead.
 *
 * The folder is `$XDG_RUNTIME_DIR/ml-platform-manifests` when XDG_RUNTIME_DIR is set (a per-user 0700 tmpfs,
 * emptied at logout), else `<working directory>/.cache/kubeconfig` (the repository, git-ignored). It is created
 * 0700, and refused when it is a symbolic link or belongs to another user.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isProcessAlive } from '../core/pids';
import { ToolFailure } from './errors';

/** Prefix of each run's folder: `kubeconfig-<pid>-XXXXXX`. */
export const RUN_FOLDER_PREFIX = 'kubeconfig-';

/** The private root folder for kubeconfigs. */
export function privateKubeconfigRoot(env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const runtime = env.XDG_RUNTIME_DIR?.trim();
  if (runtime && path.isAbsolute(runtime) && fs.existsSync(runtime)) return path.join(runtime, 'ml-platform-manifests');
  return path.join(cwd, '.cache', 'kubeconfig');
}

/** Creates `root` (and parents) as a folder only this user can enter; refuses a link or another user's folder. */
export function ensurePrivateRoot(root: string): void {
  try {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(root);
    if (!stat.isDirectory()) throw new ToolFailure('deploy-failed', `${root} must be a folder for private kubeconfigs, and it is not (a symbolic link or a file); remove it`);
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) throw new ToolFailure('deploy-failed', `${root} belongs to another user (uid ${stat.uid}); kubeconfigs are kept only in a folder of your own`);
    fs.chmodSync(root, 0o700);
  } catch (error) {
    if (error instanceof ToolFailure) throw error;
    throw new ToolFailure('deploy-failed', `cannot create the private kubeconfig folder ${root}: ${(error as Error).message}`);
  }
}

/** Removes the run folders of dead pids under `root`; returns their names. */
export function sweepDeadKubeconfigs(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(root)) {
    const match = new RegExp(`^${RUN_FOLDER_PREFIX}([0-9]+)-`).exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (isProcessAlive(pid)) continue; // ours or a live run's
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
