/**
 * Runs the day-one verifier on a thread of its own while synth renders the next cluster and the writer threads
 * write the files, so the verifier (the largest share of synth's CPU time on a large cluster) no longer adds to
 * the main thread's. The thread runs the synth bundle itself (`build/main.js`, whose entry point serves
 * verification when started as this worker: see main.ts), so it has the same rules.
 *
 * Results come back in submission order; `submit` returns a function that blocks until that cluster's result is
 * there (Atomics.wait on a shared counter, then receiveMessageOnPort), so synth stays synchronous. When the thread
 * cannot start or fails, the cluster is verified in the caller's thread instead: the verdict never depends on the
 * thread.
 */
import { isMainThread, MessageChannel, MessagePort, parentPort, receiveMessageOnPort, Worker, workerData } from 'worker_threads';
import { VerifiedCluster, verifyCluster, VerifyResult } from '../verify';

/** `workerData.role` of the verifier thread. */
export const VERIFY_THREAD_ROLE = 'platform-verifier';

/** Verifies clusters; `submit` returns a function that gives the result (blocking until it is there). */
export interface ClusterVerifier {
  submit(cluster: VerifiedCluster): () => { result: VerifyResult; ms: number };
  /** Ends the thread, if any. */
  close(): void;
}

/** Verifies each cluster at once, in the caller's thread. */
export const IN_THREAD_VERIFIER: ClusterVerifier = {
  submit(cluster) {
    const started = process.hrtime.bigint();
    const result = verifyCluster(cluster);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return () => ({ result, ms });
  },
  close() {},
};

/** How long the thread may take to start, and a result to come, before the cluster is verified here instead. */
export interface VerifierThreadTimeouts {
  /** @default 30 s */
  readonly startMs?: number;
  /** @default 300 s */
  readonly resultMs?: number;
}

/** Answers of the thread, in submission order. */
type Answer = { index: number; result?: VerifyResult; ms?: number; error?: string };

/**
 * A verifier thread running `script` (the synth bundle). Flags: [0] answers posted, [1] started.
 */
export class VerifierThread implements ClusterVerifier {
  private readonly worker: Worker;
  private readonly answers: MessagePort;
  private readonly flags = new Int32Array(new SharedArrayBuffer(8));
  private readonly received = new Map<number, Answer>();
  private submitted = 0;
  private failed = false;
  private readonly startMs: number;
  private readonly resultMs: number;

  constructor(script: string, timeouts: VerifierThreadTimeouts = {}) {
    this.startMs = timeouts.startMs ?? 30_000;
    this.resultMs = timeouts.resultMs ?? 300_000;
    const { port1, port2 } = new MessageChannel();
    this.answers = port1;
    this.worker = new Worker(script, { workerData: { role: VERIFY_THREAD_ROLE, flags: this.flags.buffer, answer: port2 }, transferList: [port2] });
    this.worker.unref();
    port1.unref();
  }

  submit(cluster: VerifiedCluster): () => { result: VerifyResult; ms: number } {
    const index = this.submitted++;
    if (!this.failed) {
      try {
        this.worker.postMessage({ index, cluster: { facts: cluster.facts, folders: cluster.folders.map((f) => ({ folder: f.folder, manifests: f.manifests })) } });
      } catch {
        this.failed = true;
      }
    }
    return () => {
      const answer = this.failed ? undefined : this.await(index);
      if (answer?.result) return { result: answer.result, ms: answer.ms ?? 0 };
      // The thread failed (or never started): verify here; the verdict is the same.
      return IN_THREAD_VERIFIER.submit(cluster)();
    };
  }

  /** The answer for `index`, or undefined when the thread failed or timed out. */
  private await(index: number): Answer | undefined {
    const started = Date.now();
    for (;;) {
      for (let message = receiveMessageOnPort(this.answers); message; message = receiveMessageOnPort(this.answers)) {
        const answer = message.message as Answer;
        this.received.set(answer.index, answer);
      }
      const answer = this.received.get(index);
      if (answer) {
        this.received.delete(index);
        if (answer.error !== undefined) {
          this.failed = true;
          return undefined;
        }
        return answer;
      }
      const waited = Date.now() - started;
      if (waited > this.resultMs || (waited > this.startMs && Atomics.load(this.flags, 1) === 0)) {
        this.failed = true;
        return undefined;
      }
      const seen = Atomics.load(this.flags, 0);
      Atomics.wait(this.flags, 0, seen, 100);
    }
  }

  close(): void {
    void this.worker.terminate();
    this.answers.close();
  }
}

/** Whether this thread is the verifier thread (then `serveVerification` must run instead of synth). */
export function isVerifierThread(): boolean {
  return !isMainThread && (workerData as { role?: unknown } | undefined)?.role === VERIFY_THREAD_ROLE;
}

/** The verifier thread's loop: verifies each cluster it is sent and posts the result. */
export function serveVerification(): void {
  const { flags: buffer, answer } = workerData as { flags: SharedArrayBuffer; answer: MessagePort };
  const flags = new Int32Array(buffer);
  Atomics.store(flags, 1, 1);
  const post = (message: Answer) => {
    answer.postMessage(message);
    Atomics.add(flags, 0, 1);
    Atomics.notify(flags, 0);
  };
  parentPort!.on('message', ({ index, cluster }: { index: number; cluster: VerifiedCluster }) => {
    const started = process.hrtime.bigint();
    try {
      const result = verifyCluster(cluster);
      post({ index, result, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    } catch (error) {
      post({ index, error: String((error as Error)?.stack ?? error) });
    }
  });
}
