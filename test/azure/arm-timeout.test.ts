/**
 * Issue 14, item 3: bounded Azure calls. Before: preflight and `deploy --dry-run` hung for ever, silently, when
 * the management endpoint accepted the connection and never answered. Now every attempt has a connect and a
 * response timeout, the retries are bounded, and the message names the endpoint and the timeout. The silent
 * endpoint is a local server on 127.0.0.1 that accepts connections and never writes a byte.
 */
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { agentWithConnectTimeout, DEFAULT_ARM_TIMEOUTS, resolveArmTimeouts } from '../../lib/azure/arm-timeouts';
import { runDeploy } from '../../lib/azure/deploy';
import { EXIT, ToolFailure } from '../../lib/azure/errors';
import { runPreflight } from '../../lib/azure/preflight';
import { EXAMPLE_CONFIG } from '../util';
import { captureOutput, testCredential } from './fake-arm';

const CONFIG_DIR = path.dirname(EXAMPLE_CONFIG);
const RETRY = { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 };

/** Accepts every connection on 127.0.0.1 and never answers; counts connections; bounded by the test's run. */
class SilentServer {
  public connections = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    // read and ignore the request; never write
    socket.resume();
  });

  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  public async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let silent: SilentServer;
let endpoint: string;
beforeEach(async () => {
  silent = new SilentServer();
  endpoint = await silent.start();
});
afterEach(async () => silent.close());

test('preflight against an endpoint that never answers: exit 7 within the bound, naming the endpoint and the timeout', async () => {
  const output = captureOutput();
  const started = Date.now();
  const code = await runPreflight(['--config-dir', CONFIG_DIR, '--cluster', 'training', '--arm-endpoint', endpoint, '--arm-timeout', '400ms'],
    { env: {}, ...output.deps, credential: testCredential, retry: RETRY });
  const elapsed = Date.now() - started;
  expect(code).toBe(EXIT.TRANSIENT);
  expect(output.err.join('\n')).toMatch(new RegExp(`no response from ${endpoint.replace(/[.]/g, '\\.')} within 400 ms \\(--arm-timeout / AZURE_ARM_TIMEOUT\\) while reading AKS cluster 'aks-example-training'.*after 3 attempts`));
  // 3 attempts of 400 ms plus two short back-offs: bounded, nowhere near "for ever"
  expect(silent.connections).toBe(3);
  expect(elapsed).toBeGreaterThanOrEqual(3 * 400);
  expect(elapsed).toBeLessThan(10_000);
});

test('deploy --dry-run against an endpoint that never answers fails the same way (AZURE_ARM_TIMEOUT)', async () => {
  const output = captureOutput();
  const code = await runDeploy(['--config-dir', CONFIG_DIR, '--cluster', 'training', '--arm-endpoint', endpoint, '--dry-run'],
    { env: { AZURE_ARM_TIMEOUT: '300ms' }, ...output.deps, credential: testCredential, retry: RETRY });
  expect(code).toBe(EXIT.TRANSIENT);
  expect(output.err.join('\n')).toMatch(/deploy: no response from http:\/\/127\.0\.0\.1:\d+ within 300 ms/);
  expect(silent.connections).toBe(3);
});

test('a server that sends headers and then stalls the body is cut off too', async () => {
  const stalling = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id": ');
  });
  await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
  try {
    const output = captureOutput();
    const url = `http://127.0.0.1:${(stalling.address() as net.AddressInfo).port}`;
    const code = await runPreflight(['--config-dir', CONFIG_DIR, '--cluster', 'training', '--arm-endpoint', url, '--arm-timeout', '300ms'],
      { env: {}, ...output.deps, credential: testCredential, retry: { ...RETRY, maxRetries: 0 } });
    expect(code).toBe(EXIT.TRANSIENT);
    expect(output.err.join('\n')).toMatch(/no response from .* within 300 ms .*after 1 attempt\b/);
  } finally {
    stalling.closeAllConnections();
    await new Promise<void>((resolve) => stalling.close(() => resolve()));
  }
});

test('the connect timeout destroys a socket that never connects (emulated: loopback connects at once, so the socket is one that never gets a connect event)', async () => {
  const agent = new http.Agent();
  (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => new net.Socket();
  agentWithConnectTimeout(agent, 50, false);
  const socket = (agent as unknown as { createConnection: (o: object) => net.Socket }).createConnection({});
  const error = await new Promise<Error>((resolve) => socket.once('error', resolve));
  expect(error.message).toBe('connect timed out after 50 ms');
  expect((error as Error & { code: string }).code).toBe('ETIMEDOUT');
  expect(socket.destroyed).toBe(true);
});

describe('--arm-timeout / AZURE_ARM_TIMEOUT', () => {
  test('default: 10 s to connect, 30 s to answer', () => expect(resolveArmTimeouts(undefined, {})).toEqual(DEFAULT_ARM_TIMEOUTS));
  test('the flag wins over the environment; the connect timeout is at most 10 s', () => {
    expect(resolveArmTimeouts('2m', { AZURE_ARM_TIMEOUT: '5s' })).toEqual({ connectMs: 10_000, responseMs: 120_000 });
    expect(resolveArmTimeouts(undefined, { AZURE_ARM_TIMEOUT: '5s' })).toEqual({ connectMs: 5_000, responseMs: 5_000 });
  });
  test.each(['0s', 'forever', '20m', '10'])('%s is a usage error', (value) => {
    expect(() => resolveArmTimeouts(value, {})).toThrow(ToolFailure);
    expect(() => resolveArmTimeouts(value, {})).toThrow(/--arm-timeout \(.*\) must be a duration from 100ms to 10m/);
  });
});
