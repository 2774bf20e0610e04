/** The serving config: one failure per semantic rule, schema checks, and the seed's storage URI through the loader. */
import * as fs from 'fs';
import { CONFIG_RULES } from '../../lib/config/platform-rules';
import { PlatformConfig } from '../../lib/config/schema';
import { SERVING_RULES } from '../../lib/serving/config-rules';
import { EXAMPLE_CONFIG, exampleConfig, exampleConfigIssues } from '../util';

type Edit = (config: PlatformConfig) => void;

function violations(edit: Edit): string[] {
  const config = exampleConfig();
  edit(config);
  return SERVING_RULES.flatMap((rule) => rule(config)).map((v) => `${v.path.join('.')}: ${v.message}`);
}

const serving = (c: PlatformConfig) => c.clusters.serving.serving!;
const iris = (c: PlatformConfig) => serving(c).models!.iris;
const featurespace = (c: PlatformConfig) => serving(c).microservices!.featurespace;

describe('serving config rules', () => {
  test('the example config passes every rule, and the serving rules are part of CONFIG_RULES', () => {
    expect(violations(() => undefined)).toEqual([]);
    for (const rule of SERVING_RULES) expect(CONFIG_RULES).toContain(rule);
  });

  test.each<[string, Edit, RegExp]>([
    ['an undeclared namespace', (c) => { featurespace(c).namespace = 'kube-ai'; }, /^clusters\.serving\.serving\.microservices\.featurespace\.namespace: namespace 'kube-ai' is not under namespaces/],
    ['an unknown identity', (c) => { iris(c).identity = 'kserve-sa'; }, /^clusters\.serving\.serving\.models\.iris\.identity: identity 'kserve-sa' is not under identities/],
    ['an unknown node pool', (c) => { iris(c).nodePool = 'computepool'; }, /^clusters\.serving\.serving\.models\.iris\.nodePool: node pool 'computepool' is not under nodePools/],
    ['GPUs without a GPU pool', (c) => { iris(c).gpus = 1; }, /^clusters\.serving\.serving\.models\.iris\.gpus: 1 GPU\(s\) need a nodePool/],
    ['a request above its limit', (c) => { featurespace(c).resources.request.cpu = '4'; }, /^clusters\.serving\.serving\.microservices\.featurespace\.resources\.request\.cpu: request 4 must be <= limit 2/],
    ['the seed storage URI', (c) => { iris(c).storageUri = 'https://exampledatalake.dfs.core.windows.net/distributed-test-models/iris_models/mar'; },
      /^clusters\.serving\.serving\.models\.iris\.storageUri: ".*dfs.*" is not a form KServe's storage initializer reads .*: https:\/\/exampledatalake\.blob\.core\.windows\.net\/distributed-test-models\/iris_models\/mar$/],
    ['an unknown storage account', (c) => { iris(c).storageUri = 'https://otheraccount.blob.core.windows.net/models/iris'; }, /storageUri: storage account 'otheraccount' is not under azure\.storageAccounts/],
    ['minReplicas 0 without scale to zero', (c) => { iris(c).minReplicas = 0; }, /models\.iris\.minReplicas: minReplicas 0 needs scale to zero: the Standard mode with the hpa autoscaler keeps 1 replica/],
    ['min above max', (c) => { iris(c).minReplicas = 4; }, /models\.iris\.minReplicas: minReplicas \(4\) must be <= maxReplicas \(3\)/],
    ['canary in the Standard mode', (c) => { iris(c).canaryTrafficPercent = 10; }, /models\.iris\.canaryTrafficPercent: canary traffic splitting needs kserve\.deploymentMode Knative/],
    ['a metric of the other mode', (c) => { iris(c).scaleMetric = 'rps'; }, /models\.iris\.scaleMetric: scaleMetric rps is not available in the Standard mode/],
    ['a routed model in the Knative mode', (c) => { serving(c).kserve!.deploymentMode = 'Knative'; }, /models\.iris\.route: routes to models need kserve\.deploymentMode Standard/],
    ['gateway-api without a gateway', (c) => { c.clusters.serving.routing!.gateway = undefined; }, /^clusters\.serving\.routing: mode gateway-api needs a gateway block/],
    ['an undeclared gateway namespace', (c) => { delete c.clusters.serving.namespaces.gateway; }, /routing\.gateway\.namespace: namespace 'gateway' is not under namespaces/],
    ['no LoadBalancer quota for the gateway', (c) => { c.clusters.serving.namespaces.gateway.quota!['services.loadbalancers'] = 0; }, /^clusters\.serving\.namespaces\.gateway\.quota: the gateway's LoadBalancer Service needs services\.loadbalancers >= 1/],
    ['an acmeSolver without a clusterIssuer', (c) => { c.clusters.serving.routing!.tls = { secretName: 'tls', acmeSolver: 'http01' }; }, /^clusters\.serving\.routing\.tls\.acmeSolver: acmeSolver \(http01\) says how routing\.tls\.clusterIssuer solves ACME challenges .* set clusterIssuer or remove acmeSolver/],
    ['HTTP-01 (the default) for host names that need wildcard listeners', (c) => {
      for (let i = 0; i < 70; i++) serving(c).microservices![`svc${i}`] = { ...featurespace(c), volumes: undefined, route: { host: `s${i}.apps.example.com`, path: '/' } };
    }, /^clusters\.serving\.routing\.tls\.clusterIssuer: the 71 route host names need wildcard listeners \(such as \*\.apps\.example\.com\), and HTTP-01 \(the default acmeSolver\) cannot prove a wildcard name .* set routing\.tls\.acmeSolver: dns01/],
    ['acmeSolver dns01 without azureDns', (c) => { c.clusters.serving.routing!.tls.acmeSolver = 'dns01'; }, /^clusters\.serving\.routing\.tls\.acmeSolver: acmeSolver dns01 needs routing\.tls\.azureDns \(identity, zone, resourceGroup\).*add azureDns/],
    ['azureDns without acmeSolver dns01', (c) => { c.clusters.serving.routing!.tls.azureDns = { identity: 'model-reader', zone: 'example.com', resourceGroup: 'rg-dns' }; },
      /^clusters\.serving\.routing\.tls\.azureDns: azureDns is the Azure DNS zone of the DNS-01 solver; it applies only with .* \(found acmeSolver unset, so http01\): set acmeSolver: dns01 or remove azureDns/],
    ['an azureDns identity not under identities', (c) => { Object.assign(c.clusters.serving.routing!.tls, { acmeSolver: 'dns01', azureDns: { identity: 'dns-writer', zone: 'example.com', resourceGroup: 'rg-dns' } }); },
      /^clusters\.serving\.routing\.tls\.azureDns\.identity: identity 'dns-writer' is not under identities/],
    ['azureDns on an aad-pod-identity cluster', (c) => {
      c.clusters.serving.identityMode = 'aad-pod-identity';
      Object.assign(c.clusters.serving.routing!.tls, { acmeSolver: 'dns01', azureDns: { identity: 'model-reader', zone: 'example.com', resourceGroup: 'rg-dns' } });
    }, /^clusters\.serving\.routing\.tls\.azureDns\.identity: cluster 'serving' has identityMode aad-pod-identity, but the cert-manager controller gets its Azure identity only through Workload Identity/],
    ['route host names outside the azureDns zone', (c) => { Object.assign(c.clusters.serving.routing!.tls, { acmeSolver: 'dns01', azureDns: { identity: 'model-reader', zone: 'example.org', resourceGroup: 'rg-dns' } }); },
      /^clusters\.serving\.routing\.tls\.azureDns\.zone: host name\(s\) ml\.example\.com are not in zone example\.org/],
    ['ingress without an ingress block', (c) => { c.clusters.serving.routing!.mode = 'ingress'; }, /^clusters\.serving\.routing: mode ingress needs an ingress block/],
    ['two routes that collide', (c) => { featurespace(c).route = { path: '/rankingrec' }; }, /microservices\.rankingrec: route PathPrefix \/rankingrec on ml\.example\.com collides with the route of microservice 'featurespace'/],
    ['two routes with one name', (c) => { serving(c).microservices!['model-iris'] = { ...featurespace(c), route: { path: '/other' } }; }, /route name 'model-iris' is also used by model 'iris'/],
    ['a regular expression with a prefix path type', (c) => { featurespace(c).route = { path: '/featurespace/(.*)' }; }, /microservices\.featurespace\.route: path "\/featurespace\/\(\.\*\)" looks like a regular expression but pathType is PathPrefix/],
    ['a rewrite of a regular-expression path', (c) => { featurespace(c).route = { path: '/f/(.*)', pathType: 'RegularExpression', rewrite: '/' }; }, /featurespace\.route: rewrite cannot be combined with pathType RegularExpression/],
    ['a body size in gateway-api mode', (c) => { featurespace(c).route = { maxBodySize: '64Mi' }; }, /featurespace\.route\.maxBodySize: maxBodySize cannot be expressed in a Gateway API HTTPRoute/],
    ['a rewrite of the MLflow prefix', (c) => { serving(c).mlflow!.route = { rewrite: '/' }; }, /mlflow\.route\.rewrite: the MLflow server serves UI and API under its path prefix/],
    ['an unknown artifact account', (c) => { serving(c).mlflow!.artifacts.storageAccount = 'nosuchaccount'; }, /mlflow\.artifacts\.storageAccount: storage account 'nosuchaccount' is not under azure\.storageAccounts/],
    ['a volume with two sources', (c) => { featurespace(c).volumes!['lookup-tables'].existingClaim = 'other'; }, /microservices\.featurespace\.volumes\.lookup-tables: set exactly one of emptyDir, claim and existingClaim \(found 2\)/],
  ])('reports %s', (_name, edit, message) => {
    expect(violations(edit)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  test('acmeSolver dns01 accepts host names that need wildcard listeners', () => {
    const found = violations((c) => {
      c.clusters.serving.routing!.tls.acmeSolver = 'dns01';
      c.clusters.serving.routing!.tls.azureDns = { identity: 'model-reader', zone: 'example.com', resourceGroup: 'rg-dns' };
      for (let i = 0; i < 70; i++) serving(c).microservices![`svc${i}`] = { ...featurespace(c), volumes: undefined, route: { host: `s${i}.apps.example.com`, path: '/' } };
    });
    expect(found.filter((v) => /acmeSolver|wildcard|azureDns/.test(v))).toEqual([]);
  });
});

describe('serving config through the loader', () => {
  const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');

  const issuesOf = (edit: (text: string) => string): string[] =>
    exampleConfigIssues(edit).map((i) => `${i.line}: ${i.path.join('.')}: ${i.message}`);

  test('the seed abfss:// storage URI is refused at its line with the corrected blob URI', () => {
    const seedUri = 'abfss://mlflow@exampleartifacts.dfs.core.windows.net/models/wine-quality';
    const line = exampleText.split('\n').findIndex((l) => l.includes('https://exampleartifacts.blob.core.windows.net/mlflow/models/wine-quality')) + 1;
    const issues = issuesOf((text) => text.replace('https://exampleartifacts.blob.core.windows.net/mlflow/models/wine-quality', seedUri));
    expect(issues).toEqual([
      `${line}: clusters.serving.serving.models.wine-quality.storageUri: "${seedUri}" is not a form KServe's storage initializer reads (no abfss://, wasbs:// or dfs.core.windows.net handler); use the blob endpoint of the same account: https://exampleartifacts.blob.core.windows.net/mlflow/models/wine-quality`,
    ]);
  });

  test('a config written before routing moved (serving.routing) gets exactly one issue: the move, at its line, with the fix', () => {
    const old = (text: string) => text.replace(/    # How callers reach the cluster's workloads: one shared Gateway[^\n]*\n    routing:\n((      [^\n]*\n|        [^\n]*\n)+)    serving:\n/,
      (_m, block: string) => `    serving:\n      routing:\n${block.replace(/^(?=.)/gm, '  ')}`);
    const text = old(exampleText);
    const line = text.split('\n').findIndex((l, i, all) => l === '      routing:' && all[i - 1] === '    serving:') + 1;
    expect(issuesOf(old)).toEqual([
      `${line}: clusters.serving.serving.routing: serving.routing moved to clusters.serving.routing: routing is now a capability of the cluster, shared by serving, the NiFi routes (streaming.nifi) and JupyterHub (notebooks). Move the whole routing block out of serving, one level up, as a key of cluster 'serving' (same content)`,
    ]);
  });

  test.each<[string, string, string, RegExp]>([
    ['an unknown model format', 'format: pytorch', 'format: torchscript', /models\.iris\.format: /],
    ['an unknown deployment mode', 'deploymentMode: Standard', 'deploymentMode: RawDeployment', /serving\.kserve\.deploymentMode: /],
    ['an unpinned image', 'image: examplemlplatform.azurecr.io/hardskill:v1', 'image: examplemlplatform.azurecr.io/hardskill', /microservices\.hardskill\.image: .*tag or digest/],
    ['an unknown key', 'servicePort: 6000\n          identity: feature-reader\n          resources:\n            request: { cpu: 500m, memory: 1Gi }\n            limit: { cpu: "2", memory: 4Gi }\n          nodePool: serving\n        hardskill', 'svcPort: 6000\n          identity: feature-reader\n          resources:\n            request: { cpu: 500m, memory: 1Gi }\n            limit: { cpu: "2", memory: 4Gi }\n          nodePool: serving\n        hardskill', /microservices\.gpamatching/],
  ])('rejects %s', (_name, from, to, message) => {
    expect(issuesOf((text) => text.replace(from, to))).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
});
