/**
 * One writer per output folder, and the sweep of what killed runs left behind.
 *
 * The lock is the file `.<base>.lock` beside the output folder, holding the writer's pid. It is created whole
 * with link(2) from a private file (EEXIST when taken), so it never exists half-written. A lock whose pid is no
 * longer alive was left by a killed run and is taken over; the takeover itself is guarded by a second lock
 * (`.<base>.lock-takeover`) so two runs that both found the dead lock never remove each other's fresh one.
 *
 * Under the lock, leftovers of runs whose pid is dead (`.<base>-staging-<pid>`, `.<base>-previous-<pid>`,
 * `.<base>.lock.<pid>`) are removed; a run killed between its two renames left no output folder but a previous
 * one, which is put back first. Pids are only meaningful within one pid namespace: two containers that share the
 * parent folder must not synthesize into it at the same time.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeFsError, fsErrorCode } from '../core/fs-errors';
import { isProcessAlive } from '../core/pids';

/** How long a run waits for another run writing the same output. */
export const DEFAULT_LOCK_WAIT_MS = 120_000;

/** Thrown when the lock cannot be taken or the leftovers cannot be removed; nothing was written. */
export class OutputLockError extends Error {}

export { isProcessAlive };

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readPid(file: string): number | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return /^[0-9]+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Creates `target` holding our pid, atomically; false when it already exists. */
function createPidFile(target: string, scratch: string): boolean {
  fs.writeFileSync(scratch, `${process.pid}\n`);
  try {
    fs.linkSync(scratch, target);
    return true;
  } catch (error) {
    if (fsErrorCode(error) === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(scratch, { force: true });
  }
}

/** A held lock; `release` removes it (only when it is still ours). */
export interface OutputLock {
  release(): void;
}

/**
 * Takes the lock of output folder `base` in `parent`, waiting up to `waitMs` for a live writer.
 * A dead writer's lock (pid not alive, or our own pid reused after a restart) is taken over.
 */
export function acquireOutputLock(parent: string, base: string, waitMs = DEFAULT_LOCK_WAIT_MS): OutputLock {
  const lockFile = path.join(parent, `.${base}.lock`);
  const takeover = path.join(parent, `.${base}.lock-takeover`);
  const scratch = path.join(parent, `.${base}.lock.${process.pid}`);
  const deadline = Date.now() + waitMs;
  try {
    for (;;) {
      if (createPidFile(lockFile, scratch)) break;
      const holder = readPid(lockFile);
      if (holder === undefined || holder === process.pid || !isProcessAlive(holder)) {
        // A killed run's lock: remove it, but only if it is still the same dead lock (guarded by the takeover lock).
        if (createPidFile(takeover, scratch)) {
          try {
            const again = readPid(lockFile);
            if (again === holder) fs.rmSync(lockFile, { force: true });
          } finally {
            fs.rmSync(takeover, { force: true });
          }
        } else {
          const taker = readPid(takeover);
          if (taker !== undefined && taker !== process.pid && !isProcessAlive(taker)) fs.rmSync(takeover, { force: true });
          sleep(20);
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new OutputLockError(`another run (pid ${holder}) is writing ${path.join(parent, base)} (lock ${lockFile}); waited ${Math.round(waitMs / 1000)} s. Try again when it has finished`);
      }
      sleep(100);
    }
  } catch (error) {
    if (error instanceof OutputLockError) throw error;
    throw new OutputLockError(`cannot take the lock ${lockFile}: ${describeFsError(error)}`);
  }
  return {
    release: () => {
      if (readPid(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
    },
  };
}

/** `.<base>-staging-<pid>`, `.<base>-previous-<pid>`, `.<base>.lock.<pid>`: the pid, or undefined for other names. */
function leftoverPid(name: string, base: string): { kind: 'staging' | 'previous' | 'lock'; pid: number } | undefined {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^\\.${escaped}(?:-(staging|previous)-|\\.(lock)\\.)([0-9]+)$`).exec(name);
  if (!match) return undefined;
  return { kind: (match[1] ?? match[2]) as 'staging' | 'previous' | 'lock', pid: Number(match[3]) };
}

/**
 * Removes what killed runs left beside the output folder (call with the lock held). A run killed between its
 * two renames left no output folder but its previous tree: that tree is put back first. Returns what was done.
 */
export function sweepLeftovers(parent: string, base: string): string[] {
  const done: string[] = [];
  const stale = fs.readdirSync(parent)
    .map((name) => ({ name, leftover: leftoverPid(name, base) }))
    .filter(({ leftover }) => leftover !== undefined && (leftover.pid === process.pid || !isProcessAlive(leftover.pid)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const target = path.join(parent, base);
  if (!fs.existsSync(target)) {
    const previous = stale.filter(({ leftover }) => leftover!.kind === 'previous')
      .map(({ name }) => ({ name, mtime: fs.statSync(path.join(parent, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime)[0];
    if (previous) {
      fs.renameSync(path.join(parent, previous.name), target);
      done.push(`restored ${target} from ${previous.name} (a run was killed while swapping)`);
    }
  }
  for (const { name } of stale) {
    const full = path.join(parent, name);
    if (!fs.existsSync(full)) continue;
    try {
      fs.rmSync(full, { recursive: true, force: true });
    } catch (error) {
      throw new OutputLockError(`cannot remove ${full}, left by an interrupted run: ${describeFsError(error)}; remove it by hand`);
    }
    done.push(`removed ${name} (left by an interrupted run)`);
  }
  return done;
}
