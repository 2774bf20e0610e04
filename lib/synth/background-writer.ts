/**
 * Writes the files of a new output tree on a second thread while the main thread goes on rendering and verifying,
 * so the kernel's share of writing thousands of small files runs on the other core instead of after the
 * rendering. Used by `lib/synth/atomic-write.ts` for the staging folder only: what it writes becomes visible by the
 * swap, which waits for `finish` (every file written, or the first failure reported).
 *
 * The caller stays synchronous: files are posted to the thread, and `finish` blocks on a shared flag
 * (Atomics.wait) until the thread has written everything, then reads its answer with receiveMessageOnPort.
 *
 * Why it pays on this machine (profiled with `perf record` on writing the large benchmark platform's 5,500 files):
 * the root file system is ext4 without a journal, where each new inode is allocated after a scan that skips every
 * free inode of the block group freed in the last 30 s (Linux fs/ext4/ialloc.c `find_inode_bit` and
 * `recently_deleted`, checked only when `s_journal` is NULL; 6.18 kernel here). Right after a previous output of
 * 5,500 files was removed (or other processes removed files nearby), each create scans thousands of them: 1.5 to
 * 5 s of kernel time (0.1 s without recent removals), whatever the writing API (writeFileSync, open/write/close,
 * fs.promises: measured alike). The scan runs in the creating thread, so threads of their own overlap it with
 * rendering and verifying, and two of them use both cores once those are done.
 */
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';

/** The first failure of the writer thread, as plain data (errors do not cross threads whole). */
export interface WriteFailure {
  /** The path that failed. */
  readonly path: string;
  /** Node.js errno code (`ENOSPC`), when there is one. */
  readonly code?: string;
  readonly message: string;
}

/** What `finish` returns. */
export interface WriterResult {
  readonly failure?: WriteFailure;
  /** Files written. */
  readonly written: number;
  /** Files hard-linked from the previous output. */
  readonly linked: number;
}

/**
 * The thread's code (plain JavaScript run with `eval: true`, so it needs no file of its own next to the bundle
 * and loads in milliseconds). Flags: [0] done, [1] cancel, [2] started.
 *
 * A file whose content is already at the same path in the previous output (`link`) is hard-linked from there
 * instead of written; see `writeTree` in atomic-write.ts for why that is safe (the caller holds the output lock,
 * and files of an output tree are never written in place).
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const fs = require('fs');
const path = require('path');
const { dir, link, flags: buffer, answer } = workerData;
const flags = new Int32Array(buffer);
const made = new Set();
let failure;
let written = 0;
let linked = 0;
const fail = (where, error) => {
  if (!failure) failure = { path: where, code: typeof error?.code === 'string' ? error.code : undefined, message: String(error?.message ?? error) };
};
const linkIfUnchanged = (existing, full, content) => {
  try {
    if (!fs.lstatSync(existing).isFile() || fs.readFileSync(existing, 'utf8') !== content) return false;
    fs.linkSync(existing, full);
    return true;
  } catch {
    return false;
  }
};
const done = () => {
  answer.postMessage({ failure, written, linked });
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  parentPort.close();
};
process.on('uncaughtException', (error) => { fail(dir, error); done(); });
Atomics.store(flags, 2, 1);
parentPort.on('message', (message) => {
  if (message.files) {
    for (const [file, content] of message.files) {
      if (failure || Atomics.load(flags, 1) === 1) return;
      const full = path.join(dir, file);
      try {
        const folder = path.dirname(full);
        if (!made.has(folder)) {
          fs.mkdirSync(folder, { recursive: true });
          made.add(folder);
        }
        if (link !== undefined && linkIfUnchanged(path.join(link, file), full, content)) linked++;
        else {
          fs.writeFileSync(full, content);
          written++;
        }
      } catch (error) {
        fail(full, error);
      }
    }
  } else if (message.finish) {
    if (!failure && Atomics.load(flags, 1) !== 1) {
      try {
        fs.mkdirSync(dir, { recursive: true });
      } catch (error) {
        fail(dir, error);
      }
    }
    done();
  }
});
`;

/** How long `finish` waits for a thread that never started before it gives up (it normally starts in milliseconds). */
const START_TIMEOUT_MS = 30_000;

/**
 * Writes files below `dir` (which must not exist yet, or be empty) on a thread of its own. Post files with `add`
 * (in any number of batches), then call `finish` once, or `cancel` to stop early (nothing more is written after
 * `cancel` returns). Paths are relative, with `/`.
 */
class WriterThread {
  private readonly worker: Worker;
  private readonly answers: MessagePort;
  private readonly flags = new Int32Array(new SharedArrayBuffer(12));
  private finished?: WriterResult;

  /** @param link the previous output, to hard-link unchanged files from */
  constructor(readonly dir: string, link?: string) {
    const { port1, port2 } = new MessageChannel();
    this.answers = port1;
    this.worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { dir, link, flags: this.flags.buffer, answer: port2 },
      transferList: [port2],
    });
    // Never keep the process alive for it: `finish` or `cancel` ends it.
    this.worker.unref();
    port1.unref();
  }

  /** Queues `files` (relative path, content) for writing. */
  add(files: Iterable<readonly [string, string]>): void {
    if (this.finished) throw new Error('BackgroundWriter: add after finish');
    this.worker.postMessage({ files: [...files] });
  }

  /** Blocks until every queued file is written (or the first failure), and returns what happened. */
  finish(): WriterResult {
    if (this.finished) return this.finished;
    this.worker.postMessage({ finish: true });
    const started = Date.now();
    while (Atomics.load(this.flags, 0) === 0) {
      Atomics.wait(this.flags, 0, 0, 100);
      if (Atomics.load(this.flags, 2) === 0 && Date.now() - started > START_TIMEOUT_MS) {
        Atomics.store(this.flags, 1, 1);
        void this.worker.terminate();
        this.finished = { failure: { path: this.dir, message: `the file writer thread did not start within ${START_TIMEOUT_MS / 1000} s` }, written: 0, linked: 0 };
        return this.finished;
      }
    }
    const answer = receiveMessageOnPort(this.answers)?.message as WriterResult | undefined;
    this.answers.close();
    this.finished = answer ?? { failure: { path: this.dir, message: 'the file writer thread ended without an answer' }, written: 0, linked: 0 };
    return this.finished;
  }

  /** Stops writing: the files not yet written are dropped. Returns when the thread writes nothing more. */
  cancel(): void {
    Atomics.store(this.flags, 1, 1);
    this.finish();
  }
}

/**
 * Writes a tree below `dir` with `threads` writer threads (see WriterThread). Each folder is written by one thread
 * (creating a file holds its folder's lock in the kernel, so two threads in one folder would wait for each other);
 * a new folder goes to the thread with the fewest files so far. Two threads: once the main thread has rendered
 * and verified everything, both cores write.
 */
export class BackgroundWriter {
  private readonly threads: WriterThread[];
  private readonly queued: number[];
  private readonly threadOf = new Map<string, number>();

  /** @param link the previous output, to hard-link unchanged files from */
  constructor(readonly dir: string, link?: string, threads = 2) {
    this.threads = Array.from({ length: Math.max(1, threads) }, () => new WriterThread(dir, link));
    this.queued = this.threads.map(() => 0);
  }

  /** Queues `files` (relative path, content) for writing. */
  add(files: Iterable<readonly [string, string]>): void {
    const batches = this.threads.map((): (readonly [string, string])[] => []);
    for (const entry of files) {
      const slash = entry[0].lastIndexOf('/');
      const folder = slash < 0 ? '' : entry[0].slice(0, slash);
      let thread = this.threadOf.get(folder);
      if (thread === undefined) {
        thread = this.queued.indexOf(Math.min(...this.queued));
        this.threadOf.set(folder, thread);
      }
      this.queued[thread]++;
      batches[thread].push(entry);
    }
    batches.forEach((batch, i) => { if (batch.length > 0) this.threads[i].add(batch); });
  }

  /** Blocks until every queued file is written (or a failure), and returns what happened (the failure with the first path). */
  finish(): WriterResult {
    const results = this.threads.map((thread) => thread.finish());
    const failures = results.flatMap((r) => (r.failure ? [r.failure] : [])).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { failure: failures[0], written: results.reduce((n, r) => n + r.written, 0), linked: results.reduce((n, r) => n + r.linked, 0) };
  }

  /** Stops writing (see WriterThread.cancel). */
  cancel(): void {
    for (const thread of this.threads) thread.cancel();
  }
}
