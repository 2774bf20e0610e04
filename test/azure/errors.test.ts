/** Every error path people meet: one clear line, a distinct exit status, never a stack trace or a secret. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLE_CONFIG, exampleConfig } from '../util';
import { runPreflight } from '../../lib/azure/preflight';
import { EXIT } from '../../lib/azure/errors';
import { captureOutput, clusterPath, FakeArm, GATEWAY_ERROR_HEADERS, RECORDED_CLUSTER, RECORDED_NOT_FOUND, recordedBody, Routes, synthetic, TEST_RETRY, TEST_TOKEN, testCredential } from './fake-arm';

const config = exampleConfig();
const training = config.clusters.training;
const GET_TRAINING = `GET ${clusterPath(training.azure)}`;
const CONFIG_DIR = path.dirname(EXAMPLE_CONFIG);
const MATCHING = synthetic('managed-cluster-training.synthetic.json');

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function run(routes: Routes, options: { args?: string[]; env?: NodeJS.ProcessEnv; credential?: any } = {}) {
  fake = await FakeArm.start(routes);
  const output = captureOutput();
  const credential = 'credential' in options ? options.credential : testCredential;
  const code = await runPreflight(['--config-dir', CONFIG_DIR, '--arm-endpoint', fake.url, '--cluster', 'training', ...(options.args ?? [])],
    { env: options.env ?? {}, ...output.deps, credential, retry: TEST_RETRY });
  return { code, ...output, fake };
}

/** One line on stderr, no stack frames, no token. */
function expectOneCleanLine(err: string[], all: string) {
  expect(err).toHaveLength(1);
  expect(err[0]).not.toContain('\n');
  expect(all).not.toMatch(/\n\s+at /);
  expect(all).not.toContain(TEST_TOKEN);
}

test('403 AuthorizationFailed: exit 5 and the fix names the role', async () => {
  const { code, err, all, fake: arm } = await run({ [GET_TRAINING]: { status: 403, body: synthetic('authorization-failed.synthetic.json'), headers: GATEWAY_ERROR_HEADERS } });
  expect(code).toBe(EXIT.FORBIDDEN);
  expectOneCleanLine(err, all());
  expect(err[0]).toContain('403 AuthorizationFailed');
  expect(err[0]).toContain("'Microsoft.ContainerService/managedClusters/read'");
  expect(err[0]).toContain('Azure Kubernetes Service Cluster User Role');
  expect(arm.requests).toHaveLength(1); // 403 is not retried
});

test('404 ResourceNotFound (recorded): exit 6 naming the cluster', async () => {
  const { code, err, all } = await run({ [GET_TRAINING]: { status: 404, rawBody: recordedBody(RECORDED_NOT_FOUND), headers: GATEWAY_ERROR_HEADERS } });
  expect(code).toBe(EXIT.NOT_FOUND);
  expectOneCleanLine(err, all());
  expect(err[0]).toContain(`AKS cluster '${training.azure.name}' does not exist in subscription ${training.azure.subscriptionId}`);
});

test('404 ResourceGroupNotFound: exit 6 naming the resource group', async () => {
  const { code, err, all } = await run({ [GET_TRAINING]: { status: 404, body: synthetic('resource-group-not-found.synthetic.json'), headers: GATEWAY_ERROR_HEADERS } });
  expect(code).toBe(EXIT.NOT_FOUND);
  expectOneCleanLine(err, all());
  expect(err[0]).toContain(`resource group '${training.azure.resourceGroup}' does not exist`);
});

test('401 expired token: exit 4', async () => {
  const { code, err, all } = await run({ [GET_TRAINING]: { status: 401, body: synthetic('expired-token.synthetic.json') } });
  expect(code).toBe(EXIT.NOT_LOGGED_IN);
  expectOneCleanLine(err, all());
  expect(err[0]).toContain('401 ExpiredAuthenticationToken');
});

test('not logged in (the real default credential chain finds nothing): exit 4, no request sent', async () => {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('AZURE_')) delete process.env[key];
  process.env.AZURE_TOKEN_CREDENTIALS = 'EnvironmentCredential'; // no IMDS or az CLI probing in a test
  try {
    const { code, err, all, fake: arm } = await run({ [GET_TRAINING]: { status: 200, body: MATCHING } }, { credential: undefined, env: process.env });
    expect(code).toBe(EXIT.NOT_LOGGED_IN);
    expectOneCleanLine(err, all());
    expect(err[0]).toContain("run 'az login'");
    expect(arm.requests).toHaveLength(0);
  } finally {
    process.env = saved;
  }
});

test('AZURE_ACCESS_TOKEN is sent instead of the credential chain, and never printed', async () => {
  const token = 'ci-issued-token-value-123';
  const { code, all, fake: arm } = await run({ [GET_TRAINING]: { status: 200, body: MATCHING } }, { credential: undefined, env: { AZURE_ACCESS_TOKEN: token } });
  expect(code).toBe(EXIT.OK);
  expect(arm.requests.map((r) => r.authorization)).toEqual([`Bearer ${token}`]);
  expect(all()).not.toContain(token);
});

test('transient 5xx is retried, then succeeds', async () => {
  const { code, fake: arm } = await run({ [GET_TRAINING]: [{ status: 503, body: {} }, { status: 500, body: {} }, { status: 200, body: MATCHING }] });
  expect(code).toBe(EXIT.OK);
  expect(arm.requests).toHaveLength(3);
});

test('persistent 5xx stops after the retry bound: exit 7', async () => {
  const { code, err, all, fake: arm } = await run({ [GET_TRAINING]: { status: 500, body: { error: { code: 'InternalServerError', message: 'synthetic' } } } });
  expect(code).toBe(EXIT.TRANSIENT);
  expectOneCleanLine(err, all());
  expect(err[0]).toContain('HTTP 500');
  expect(arm.requests).toHaveLength(TEST_RETRY.maxRetries + 1);
  expect(arm.overLimit).toBe(false);
});

test('throttling: a huge Retry-After is capped by the retry bound', async () => {
  const started = Date.now();
  const { code, fake: arm } = await run({ [GET_TRAINING]: [{ status: 429, body: synthetic('throttled.synthetic.json'), headers: { 'retry-after': '3600' } }, { status: 200, body: MATCHING }] });
  expect(code).toBe(EXIT.OK);
  expect(arm.requests).toHaveLength(2);
  expect(Date.now() - started).toBeLessThan(5000);
});

test('persistent throttling: exit 7 after the bound', async () => {
  const { code, err, fake: arm } = await run({ [GET_TRAINING]: { status: 429, body: synthetic('throttled.synthetic.json'), headers: { 'retry-after': '1' } } });
  expect(code).toBe(EXIT.TRANSIENT);
  expect(err[0]).toContain('HTTP 429 TooManyRequests');
  expect(arm.requests).toHaveLength(TEST_RETRY.maxRetries + 1);
});

test('unreachable endpoint: exit 7', async () => {
  const closed = await FakeArm.start({});
  const url = closed.url;
  await closed.close();
  const output = captureOutput();
  const code = await runPreflight(['--config-dir', CONFIG_DIR, '--arm-endpoint', url, '--cluster', 'training'], { env: {}, ...output.deps, credential: testCredential, retry: TEST_RETRY });
  expect(code).toBe(EXIT.TRANSIENT);
  expectOneCleanLine(output.err, output.all());
  expect(output.err[0]).toContain('cannot reach Azure Resource Manager (ECONNREFUSED)');
});

test('stopped cluster (synthetic: the recording with powerState Stopped): exit 8 with the start command', async () => {
  const stopped = JSON.parse(recordedBody(RECORDED_CLUSTER));
  stopped.properties.powerState.code = 'Stopped';
  const { code, err, all } = await run({ [GET_TRAINING]: { status: 200, body: stopped } });
  expect(code).toBe(EXIT.CLUSTER_STOPPED);
  expectOneCleanLine(err, all());
  expect(err[0]).toContain(`az aks start --resource-group ${training.azure.resourceGroup} --name ${training.azure.name}`);
});

test('an error on one cluster does not hide the others; the exit status is the error kind', async () => {
  fake = await FakeArm.start({
    [`GET ${clusterPath(config.clusters['data-processing'].azure)}`]: { status: 403, body: synthetic('authorization-failed.synthetic.json') },
    [GET_TRAINING]: { status: 200, body: MATCHING },
    [`GET ${clusterPath(config.clusters.serving.azure)}`]: { status: 404, rawBody: recordedBody(RECORDED_NOT_FOUND) },
  });
  const output = captureOutput();
  const code = await runPreflight(['--config-dir', CONFIG_DIR, '--arm-endpoint', fake.url, '--json'], { env: {}, ...output.deps, credential: testCredential, retry: TEST_RETRY });
  expect(code).toBe(EXIT.FORBIDDEN);
  const report = JSON.parse(output.out.join('\n'));
  expect(report.clusters.map((c: any) => [c.name, c.status, c.error?.exitCode])).toEqual([
    ['data-processing', 'error', EXIT.FORBIDDEN], ['training', 'pass', undefined], ['serving', 'error', EXIT.NOT_FOUND],
  ]);
  expect(output.err).toHaveLength(2);
});

describe('usage and config errors', () => {
  async function usage(args: string[], configDir = CONFIG_DIR, env: NodeJS.ProcessEnv = {}) {
    const output = captureOutput();
    const code = await runPreflight(['--config-dir', configDir, ...args], { env, ...output.deps, credential: testCredential, retry: TEST_RETRY });
    return { code, ...output };
  }

  test('unknown cluster: exit 2 listing the clusters', async () => {
    const { code, err } = await usage(['--cluster', 'nope']);
    expect(code).toBe(EXIT.USAGE);
    expect(err[0]).toContain("has no cluster 'nope'; its clusters are: data-processing, training, serving");
  });

  test('unknown environment: exit 2', async () => {
    const { code, err } = await usage(['--env', 'prod']);
    expect(code).toBe(EXIT.USAGE);
    expect(err[0]).toContain("no config for environment 'prod'");
  });

  test('unknown option: exit 2 with the usage', async () => {
    const { code, err } = await usage(['--clustr', 'training']);
    expect(code).toBe(EXIT.USAGE);
    expect(err[0]).toMatch(/unknown option --clustr\nusage: npm run preflight/);
  });

  test('plain http to a non-loopback endpoint: exit 2 (flag and environment variable)', async () => {
    expect((await usage(['--arm-endpoint', 'http://management.example.com'])).code).toBe(EXIT.USAGE);
    const fromEnv = await usage([], CONFIG_DIR, { AZURE_ARM_ENDPOINT: 'http://10.0.0.5:8080' });
    expect(fromEnv.code).toBe(EXIT.USAGE);
    expect(fromEnv.err[0]).toContain('AZURE_ARM_ENDPOINT (http://10.0.0.5:8080) uses plain http');
  });

  test('invalid config: exit 3 with every problem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-config-'));
    try {
      fs.writeFileSync(path.join(dir, 'broken.yaml'), fs.readFileSync(EXAMPLE_CONFIG, 'utf8').replace('kubernetesVersion: "1.31"', 'kubernetesVersion: "one"'));
      const { code, err } = await usage(['--env', 'broken'], dir);
      expect(code).toBe(EXIT.CONFIG);
      expect(err[0]).toContain('kubernetesVersion');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
