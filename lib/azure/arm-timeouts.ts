/**
 * Every ARM request is bounded: a connect timeout (TCP and TLS handshake) and a response timeout (from sending
 * the request to the last byte of the body), per attempt; the SDK's retry policy retries a timed-out attempt
 * like any network error (code ETIMEDOUT), at most `maxRetries` times. Without this, an endpoint that accepts the
 * connection and never answers made preflight and deploy hang for ever: `@azure/core-rest-pipeline` sets no
 * timeout unless asked (`PipelineRequest.timeout` defaults to 0, and it stops at the response headers).
 *
 * Set with `--arm-timeout <duration>` or `AZURE_ARM_TIMEOUT` (the flag wins): the response timeout; the connect
 * timeout is the smaller of 10 s and that.
 */
import * as http from 'http';
import * as https from 'https';
import type { Socket } from 'net';
import type { ContainerServiceClientOptionalParams } from '@azure/arm-containerservice';
import { ToolFailure } from './errors';

type PipelinePolicy = NonNullable<ContainerServiceClientOptionalParams['additionalPolicies']>[number]['policy'];

/** Per-attempt bounds of one ARM request. */
export interface ArmTimeouts {
  /** TCP connect plus TLS handshake. */
  readonly connectMs: number;
  /** From sending the request to the end of the response body. */
  readonly responseMs: number;
}

/** 10 s to connect, 30 s to answer: ARM GETs answer in well under a second; a list of credentials in a few. */
export const DEFAULT_ARM_TIMEOUTS: ArmTimeouts = { connectMs: 10_000, responseMs: 30_000 };

const DURATION = /^([0-9]+)(ms|s|m)$/;

/** Parses `--arm-timeout` / `AZURE_ARM_TIMEOUT` (such as 30s, 1500ms, 2m); defaults when neither is set. */
export function resolveArmTimeouts(flag: string | undefined, env: NodeJS.ProcessEnv): ArmTimeouts {
  const given = flag ?? (env.AZURE_ARM_TIMEOUT?.trim() || undefined);
  if (given === undefined) return DEFAULT_ARM_TIMEOUTS;
  const source = flag !== undefined ? '--arm-timeout' : 'AZURE_ARM_TIMEOUT';
  const match = DURATION.exec(given);
  const ms = match ? Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'] : NaN;
  if (!match || ms < 100 || ms > 600_000) {
    throw new ToolFailure('usage', `${source} (${given}) must be a duration from 100ms to 10m, such as 30s or 1500ms`);
  }
  return { connectMs: Math.min(DEFAULT_ARM_TIMEOUTS.connectMs, ms), responseMs: ms };
}

/** `30 s`, `1.5 s`, `800 ms`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

/**
 * An ARM attempt that timed out. Named `RestError` with code ETIMEDOUT because that is what the SDK's retry policy
 * retries (it rethrows anything that is not a RestError at once); `armTimeout` marks it for classifyAzureError.
 */
export class ArmTimeoutError extends Error {
  public readonly code = 'ETIMEDOUT';
  public readonly armTimeout = true;

  constructor(
    public readonly endpoint: string,
    public readonly phase: 'connect' | 'response',
    public readonly timeoutMs: number,
    public readonly attempts: number,
  ) {
    super(`${phase === 'connect' ? 'could not connect to' : 'no response from'} ${endpoint} within ${formatMs(timeoutMs)}`);
    this.name = 'RestError';
  }
}

const CONNECT_TIMEOUT_MARK = 'connect timed out';

/** An agent whose sockets are destroyed (ETIMEDOUT) when they do not connect, TLS included, within `connectMs`. */
export function agentWithConnectTimeout<A extends http.Agent>(agent: A, connectMs: number, tls: boolean): A {
  const withCreate = agent as unknown as { createConnection: (options: unknown, callback?: unknown) => Socket };
  const create = withCreate.createConnection.bind(agent);
  withCreate.createConnection = (options, callback) => {
    const socket = create(options, callback);
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`${CONNECT_TIMEOUT_MARK} after ${connectMs} ms`), { code: 'ETIMEDOUT' }));
    }, connectMs);
    timer.unref();
    socket.once(tls ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
  return agent;
}

/**
 * A per-retry pipeline policy that bounds each attempt: the connect timeout through its own agents, the response
 * timeout through an abort signal chained to the caller's. A timed-out attempt becomes an {@link ArmTimeoutError}.
 */
export function armTimeoutPolicy(timeouts: ArmTimeouts, endpoint: string): PipelinePolicy {
  const agents = {
    http: agentWithConnectTimeout(new http.Agent({ keepAlive: true }), timeouts.connectMs, false),
    https: agentWithConnectTimeout(new https.Agent({ keepAlive: true }), timeouts.connectMs, true),
  };
  const attempts = new WeakMap<object, number>();
  return {
    name: 'armTimeoutPolicy',
    async sendRequest(request, next) {
      const attempt = (attempts.get(request) ?? 0) + 1;
      attempts.set(request, attempt);
      request.agent ??= request.url.startsWith('https:') ? agents.https : agents.http;
      const outer = request.abortSignal;
      const controller = new AbortController();
      const forward = () => controller.abort();
      if (outer?.aborted) controller.abort();
      outer?.addEventListener('abort', forward);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeouts.responseMs);
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (error) {
        if (timedOut) throw new ArmTimeoutError(endpoint, 'response', timeouts.responseMs, attempt);
        if (String((error as Error)?.message ?? '').startsWith(CONNECT_TIMEOUT_MARK)) throw new ArmTimeoutError(endpoint, 'connect', timeouts.connectMs, attempt);
        throw error;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', forward);
        request.abortSignal = outer;
        if (request.agent === agents.http || request.agent === agents.https) request.agent = undefined;
      }
    },
  };
}
