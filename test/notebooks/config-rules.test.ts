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
    const issues = exampleConfigIssues((text) => text.replace('        large: { displayName: "Large (6 CPU, 32 GiB)", cpu: 6, memory: 32Gi }', '        large: { displayName: "Large (6 CPU, 32 GiB)", cpu: 6, memory: 32Gi, gpus: 1, gpuPool: spark }'));
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

  describe('each profile fits a node of its pool and the namespace (one case per branch)', () => {
    // Standard_E8ds_v5: allocatable 7.82 CPU and 64Gi less max(5.48Gi + 750Mi, 5150Mi) (lib/core/vm-sizes.ts), less
    // the HDFS datanode (500m, 2Gi) that runs on every node of the spark pool.
    const large = (c: Cluster, cpu: number, memory: string) => { notebooks(c).profiles.large = { displayName: 'L', cpu, memory }; };

    test('CPU above a node of the pool less the HDFS datanode', () => {
      expect(violations((c) => large(c, 7.5, '32Gi'))).toEqual([{ path: at('profiles.large.cpu'), message: expect.stringMatching(/guarantees 7\.5 CPU, but a node of pool 'spark' \(Standard_E8ds_v5\) has 7\.32 CPU for it \(allocatable 7\.82 CPU less the HDFS datanode \(0\.5 CPU, 2Gi\) on every node\)/) }]);
      // 7.3 fits only because the datanode's 500m is counted, not the whole vCPU count
      expect(violations((c) => large(c, 7.3, '32Gi'))).toEqual([]);
      // without HDFS on the pool, the whole allocatable is there
      expect(violations((c) => { large(c, 7.5, '32Gi'); c.dataProcessing!.hdfs!.nodePool = 'kafka'; }).filter((v) => v.path === at('profiles.large.cpu'))).toEqual([]);
    });

    test('memory above a node of the pool less the HDFS datanode', () => {
      expect(violations((c) => large(c, 6, '56Gi'))).toEqual([{ path: at('profiles.large.memory'), message: expect.stringMatching(/guarantees 56Gi of memory, but a node of pool 'spark' \(Standard_E8ds_v5\) has 55\.79Gi for it .* use at most 55Gi/) }]);
      expect(violations((c) => large(c, 6, '55Gi'))).toEqual([]);
    });

    test('a GPU profile is checked against its GPU pool, not the notebooks pool', () => {
      const gpu = (c: Cluster) => { c.nodePools.gpu = { mode: 'User', vmSize: 'Standard_NC24ads_A100_v4', minCount: 0, maxCount: 2, gpusPerNode: 1, taints: ['sku=gpu:NoSchedule'] }; };
      // 16 CPU is more than an E8ds_v5 but fits an NC24ads_A100_v4 (24 vCPUs)
      expect(violations((c) => { gpu(c); notebooks(c).profiles.g = { displayName: 'G', cpu: 16, memory: '64Gi', gpus: 1, gpuPool: 'gpu' }; })).toEqual([]);
      expect(violations((c) => { gpu(c); notebooks(c).profiles.g = { displayName: 'G', cpu: 23.8, memory: '64Gi', gpus: 1, gpuPool: 'gpu' }; }))
        .toEqual([{ path: at('profiles.g.cpu'), message: expect.stringMatching(/a node of pool 'gpu' \(Standard_NC24ads_A100_v4\) has 23\.58 CPU for it \(allocatable 23\.58 CPU\)/) }]);
    });

    test('CPU limit above the LimitRange maximum', () => {
      expect(violations((c) => { c.namespaces.jupyter.containerDefaults = { request: { cpu: '100m', memory: '128Mi' }, limit: { cpu: '1', memory: '1Gi' }, max: { cpu: '4', memory: '64Gi' } }; }))
        .toEqual([{ path: at('profiles.large.cpu'), message: expect.stringMatching(/profile 'large' has a CPU limit of 6 CPU, above the maximum 4 of namespace 'jupyter' \(LimitRange, namespaces\.jupyter\.containerDefaults\.max\)/) }]);
    });

    test('memory limit above the LimitRange maximum', () => {
      expect(violations((c) => { c.namespaces.jupyter.containerDefaults = { request: { cpu: '100m', memory: '128Mi' }, limit: { cpu: '1', memory: '1Gi' }, max: { cpu: '8', memory: '16Gi' } }; }))
        .toEqual([{ path: at('profiles.large.memory'), message: expect.stringMatching(/memory limit of 32Gi, above the maximum 16Gi/) }]);
    });

    test('quota: requests next to the hub and proxy, limits, GPUs and pods', () => {
      const quota = (c: Cluster, edit: Record<string, string | number>) => { c.namespaces.jupyter.quota = { ...c.namespaces.jupyter.quota!, ...edit }; };
      expect(violations((c) => quota(c, { 'requests.cpu': '6' })))
        .toEqual([{ path: at('profiles.large.cpu'), message: expect.stringMatching(/one server of profile 'large' \(6 CPU requests\.cpu\) next to the hub and proxy \(0\.2 CPU\) needs 6\.2 CPU, more than the quota of namespace 'jupyter' allows \(namespaces\.jupyter\.quota\.requests\.cpu: 6\)/) }]);
      expect(violations((c) => quota(c, { 'requests.memory': '32Gi' })))
        .toEqual([{ path: at('profiles.large.memory'), message: expect.stringMatching(/\(32Gi requests\.memory\) next to the hub and proxy \(0\.75Gi\) needs 32\.75Gi/) }]);
      expect(violations((c) => quota(c, { 'limits.cpu': '7' })))
        .toEqual([{ path: at('profiles.large.cpu'), message: expect.stringMatching(/\(6 CPU limits\.cpu\) next to the hub and proxy \(1\.5 CPU\) needs 7\.5 CPU/) }]);
      expect(violations((c) => quota(c, { 'limits.memory': '33Gi' })))
        .toEqual([{ path: at('profiles.large.memory'), message: expect.stringMatching(/\(32Gi limits\.memory\) next to the hub and proxy \(1\.5Gi\) needs 33\.5Gi/) }]);
      expect(violations((c) => quota(c, { pods: 2 })).map((v) => v.path)).toEqual([at('profiles.small'), at('profiles.large')]);
      expect(violations((c) => {
        c.nodePools.gpu = { mode: 'User', vmSize: 'Standard_NC24ads_A100_v4', minCount: 0, maxCount: 2, gpusPerNode: 1, taints: ['sku=gpu:NoSchedule'] };
        notebooks(c).profiles.g = { displayName: 'G', cpu: 8, memory: '32Gi', gpus: 1, gpuPool: 'gpu' };
        quota(c, { 'requests.nvidia.com/gpu': 0 });
      })).toEqual([{ path: at('profiles.g.gpus'), message: expect.stringMatching(/\(1 requests\.nvidia\.com\/gpu\) next to the hub and proxy \(0\) needs 1/) }]);
      // at exactly the quota, it fits
      expect(violations((c) => quota(c, { 'requests.cpu': '6.2' }))).toEqual([]);
    });
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
