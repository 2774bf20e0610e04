/**
 * Where the output may go, checked before anything is written: not on a kernel file system (/proc, /sys, /dev,
 * cgroup, debugfs ...: writes there either fail oddly or spin), parents created, and the previous tree
 * replaceable as a whole (every folder writable, no immutable entry, no mount point inside), so that a swap
 * never happens that cannot be finished.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeFsError, fsErrorCode } from '../core/fs-errors';

/** Thrown when the output folder cannot be used; nothing was written. */
export class OutputTargetError extends Error {}

/** Path prefixes of kernel file systems. */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * statfs(2) magic numbers of kernel file systems (linux/magic.h): proc, sysfs, cgroup, cgroup2, debugfs,
 * securityfs, devpts, configfs, bpf, tracefs, pstore, efivarfs.
 */
const SPECIAL_FS_TYPES = new Map<number, string>([
  [0x9fa0, 'proc'], [0x62656572, 'sysfs'], [0x27e0eb, 'cgroup'], [0x63677270, 'cgroup2'], [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'], [0x1cd1, 'devpts'], [0x62656570, 'configfs'], [0xcafe4a11, 'bpf'], [0x74726163, 'tracefs'],
  [0x6165676c, 'pstore'], [0xde5e81e4, 'efivarfs'],
]);

/** The closest existing ancestor of `dir` (itself when it exists), with symbolic links resolved. */
function existingAncestor(dir: string): string {
  let current = dir;
  for (;;) {
    try {
      return fs.realpathSync(current);
    } catch (error) {
      const parent = path.dirname(current);
      if (parent === current || fsErrorCode(error) !== 'ENOENT') throw error;
      current = parent;
    }
  }
}

/** Refuses an output folder on a kernel file system (by path and by statfs type). */
export function refuseSpecialFilesystem(outDir: string): void {
  const resolved = path.resolve(outDir);
  const real = existingAncestor(resolved);
  for (const candidate of [resolved, real]) {
    const root = SPECIAL_ROOTS.find((prefix) => candidate === prefix || candidate.startsWith(`${prefix}/`));
    if (root) throw new OutputTargetError(`--out ${outDir}: is under ${root}, a kernel file system; choose a folder on a normal disk, such as dist`);
  }
  const type = fs.statfsSync(real).type;
  const name = SPECIAL_FS_TYPES.get(type);
  if (name) throw new OutputTargetError(`--out ${outDir}: ${real} is on a ${name} file system (a kernel file system); choose a folder on a normal disk, such as dist`);
}

/** Creates the parent folders of the output folder. */
export function ensureParent(outDir: string): string {
  const parent = path.dirname(path.resolve(outDir));
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new OutputTargetError(`cannot create ${parent}, the parent folder of the output: ${describeFsError(error)}`);
  }
  return parent;
}

function canWrite(target: string): string | undefined {
  try {
    fs.accessSync(target, fs.constants.W_OK | fs.constants.X_OK);
    return undefined;
  } catch (error) {
    return describeFsError(error);
  }
}

/** The folder that holds the output must be writable (the lock, the staging tree and the swap live there). */
export function checkParentWritable(outDir: string): void {
  const parent = path.dirname(path.resolve(outDir));
  const problem = canWrite(parent);
  if (problem) throw new OutputTargetError(`cannot write ${parent}, the folder that holds the output: ${problem}`);
}

/**
 * Checks that the output folder can be replaced as a whole: its parent writable; the folder (when it exists) a
 * folder, not a mount point, with every folder inside writable (to remove its entries) and no immutable entry.
 * As root, write permission bits do not stop removal, but a read-only mount (EROFS) or an immutable attribute
 * (EPERM from access(2)) does; both are found here.
 */
export function checkReplaceable(outDir: string): void {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  checkParentWritable(target);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch (error) {
    if (fsErrorCode(error) === 'ENOENT') return;
    throw new OutputTargetError(`${target}: ${describeFsError(error)}`);
  }
  if (!stat.isDirectory()) throw new OutputTargetError(`${target}: is not a folder; the output replaces a folder (remove or rename it)`);
  const parentDevice = fs.statSync(parent).dev;
  const walk = (dir: string, device: number): void => {
    if (device !== parentDevice) throw new OutputTargetError(`${dir}: is a mount point inside the output; it cannot be replaced (unmount it, or choose another --out)`);
    const problem = canWrite(dir);
    if (problem) throw new OutputTargetError(`cannot replace the output: ${dir}: ${problem}; nothing was swapped (fix the permissions, or remove the folder)`);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full, fs.lstatSync(full).dev);
      } else {
        // Unlinking needs only the folder's permission; access(W_OK) answers EPERM for an immutable file.
        try {
          fs.accessSync(full, fs.constants.W_OK);
        } catch (error) {
          const code = fsErrorCode(error);
          if (code === 'EPERM' || code === 'EROFS') throw new OutputTargetError(`cannot replace the output: ${full}: ${describeFsError(error)}; nothing was swapped`);
        }
      }
    }
  };
  walk(target, stat.dev);
}
