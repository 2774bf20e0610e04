/**
 * Replaces an output folder as a whole: the new tree is written aside and swapped in only when every file
 * was written, so a failure leaves the previous folder exactly as it was, and files of objects that
 * disappeared from the config disappear from the output (Flux prune relies on that). Errors tell the truth
 * about whether the swap happened; leftovers of killed runs are swept under a lock (lib/synth/output-lock.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeFsError, fsErrorCode, fsErrorLine } from '../core/fs-errors';
import { BackgroundWriter } from './background-writer';
import { acquireOutputLock, OutputLockError, sweepLeftovers } from './output-lock';
import { checkParentWritable, checkReplaceable, ensureParent, OutputTargetError, refuseSpecialFilesystem } from './output-target';

/** Relative file path (with `/`) to file content. */
export type FileTree = ReadonlyMap<string, string>;

/**
 * Thrown when the output could not be written. `replaced` tells the truth about the output folder: false, it is
 * exactly the previous one (or still absent); true, it holds the complete new output (only a leftover could not
 * be removed).
 */
export class OutputWriteError extends Error {
  constructor(message: string, public readonly replaced: boolean) {
    super(message);
    this.name = 'OutputWriteError';
  }
}

/** The file operations that write and swap the tree (tests inject failures the machine cannot produce). */
export interface TreeFileOps {
  readonly writeFileSync: (file: string, data: string) => void;
  readonly mkdirSync: (dir: string, options: { recursive: true }) => unknown;
  readonly renameSync: (from: string, to: string) => void;
  readonly rmSync: (target: string, options: { recursive: true; force: true }) => void;
}

const REAL_FS: TreeFileOps = {
  writeFileSync: (file, data) => fs.writeFileSync(file, data),
  mkdirSync: (dir, options) => fs.mkdirSync(dir, options),
  renameSync: (from, to) => fs.renameSync(from, to),
  rmSync: (target, options) => fs.rmSync(target, options),
};

/** Options of {@link writeTreeAtomically}. */
export interface AtomicWriteOptions {
  /** @internal File operations, for tests that inject failures. @default the real fs */
  readonly fileOps?: TreeFileOps;
  /** How long to wait for another run writing the same folder. @default 120 s */
  readonly lockWaitMs?: number;
  /** Called with each leftover of an interrupted run that was removed or restored. */
  readonly onSweep?: (what: string) => void;
}

function removeQuietly(dir: string, ops: TreeFileOps): string | undefined {
  try {
    ops.rmSync(dir, { recursive: true, force: true });
    return undefined;
  } catch (error) {
    return describeFsError(error);
  }
}

/**
 * Writes `tree` as the new content of `outDir`: refuses kernel file systems, creates the parents, takes the
 * folder's lock, sweeps what killed runs left, checks that the previous tree can be replaced as a whole, writes
 * the new tree aside and swaps it in. On any failure before the swap the folder is unchanged and no staging
 * folder is left; after the swap the error says so (`replaced: true`).
 */
export function writeTreeAtomically(outDir: string, tree: FileTree, options: AtomicWriteOptions = {}): void {
  const output = openOutput(outDir, options);
  output.add(tree);
  output.commit();
}

/**
 * An output folder being replaced (see {@link openOutput}): files are added as they are ready and written aside
 * (on a second thread with the real file system), then `commit` swaps the new tree in, or `abort` drops it. The
 * folder's lock is held from `openOutput` to `commit` or `abort`.
 */
export interface OutputUpdate {
  /** Adds files (relative path with `/`, content) to the new tree. A path must be added once. */
  add(files: Iterable<readonly [string, string]>): void;
  /** Waits for every file to be written, swaps the new tree in and releases the lock. */
  commit(): void;
  /** Drops the new tree (nothing was swapped) and releases the lock. Safe to call after a failed `add` or `commit`. */
  abort(): void;
}

/**
 * Starts replacing `outDir`: refuses kernel file systems, creates the parents, takes the folder's lock, sweeps
 * what killed runs left and checks that the previous tree can be replaced as a whole. Throws an OutputWriteError
 * (`replaced: false`, nothing written) when any of that fails.
 *
 * With the real file system, added files are written by a second thread while the caller goes on (synth renders
 * and verifies the next cluster meanwhile): on this 2-core machine that hides most of the kernel time of
 * creating thousands of files (lib/synth/background-writer.ts). Injected `fileOps` write in the caller's thread.
 */
export function openOutput(outDir: string, options: AtomicWriteOptions = {}): OutputUpdate {
  const ops = options.fileOps ?? REAL_FS;
  const target = path.resolve(outDir);
  const base = path.basename(target);
  let parent: string;
  try {
    refuseSpecialFilesystem(target);
    parent = ensureParent(target);
    checkParentWritable(target);
  } catch (error) {
    throw asWriteError(error, false);
  }
  let lock;
  try {
    lock = acquireOutputLock(parent, base, options.lockWaitMs);
  } catch (error) {
    throw asWriteError(error, false);
  }
  try {
    for (const done of sweepLeftovers(parent, base)) options.onSweep?.(done);
    checkReplaceable(target);
  } catch (error) {
    lock.release();
    throw asWriteError(error, false);
  }
  const staging = path.join(parent, `.${base}-staging-${process.pid}`);
  const previous = path.join(parent, `.${base}-previous-${process.pid}`);
  const unchangedFrom = fs.existsSync(target) ? target : undefined;
  const writer = ops === REAL_FS ? new BackgroundWriter(staging, unchangedFrom) : undefined;
  let closed = false;
  const writeFailed = (error: unknown): OutputWriteError => {
    writer?.cancel();
    const left = removeQuietly(staging, ops);
    closed = true;
    lock.release();
    return new OutputWriteError(`cannot write the new output next to ${target}: ${(error as Error).message}${left ? `; and ${staging} could not be removed (${left}): remove it by hand` : ''}`, false);
  };
  return {
    add(files) {
      if (closed) throw new Error(`the output update of ${target} is already closed`);
      if (writer) {
        writer.add(files);
        return;
      }
      try {
        writeFiles(staging, files, ops);
      } catch (error) {
        throw writeFailed(error);
      }
    },
    commit() {
      if (closed) throw new Error(`the output update of ${target} is already closed`);
      try {
        if (writer) {
          const { failure } = writer.finish();
          if (failure) throw new Error(fsErrorLine(failure.path, failure.code ? { code: failure.code, message: failure.message } : new Error(failure.message)));
        } else {
          makeFolder(staging, ops);
        }
      } catch (error) {
        throw writeFailed(error);
      }
      closed = true;
      try {
        swap(target, staging, previous, ops);
      } finally {
        lock.release();
      }
    },
    abort() {
      if (closed) return;
      closed = true;
      writer?.cancel();
      removeQuietly(staging, ops);
      lock.release();
    },
  };
}

/** Moves the previous tree aside, the new one in, and removes the previous one (putting it back if the second rename fails). */
function swap(target: string, staging: string, previous: string, ops: TreeFileOps): void {
  const hadPrevious = fs.existsSync(target);
  if (hadPrevious) {
    try {
      ops.renameSync(target, previous);
    } catch (error) {
      removeQuietly(staging, ops);
      throw new OutputWriteError(`cannot move the previous output ${target} aside: ${describeFsError(error)}`, false);
    }
  }
  try {
    ops.renameSync(staging, target);
  } catch (error) {
    const reason = describeFsError(error);
    if (hadPrevious) {
      try {
        ops.renameSync(previous, target);
      } catch (restoreError) {
        throw new OutputWriteError(`cannot move the new output into ${target} (${reason}), nor put the previous output back (${describeFsError(restoreError)}): the previous output is in ${previous}, the new one in ${staging}`, false);
      }
    }
    removeQuietly(staging, ops);
    throw new OutputWriteError(`cannot move the new output into ${target}: ${reason}`, false);
  }
  if (hadPrevious) {
    const left = removeQuietly(previous, ops);
    if (left) throw new OutputWriteError(`${target} now holds the new output, but the previous output could not be removed from ${previous}: ${left}; remove it by hand (the next run also tries)`, true);
  }
}

function asWriteError(error: unknown, replaced: boolean): OutputWriteError {
  if (error instanceof OutputWriteError) return error;
  if (error instanceof OutputTargetError || error instanceof OutputLockError) return new OutputWriteError(error.message, replaced);
  const where = (error as { path?: unknown }).path;
  return new OutputWriteError(fsErrorCode(error) ? `${typeof where === 'string' ? `${where}: ` : ''}${describeFsError(error)}` : (error as Error).message, replaced);
}

/**
 * Writes every file of `tree` below `dir` (which must not exist yet). With `unchangedFrom` (the previous output),
 * a file whose content is already there at the same path is hard-linked from there instead of written (with the
 * real file system only; injected operations write every file). On this machine writing the 5,500 files of the
 * large benchmark platform (bench/large-platform.ts) costs 0.1 to 5 s of kernel time, depending on how many inodes
 * were freed nearby in the last 30 s (see background-writer.ts); linking them costs 0.1 s, and removing the
 * previous tree afterwards gets cheaper too. The linked file keeps its content; the previous tree's name for it is
 * removed after the swap. Synth writes through `openOutput` (two writer threads); this is the single-threaded form.
 */
export function writeTree(dir: string, tree: FileTree, ops: TreeFileOps = REAL_FS, unchangedFrom?: string): void {
  writeFiles(dir, [...tree.keys()].sort().map((file) => [file, tree.get(file)!] as const), ops, ops === REAL_FS ? unchangedFrom : undefined);
  makeFolder(dir, ops);
}

/** Writes `files` below `dir` in the caller's thread (see `writeTree`); `made` remembers the folders created. */
function writeFiles(dir: string, files: Iterable<readonly [string, string]>, ops: TreeFileOps, link?: string, made = new Set<string>()): void {
  for (const [file, content] of files) {
    const full = path.join(dir, file);
    const folder = path.dirname(full);
    try {
      if (!made.has(folder)) {
        ops.mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      if (link === undefined || !linkIfUnchanged(path.join(link, file), full, content)) ops.writeFileSync(full, content);
    } catch (error) {
      throw new Error(fsErrorLine(full, error));
    }
  }
}

/** Creates `dir` (an empty tree is an empty folder). */
function makeFolder(dir: string, ops: TreeFileOps): void {
  try {
    ops.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new Error(fsErrorLine(dir, error));
  }
}

/** Hard-links `existing` to `full` when it is a regular file holding exactly `content`; false otherwise. */
function linkIfUnchanged(existing: string, full: string, content: string): boolean {
  try {
    if (!fs.lstatSync(existing).isFile() || fs.readFileSync(existing, 'utf8') !== content) return false;
    fs.linkSync(existing, full);
    return true;
  } catch {
    return false;
  }
}

/** Reads a folder back into a tree (used by tests and by `--check`). */
export function readTree(dir: string): Map<string, string> {
  const tree = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else tree.set(child, fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk('');
  return tree;
}
