/** The config rules of the notebooks section: one failure test per rule, and their wiring into loading. */
import { CONFIG_RULES } from '../../lib/config/platform-rules';
import { PlatformConfig } from '../../lib/config/schema';
import { NOTEBOOKS_RULES } from '../../lib/notebooks/config-rules';
import { exampleConfig, exampleConfigIssues } from '../util';

type Cluster = PlatformConfig['clusters'][string];

function violations(edit: (cluster: Cluster) => void): { path: string; message: string }[] {
  const config = exampleConfig();
  edit(config.clusters['data-processing']);
  return NOTEBOOKS_RULES.flatMap((rule) => rule(config)).map((v) => ({ path: v.path.join('.'), message: v.message }));
}

const at = (suffix: string) => `clusters.data-processing.notebooks${suffix ? `.${suffix}` : ''}`;
const notebooks = (c: Cluster) => c.notebooks!;

describe('notebooks config rules', () => {
  test('the example config passes, and the rules run on load', () => {
    expect(violations(() => undefined)).toEqual([]);
    for (const rule of NOTEBOOKS_RULES) expect(CONFIG_RULES).toContain(rule);
  });

  test('a GPU profile on a cluster without a GPU pool is an error with file and line', () => {
    const issues = exampleConfigIssues((text) => text.replace('        large: { displayName: "Large (8 CPU, 32 GiB)", cpu: 8, memory: 32Gi }', '        large: { displayName: "Large (8 CPU, 32 GiB)", cpu: 8, memory: 32Gi, gpus: 1, gpuPool: spark }'));
    const issue = issues.find((i) => i.path.join('.') === at('profiles.large.gpus'))!;
    expect(issue.message).toMatch(/the cluster has no GPU pool/);
    expect(issue.line ?? 0).toBeGreaterThan(0);
  });

  test('GPU profiles need a GPU pool that has enough GPUs per node', () => {
    const gpu = (c: Cluster) => { c.nodePools.gpu = { mode: 'User', vmSize: 'Standard_NC24ads_A100_v4', minCount: 0, maxCount: 2, gpusPerNode: 1, taints: ['sku=gpu:NoSchedule'] }; };
    expect(violations((c) => { gpu(c); notebooks(c).profiles.g = { displayName: 'G', cpu: 8, memory: '64Gi', gpus: 2, gpuPool: 'gpu' }; }))
      .toContainEqual({ path: at('profiles.g.gpus'), message: expect.stringMatching(/asks for 2 GPUs, but a node of pool 'gpu' has 1/) });
    expect(violations((c) => { gpu(c); notebooks(c).profiles.g = { displayName: 'G', cpu: 8, memory: '64Gi', gpus: 1 }; }))
      .toContainEqual({ path: at('profiles.g.gpuPool'), message: expect.stringMatching(/name its GPU pool/) });
    expect(violations((c) => { gpu(c); notebooks(c).profiles.g = { displayName: 'G', cpu: 8, memory: '64Gi', gpus: 1, gpuPool: 'spark' }; }))
      .toContainEqual({ path: at('profiles.g.gpuPool'), message: expect.stringMatching(/'spark' is not a GPU pool/) });
    expect(violations((c) => { gpu(c); notebooks(c).profiles.g = { displayName: 'G', cpu: 8, memory: '64Gi', gpus: 1, gpuPool: 'gpu' }; })).toEqual([]);
    expect(violations((c) => { notebooks(c).profiles.large.default = true; })).toContainEqual({ path: at('profiles'), message: expect.stringMatching(/all marked default/) });
  });

  test('references: namespace, identity, pool, chart pin, Spark namespace', () => {
    expect(violations((c) => { notebooks(c).namespace = 'nowhere'; })).toContainEqual({ path: at('namespace'), message: expect.stringMatching(/not under namespaces/) });
    expect(violations((c) => { notebooks(c).identity = 'nobody'; })).toContainEqual({ path: at('identity'), message: expect.stringMatching(/identity 'nobody' is not under identities/) });
    expect(violations((c) => { notebooks(c).nodePool = 'system'; })).toContainEqual({ path: at('nodePool'), message: expect.stringMatching(/is a System pool/) });
    expect(violations((c) => { delete c.operators!.jupyterhub; })).toContainEqual({ path: at(''), message: expect.stringMatching(/operators.jupyterhub does not pin its chart/) });
    expect(violations((c) => { notebooks(c).sparkSubmission = { namespace: 'nifi' }; })).toContainEqual({ path: at('sparkSubmission.namespace'), message: expect.stringMatching(/'nifi' is not a Spark namespace/) });
  });

  test('the hub route: routing on the cluster, the callback URL\'s host, served by the routing', () => {
    expect(violations((c) => { delete c.routing; })).toContainEqual({ path: at('route'), message: expect.stringMatching(/JupyterHub's route goes through the cluster's gateway, but cluster 'data-processing' has no routing section/) });
    expect(violations((c) => { notebooks(c).route = { host: 'hub.example.com' }; }))
      .toContainEqual({ path: at('route.host'), message: expect.stringMatching(/the route serves 'hub\.example\.com', but auth\.callbackUrl .* sends users back to 'notebooks\.example\.com'/) });
    expect(violations((c) => { notebooks(c).route = { host: 'notebooks.example.com' }; })).toEqual([]);
    expect(violations((c) => { c.routing!.hosts = ['nifi.example.com']; }))
      .toContainEqual({ path: at('auth.callbackUrl'), message: expect.stringMatching(/host 'notebooks\.example\.com' \(of the OAuth callback URL\) is not served .* add it to clusters\.data-processing\.routing\.hosts/) });
    expect(violations((c) => { notebooks(c).auth.callbackUrl = 'https://notebooks.example.com:8443/hub/oauth_callback'; }))
      .toContainEqual({ path: at('auth.callbackUrl'), message: expect.stringMatching(/names another port; use https:\/\/notebooks\.example\.com\/hub\/oauth_callback/) });
    // no route, no requirement
    expect(violations((c) => { delete c.routing; delete notebooks(c).route; })).toEqual([]);
  });
});
