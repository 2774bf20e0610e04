/** Preflight end to end: the real SDK client against the fake ARM, on the example config. */
import { EXAMPLE_CONFIG, exampleConfig } from '../util';
import { runPreflight } from '../../lib/azure/preflight';
import { EXIT } from '../../lib/azure/errors';
import { checkCluster, SUPPORTED_KUBERNETES } from '../../lib/azure/cluster-checks';
import { captureOutput, clusterPath, FakeArm, RECORDED_CLUSTER, recordedBody, Routes, specExampleBody, synthetic, TEST_RETRY, TEST_TOKEN, testCredential } from './fake-arm';
import * as path from 'path';

const config = exampleConfig();
const training = config.clusters.training;
const CONFIG_DIR = path.dirname(EXAMPLE_CONFIG);

let fake: FakeArm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function preflight(routes: Routes, args: string[]) {
  fake = await FakeArm.start(routes);
  const output = captureOutput();
  const code = await runPreflight(['--config-dir', CONFIG_DIR, '--arm-endpoint', fake.url, ...args], { env: {}, ...output.deps, credential: testCredential, retry: TEST_RETRY });
  return { code, ...output, fake };
}

async function preflightJson(routes: Routes, args: string[] = ['--cluster', 'training']) {
  const run = await preflight(routes, [...args, '--json']);
  return { ...run, report: JSON.parse(run.out.join('\n')) };
}

/** The check rows of one cluster in the JSON report, keyed `check subject`. */
function rows(report: any, cluster = 'training'): Record<string, any> {
  const found = report.clusters.find((c: any) => c.name === cluster);
  return Object.fromEntries(found.checks.map((c: any) => [`${c.check} ${c.subject}`, c]));
}

function trainingServing(body: unknown): Routes {
  return { [`GET ${clusterPath(training.azure)}`]: { status: 200, body } };
}

describe('against the recorded responses', () => {
  const recorded = JSON.parse(recordedBody(RECORDED_CLUSTER));

  test('reports the real mismatches of every example cluster, with fixes', async () => {
    const routes: Routes = {
      [`GET ${clusterPath(config.clusters['data-processing'].azure)}`]: { status: 200, body: specExampleBody('ManagedClustersGet.json') },
      [`GET ${clusterPath(training.azure)}`]: { status: 200, rawBody: recordedBody(RECORDED_CLUSTER) },
      [`GET ${clusterPath(config.clusters.serving.azure)}`]: { status: 200, body: specExampleBody('ManagedClustersCreate_SecurityProfile.json') },
    };
    const { code, report, fake: arm } = await preflightJson(routes, []);
    expect(code).toBe(EXIT.MISMATCH);
    expect(report.ok).toBe(false);
    expect(arm.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Object.keys(routes));
    expect(arm.requests.every((r) => r.query.startsWith('?api-version=') && r.authorization === `Bearer ${TEST_TOKEN}`)).toBe(true);

    const t = rows(report, 'training');
    expect(t['workload-identity cluster'].status).toBe('pass');
    expect(t['oidc-issuer cluster']).toMatchObject({ status: 'fail', actual: recorded.properties.oidcIssuerProfile.issuerURL, expected: training.azure.oidcIssuerUrl });
    expect(t['oidc-issuer cluster'].fix).toContain(`clusters.training.azure.oidcIssuerUrl to ${recorded.properties.oidcIssuerProfile.issuerURL}`);
    expect(t['kubernetes-version cluster']).toMatchObject({ status: 'fail', actual: recorded.properties.currentKubernetesVersion, expected: training.kubernetesVersion });
    expect(t['kubernetes-version cluster'].fix).toContain('az aks upgrade');
    expect(t['kubernetes-supported cluster']).toMatchObject({ status: 'fail', expected: `${SUPPORTED_KUBERNETES.oldest} to ${SUPPORTED_KUBERNETES.newest}` });
    expect(t['network-plugin cluster'].status).toBe('skip'); // no HDFS on training
    expect(t['pool-exists pool gpu']).toMatchObject({ status: 'fail', actual: 'missing' });
    expect(t['pool-exists pool gpu'].fix).toBe(`az aks nodepool add --resource-group ${training.azure.resourceGroup} --cluster-name ${training.azure.name} --name gpu --subscription ${training.azure.subscriptionId} --mode User --node-vm-size Standard_NC24ads_A100_v4 --enable-cluster-autoscaler --min-count 0 --max-count 4 --node-taints sku=gpu:NoSchedule --labels accelerator=nvidia`);
    expect(t['pool-exists pool system'].status).toBe('fail');
    expect(t[`pool-unmanaged pool ${recorded.properties.agentPoolProfiles[0].name}`].status).toBe('warn');

    const d = rows(report, 'data-processing');
    expect(d['workload-identity cluster'].status).toBe('fail');
    expect(d['oidc-issuer cluster']).toMatchObject({ status: 'fail', actual: 'disabled' });
    expect(d['network-plugin cluster']).toMatchObject({ status: 'pass', actual: 'kubenet' }); // HDFS runs here; kubenet SNATs
    const s = rows(report, 'serving');
    expect(s['workload-identity cluster'].status).toBe('pass');
    expect(s['oidc-issuer cluster'].fix).toContain('--enable-oidc-issuer');
    expect(report.summary.errors).toBe(0);
    expect(arm.overLimit).toBe(false);
  });

  test('the table names each mismatch, what the cluster has, what the manifests need and the fix', async () => {
    const { code, out, fake: arm } = await preflight({ [`GET ${clusterPath(training.azure)}`]: { status: 200, rawBody: recordedBody(RECORDED_CLUSTER) } }, ['--cluster', 'training']);
    expect(code).toBe(EXIT.MISMATCH);
    expect(out.join('\n').replace(arm.url, 'http://127.0.0.1:<port>')).toMatchSnapshot();
  });
});

describe('against a matching cluster (synthetic)', () => {
  test('passes with exit 0', async () => {
    const { code, report } = await preflightJson(trainingServing(synthetic('managed-cluster-training.synthetic.json')));
    expect(code).toBe(EXIT.OK);
    expect(report.summary).toMatchObject({ failed: 0, warnings: 0, errors: 0 });
    expect(Object.values(rows(report)).map((c: any) => c.status)).not.toContain('fail');
  });
});

describe('every mismatch kind', () => {
  const cases: [string, (body: any) => void, string | string[]][] = [
    ['workload identity off', (b) => { b.properties.securityProfile.workloadIdentity.enabled = false; }, 'workload-identity cluster'],
    ['OIDC issuer off', (b) => { b.properties.oidcIssuerProfile = { enabled: false }; }, 'oidc-issuer cluster'],
    ['another OIDC issuer', (b) => { b.properties.oidcIssuerProfile.issuerURL = 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/00000000-0000-0000-0000-000000000999/'; }, 'oidc-issuer cluster'],
    ['other Kubernetes minor', (b) => { b.properties.currentKubernetesVersion = '1.32.2'; }, 'kubernetes-version cluster'],
    ['unsupported Kubernetes version', (b) => { b.properties.currentKubernetesVersion = '1.26.3'; }, ['kubernetes-version cluster', 'kubernetes-supported cluster']],
    ['GPU pool missing', (b) => { b.properties.agentPoolProfiles.pop(); }, 'pool-exists pool gpu'],
    ['GPU pool in System mode', (b) => { b.properties.agentPoolProfiles[1].mode = 'System'; }, 'pool-mode pool gpu'],
    ['GPU pool VM size', (b) => { b.properties.agentPoolProfiles[1].vmSize = 'Standard_NC6s_v3'; }, 'pool-vm-size pool gpu'],
    ['GPU taint missing', (b) => { b.properties.agentPoolProfiles[1].nodeTaints = []; }, 'pool-taints pool gpu'],
    ['extra taint', (b) => { b.properties.agentPoolProfiles[1].nodeTaints.push('team=ml:NoSchedule'); }, 'pool-taints pool gpu'],
    ['GPU label missing', (b) => { b.properties.agentPoolProfiles[1].nodeLabels = {}; }, 'pool-labels pool gpu'],
    ['no scale to zero', (b) => { b.properties.agentPoolProfiles[1].minCount = 1; }, 'pool-scale-to-zero pool gpu'],
    ['autoscaler off', (b) => { b.properties.agentPoolProfiles[1].enableAutoScaling = false; }, 'pool-scale-to-zero pool gpu'],
    ['system pool range', (b) => { b.properties.agentPoolProfiles[0].maxCount = 5; }, 'pool-autoscaler pool system'],
  ];
  test.each(cases)('%s', async (_name, mutate, failing) => {
    const body = synthetic('managed-cluster-training.synthetic.json');
    mutate(body);
    const { code, report } = await preflightJson(trainingServing(body));
    expect(code).toBe(EXIT.MISMATCH);
    const failed = Object.entries(rows(report)).filter(([, c]: [string, any]) => c.status === 'fail');
    expect(failed.map(([key]) => key)).toEqual([failing].flat());
    const [, row] = failed[0] as [string, any];
    expect(row.fix).toMatch(/\S{10,}/);
    expect(row.actual).not.toEqual(row.expected);
  });

  test('flat Azure CNI fails HDFS locality on the data-processing cluster; overlay passes', async () => {
    const dp = config.clusters['data-processing'];
    const flat = synthetic('managed-cluster-training.synthetic.json');
    flat.properties.networkProfile = { networkPlugin: 'azure' };
    const flatRun = await preflightJson({ [`GET ${clusterPath(dp.azure)}`]: { status: 200, body: flat } }, ['--cluster', 'data-processing']);
    expect(flatRun.code).toBe(EXIT.MISMATCH);
    expect(rows(flatRun.report, 'data-processing')['network-plugin cluster']).toMatchObject({ status: 'fail', actual: 'azure' });
    expect(rows(flatRun.report, 'data-processing')['network-plugin cluster'].fix).toContain('--network-plugin-mode overlay');
    await fake!.close();
    const overlay = synthetic('managed-cluster-training.synthetic.json');
    overlay.properties.networkProfile.networkDataplane = 'azure';
    const overlayRun = await preflightJson({ [`GET ${clusterPath(dp.azure)}`]: { status: 200, body: overlay } }, ['--cluster', 'data-processing']);
    expect(rows(overlayRun.report, 'data-processing')['network-plugin cluster']).toMatchObject({ status: 'pass', actual: 'azure, mode overlay, dataplane azure' });
  });

  test('the Cilium dataplane fails where HDFS needs node-IP policies (synthetic fixture), with the fix', async () => {
    const dp = config.clusters['data-processing'];
    const cilium = synthetic('managed-cluster-cilium-dataplane.synthetic.json');
    const run = await preflightJson({ [`GET ${clusterPath(dp.azure)}`]: { status: 200, body: cilium } }, ['--cluster', 'data-processing']);
    expect(run.code).toBe(EXIT.MISMATCH);
    const row = rows(run.report, 'data-processing')['network-plugin cluster'];
    expect(row).toMatchObject({ status: 'fail', actual: 'azure, mode overlay, dataplane cilium' });
    expect(row.fix).toMatch(/ignores ipBlock rules for node IPs.*networkDataplane azure/);
  });
});

describe('legacy identity mode', () => {
  test('identityMode aad-pod-identity skips the Workload Identity and OIDC checks', () => {
    const legacy = { ...training, identityMode: 'aad-pod-identity' as const };
    const facts = { name: training.azure.name, powerState: 'Running', provisioningState: 'Succeeded', kubernetesVersion: `${training.kubernetesVersion}.2`, workloadIdentityEnabled: false, oidcIssuerEnabled: false, pools: [] };
    const results = checkCluster('training', legacy, facts);
    expect(results.filter((r) => ['workload-identity', 'oidc-issuer'].includes(r.check)).map((r) => [r.check, r.status, r.expected]))
      .toEqual([['workload-identity', 'skip', expect.stringContaining('aad-pod-identity')], ['oidc-issuer', 'skip', expect.stringContaining('aad-pod-identity')]]);
    expect(checkCluster('training', training, facts).filter((r) => r.status === 'fail').map((r) => r.check)).toContain('workload-identity');
  });
});
