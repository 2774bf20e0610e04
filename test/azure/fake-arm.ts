/**
 * A small fake Azure Resource Manager on 127.0.0.1 (ephemeral port, http or https) for driving the real
 * `@azure/arm-containerservice` client end to end. Routes answer by method and path (query ignored); a route can
 * give a sequence of answers (the last one repeats). Requests are bounded: past `maxRequests` every answer is a
 * 500 and `overLimit` is set, so a retry loop cannot run away.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { AddressInfo } from 'net';
import { AzureClusterConfig } from '../../lib/azure/config';

export interface FakeResponse {
  readonly status: number;
  /** JSON body (serialized) ... */
  readonly body?: unknown;
  /** ... or the exact bytes to send (recorded bodies). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authorization?: string;
}

export type Routes = Record<string, FakeResponse | FakeResponse[]>;

export class FakeArm {
  /** Starts on an ephemeral port; pass `tls` for https. */
  public static async start(routes: Routes, options: { maxRequests?: number; tls?: { key: string; cert: string } } = {}): Promise<FakeArm> {
    const fake = new FakeArm(routes, options.maxRequests ?? 40, options.tls);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  public readonly requests: SeenRequest[] = [];
  public overLimit = false;
  private readonly server: http.Server;
  private readonly served = new Map<string, number>();
  private readonly scheme: string;

  private constructor(private readonly routes: Routes, private readonly maxRequests: number, tls?: { key: string; cert: string }) {
    const handler: http.RequestListener = (req, res) => this.answer(req, res);
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = 100;
    this.scheme = tls ? 'https' : 'http';
  }

  public get url(): string {
    return `${this.scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.search, authorization: req.headers.authorization });
    let response: FakeResponse;
    if (this.requests.length > this.maxRequests) {
      this.overLimit = true;
      response = { status: 500, body: { error: { code: 'FakeArmRequestLimit', message: 'the fake ARM request limit was reached' } } };
    } else {
      const key = `${req.method} ${url.pathname}`;
      const route = this.routes[key];
      const sequence = route === undefined ? undefined : Array.isArray(route) ? route : [route];
      const index = this.served.get(key) ?? 0;
      this.served.set(key, index + 1);
      response = sequence?.[Math.min(index, sequence.length - 1)]
        ?? { status: 404, body: { error: { code: 'FakeArmNoRoute', message: `the fake ARM has no route for ${key}` } } };
    }
    const body = response.rawBody ?? (response.body === undefined ? '' : JSON.stringify(response.body));
    res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8', ...response.headers }).end(body);
  }
}

/** The ARM path of a managed cluster. */
export function clusterPath(azure: AzureClusterConfig): string {
  return `/subscriptions/${azure.subscriptionId}/resourceGroups/${azure.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${azure.name}`;
}

/** The shared recorded responses (read at test time, never copied into the repository). */
export const ARM_EXAMPLES = path.resolve(__dirname, '../../../shared/azure-arm-examples');
export const FIXTURES = path.join(__dirname, 'fixtures');

/** A recorded body, byte-exact. */
export function recordedBody(file: string): string {
  return fs.readFileSync(path.join(ARM_EXAMPLES, 'azure-cli-recordings', file), 'utf8');
}

/** The 200 body of an upstream spec example. */
export function specExampleBody(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(ARM_EXAMPLES, 'rest-api-specs-2026-06-01', file), 'utf8')).responses['200'].body;
}

/** A synthetic fixture of test/azure/fixtures (a fresh copy, free to modify). */
export function synthetic(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
}

export const RECORDED_CLUSTER = 'ManagedCluster_Get_200_workloadIdentity_oidcIssuer.body.json';
export const RECORDED_NOT_FOUND = 'ManagedCluster_Get_404_ResourceNotFound.body.json';
/** Headers ARM sends with gateway-level errors, as recorded. */
export const GATEWAY_ERROR_HEADERS = { 'x-ms-failure-cause': 'gateway' };

/** A test credential: never DefaultAzureCredential, which would probe the machine. */
export const TEST_TOKEN = 'test-arm-token-must-never-be-printed';
export const testCredential = { getToken: async () => ({ token: TEST_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) };

/** Fast, still bounded retries for tests. */
export const TEST_RETRY = { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 50 };

/** Collects what a run prints. */
export function captureOutput() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, deps: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, all: () => [...out, ...err].join('\n') };
}
