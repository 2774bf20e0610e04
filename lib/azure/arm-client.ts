/**
 * Builds the `@azure/arm-containerservice` client: the endpoint, the credential (a pre-issued
 * `AZURE_ACCESS_TOKEN`, or the default chain of `@azure/identity`), bounded retries, and the token scope of the
 * endpoint's cloud. Tokens go only into the Authorization header of ARM requests; they are never printed.
 */
import { ContainerServiceClient, ContainerServiceClientOptionalParams } from '@azure/arm-containerservice';
import { AccessToken, DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { ArmEndpoint } from './arm-endpoint';
import { armTimeoutPolicy, ArmTimeouts, DEFAULT_ARM_TIMEOUTS } from './arm-timeouts';

type PipelinePolicy = NonNullable<ContainerServiceClientOptionalParams['additionalPolicies']>[number]['policy'];

/** Name of the SDK's bearer policy (from @azure/core-rest-pipeline); it refuses non-https URLs outright. */
const BEARER_POLICY_NAME = 'bearerTokenAuthenticationPolicy';

/** How hard to retry throttling, transient 5xx and network errors. */
export interface RetryBounds {
  /** Retries after the first attempt. @default 3 */
  readonly maxRetries?: number;
  /** First back-off delay; it doubles per retry (with jitter). @default 1000 */
  readonly retryDelayInMs?: number;
  /** Longest wait before one retry, also the cap on a server's Retry-After. @default 30000 */
  readonly maxRetryDelayInMs?: number;
}

export interface ArmClientOptions {
  readonly subscriptionId: string;
  readonly endpoint: ArmEndpoint;
  readonly credential: TokenCredential;
  /** @default 3 retries, 1 s first delay, 30 s longest delay */
  readonly retry?: RetryBounds;
  /** Per-attempt connect and response timeouts. @default 10 s to connect, 30 s to answer */
  readonly timeouts?: ArmTimeouts;
}

/** A credential holding a token that was issued elsewhere (a CI job that already holds one). */
export class StaticTokenCredential implements TokenCredential {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  public async getToken(): Promise<AccessToken> {
    // The real expiry is unknown; an hour ahead keeps the SDK from asking again during one run.
    return { token: this.#token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }

  /** Keeps the token out of console.log / util.inspect of this object. */
  public toJSON(): string {
    return 'StaticTokenCredential(<redacted>)';
  }
}

/** AZURE_ACCESS_TOKEN when set (no credential chain is touched), else DefaultAzureCredential. */
export function resolveCredential(env: NodeJS.ProcessEnv): TokenCredential {
  const token = env.AZURE_ACCESS_TOKEN?.trim();
  if (token) return new StaticTokenCredential(token);
  return new DefaultAzureCredential();
}

/** The ARM client for one subscription. */
export function createArmClient(options: ArmClientOptions): ContainerServiceClient {
  const retry = options.retry ?? {};
  const maxRetryDelayInMs = retry.maxRetryDelayInMs ?? 30_000;
  const additionalPolicies: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[] = [
    { policy: capRetryAfterPolicy(maxRetryDelayInMs), position: 'perRetry' },
    { policy: armTimeoutPolicy(options.timeouts ?? DEFAULT_ARM_TIMEOUTS, options.endpoint.url), position: 'perRetry' },
  ];
  if (options.endpoint.insecureLoopback) {
    additionalPolicies.push({ policy: loopbackBearerPolicy(options.credential, options.endpoint.scope), position: 'perCall' });
  }
  const client = new ContainerServiceClient(options.credential, options.subscriptionId, {
    endpoint: options.endpoint.url,
    credentials: { scopes: [options.endpoint.scope] },
    allowInsecureConnection: options.endpoint.insecureLoopback,
    retryOptions: { maxRetries: retry.maxRetries ?? 3, retryDelayInMs: retry.retryDelayInMs ?? 1000, maxRetryDelayInMs },
    additionalPolicies,
  });
  if (options.endpoint.insecureLoopback) {
    // The SDK's bearer policy throws on every http URL, even with allowInsecureConnection; the loopback policy
    // above sends the same header instead.
    client.pipeline.removePolicy({ name: BEARER_POLICY_NAME });
  }
  return client;
}

/** Adds `Authorization: Bearer <token>` for an http loopback endpoint (the SDK's own policy refuses http). */
function loopbackBearerPolicy(credential: TokenCredential, scope: string): PipelinePolicy {
  return {
    name: 'loopbackBearerPolicy',
    async sendRequest(request, next) {
      const token = await credential.getToken(scope);
      if (!token) throw Object.assign(new Error('the credential returned no token'), { name: 'CredentialUnavailableError' });
      request.headers.set('authorization', `Bearer ${token.token}`);
      return next(request);
    },
  };
}

/**
 * The SDK honours any Retry-After on 429/503, however long. This caps it at `maxMs`, so a throttled run waits
 * at most maxRetries x maxMs in total.
 */
function capRetryAfterPolicy(maxMs: number): PipelinePolicy {
  return {
    name: 'capRetryAfterPolicy',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      for (const header of ['retry-after-ms', 'x-ms-retry-after-ms']) {
        const value = Number(response.headers.get(header));
        if (Number.isFinite(value) && value > maxMs) response.headers.set(header, String(maxMs));
      }
      const retryAfter = response.headers.get('retry-after');
      if (retryAfter !== undefined) {
        const seconds = /^\d+$/.test(retryAfter) ? Number(retryAfter) : (Date.parse(retryAfter) - Date.now()) / 1000;
        if (!Number.isFinite(seconds) || seconds * 1000 > maxMs) response.headers.set('retry-after', String(Math.floor(maxMs / 1000)));
      }
      return response;
    },
  };
}
