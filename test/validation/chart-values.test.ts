/**
 * HelmRelease values against their chart version (imports/schemas/charts, derived by make import from
 * ../shared/charts/<chart>/<version>/): unknown key paths and wrong types fail, free-form maps pass by rule.
 */
import { Testing } from 'cdk8s';
import { Airflow, AirflowProps } from '../../lib/gitops/airflow';
import { deriveKeysSchema, valuesSchemaFromYaml } from '../../lib/validation/importer/import-charts';
import { mergeValues, releaseChart } from '../../lib/validation/helm-values';
import { ManifestValidator } from '../../lib/validation';
import { exampleEnvironment, Manifest, synthCluster } from '../util';

const validator = ManifestValidator.load();
const clusters = Object.keys(exampleEnvironment().config.clusters).sort();
const manifests = clusters.flatMap((cluster) => synthCluster(cluster));
const releases = manifests.filter((m) => m.kind === 'HelmRelease');
const sources = manifests.filter((m) => m.kind === 'OCIRepository');

const check = (release: Manifest) => validator.validateHelmValues(release, 'test', sources).map((i) => `${i.schema} ${i.path}: ${i.message}`);
const edited = (name: string, edit: (values: any) => void): Manifest => {
  const release = JSON.parse(JSON.stringify(releases.find((r) => r.metadata.name === name))) as Manifest;
  edit(release.spec.values);
  return release;
};

describe('chart values of the example HelmReleases', () => {
  test('every release has an imported chart version, and its values pass', () => {
    expect(releases.map((r) => `${r.metadata.name} ${JSON.stringify(releaseChart(r, sources))}`).sort()).toEqual([
      'airflow {"chart":"airflow","version":"1.18.0"}',
      // cert-manager and Envoy Gateway on both routing clusters (data-processing and serving)
      'cert-manager {"chart":"cert-manager","version":"v1.18.2"}',
      'cert-manager {"chart":"cert-manager","version":"v1.18.2"}',
      'gateway-controller {"chart":"gateway-helm","version":"v1.5.0"}',
      'gateway-controller {"chart":"gateway-helm","version":"v1.5.0"}',
      'jupyterhub {"chart":"jupyterhub","version":"4.4.0"}',
      'kserve {"chart":"kserve","version":"v0.16.0"}',
      'kserve-crd {"chart":"kserve-crd","version":"v0.16.0"}',
      'nvidia-device-plugin {"chart":"nvidia-device-plugin","version":"0.20.0"}',
      'spark-operator {"chart":"spark-operator","version":"2.5.2"}',
      'strimzi {"chart":"strimzi-kafka-operator","version":"1.2.0"}',
    ]);
    for (const release of releases) expect([release.metadata.name, check(release)]).toEqual([release.metadata.name, []]);
  });

  test('a misspelled key is caught (Airflow dags.gitSync, chart with a values.schema.json)', () => {
    expect(check(edited('airflow', (v) => { v.dags.gitSync.brnach = v.dags.gitSync.branch; }))).toEqual([
      'chart airflow@1.18.0 keys /spec/values/dags/gitSync/brnach: must NOT have additional properties (brnach)',
      'chart airflow@1.18.0 values.schema.json /spec/values/dags/gitSync/brnach: must NOT have additional properties (brnach)',
    ]);
  });

  test('a misspelled key is caught (spark-operator, a chart without a schema)', () => {
    expect(check(edited('spark-operator', (v) => { v.spark.jobNamespace = v.spark.jobNamespaces; }))).toEqual([
      'chart spark-operator@2.5.2 keys /spec/values/spark/jobNamespace: must NOT have additional properties (jobNamespace)',
    ]);
  });

  test('a misspelled top-level key is caught in every release', () => {
    for (const release of releases) {
      for (const key of Object.keys(release.spec.values ?? {})) {
        const mutated = edited(release.metadata.name, (v) => { v[`${key}x`] = v[key]; delete v[key]; });
        expect([release.metadata.name, key, check(mutated).some((m) => m.includes(`(${key}x)`))]).toEqual([release.metadata.name, key, true]);
      }
    }
  });

  test('a wrongly typed value is caught: by the chart schema (Airflow) and by the type of the default (spark-operator)', () => {
    expect(check(edited('airflow', (v) => { v.triggerer = { ...v.triggerer, replicas: 'two' }; }))).toEqual(expect.arrayContaining([
      'chart airflow@1.18.0 keys /spec/values/triggerer/replicas: must be number',
      'chart airflow@1.18.0 values.schema.json /spec/values/triggerer/replicas: must be integer',
    ]));
    expect(check(edited('spark-operator', (v) => { v.webhook.enable = 'true'; }))).toEqual([
      'chart spark-operator@2.5.2 keys /spec/values/webhook/enable: must be boolean',
    ]);
  });

  test('JupyterHub values are checked against the chart\'s values.schema.yaml (converted at import): a value only its schema refuses', () => {
    // proxy.service.type is a string by its default, so only the chart's enum (values.schema.yaml) refuses this one.
    expect(check(edited('jupyterhub', (v) => { v.proxy.service.type = 'Internal'; }))).toEqual([
      'chart jupyterhub@4.4.0 values.schema.json /spec/values/proxy/service/type: must be one of "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"',
    ]);
    expect(check(edited('jupyterhub', (v) => { v.singleuser.storage.type = 'ephemeral'; }))).toEqual([
      'chart jupyterhub@4.4.0 values.schema.json /spec/values/singleuser/storage/type: must be one of "dynamic", "static", "none"',
    ]);
  });

  test('the YAML schema becomes the JSON the chart is packaged with: description dropped at schema levels only', () => {
    const schema = valuesSchemaFromYaml([
      '$schema: http://json-schema.org/draft-07/schema#',
      'type: object',
      'description: the root',
      'properties:',
      '  description: { type: string, description: a value named description }',
      '  hub: { type: object, description: hub, properties: { name: { type: string, description: x } } }',
    ].join('\n'));
    expect(schema).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#', type: 'object',
      properties: { description: { type: 'string' }, hub: { type: 'object', properties: { name: { type: 'string' } } } },
    });
  });

  test('Kubernetes-typed keys are checked as their type: a misspelled field in resources fails', () => {
    expect(check(edited('spark-operator', (v) => { v.controller.resources.limitz = v.controller.resources.limits; }))).toEqual([
      'chart spark-operator@2.5.2 keys /spec/values/controller/resources/limitz: must NOT have additional properties (limitz)',
    ]);
  });

  test('free-form maps pass by rule: an empty-map default (controller.annotations), nodeSelector, the application config (Airflow config.<section>)', () => {
    expect(check(edited('spark-operator', (v) => { v.controller.annotations = { 'example.com/any': 'x' }; v.controller.nodeSelector = { 'kubernetes.azure.com/agentpool': 'system' }; }))).toEqual([]);
    expect(check(edited('airflow', (v) => { v.config = { ...v.config, scheduler: { parsing_processes: 4 } }; }))).toEqual([]);
    // ... but Airflow's schema still types the config values
    expect(check(edited('airflow', (v) => { v.config = { ...v.config, scheduler: { parsing_processes: { a: 1 } } }; })).length).toBeGreaterThan(0);
  });

  test('a chart version that was not imported is an issue naming the imported ones', () => {
    const release = JSON.parse(JSON.stringify(releases.find((r) => r.metadata.name === 'spark-operator'))) as Manifest;
    release.spec.chart.spec.version = '2.9.9';
    expect(check(release)).toEqual([expect.stringContaining('no imported values of chart spark-operator 2.9.9; imported: spark-operator@2.5.2')]);
  });
});

describe('derivation rules', () => {
  const schema = deriveKeysSchema({ a: { b: 1, free: {}, list: [] }, n: null, resources: {} }, undefined, '1.36.0') as any;
  test('known keys closed, empty maps free-form, lists any, null any, resources a Kubernetes type', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.a.properties.b).toEqual({ type: 'number' });
    expect(schema.properties.a.properties.free).toEqual({ type: 'object' });
    expect(schema.properties.a.properties.list).toEqual({ type: 'array' });
    expect(schema.properties.n).toEqual({});
    expect(schema.properties.resources).toEqual({ $ref: 'urn:ml-platform-schemas:kubernetes-1.36.0#/definitions/io.k8s.api.core.v1.ResourceRequirements' });
  });
  test('Helm merge: maps merge, lists and scalars replace, null deletes', () => {
    expect(mergeValues({ a: { x: 1, y: 2 }, l: [1], d: 1 }, { a: { y: 3 }, l: [2], d: null })).toEqual({ a: { x: 1, y: 3 }, l: [2] });
  });
});

describe('Airflow variants against chart 1.18.0', () => {
  const base = {
    namespace: 'airflow', chart: { repository: 'https://airflow.apache.org', version: '1.18.0' },
    dags: { repository: 'https://github.com/x/y.git' },
    remoteLogs: { storageAccount: 'a', container: 'c', folder: 'f' }, metadataSecretName: 'db',
    serviceAccounts: { scheduler: 's', workers: 'w', components: 'c' }, identityPodLabels: { a: 'b' },
  };
  test.each([
    ['ssh:// with sshKeySecret and knownHosts', { dags: { repository: 'ssh://git@github.com/x/y.git', sshKeySecret: 'k', knownHosts: 'github.com ssh-ed25519 AAAA' } }],
    ['https with credentials, suffixed image tag', { dags: { repository: 'https://github.com/x/y.git', credentialsSecret: 'git' }, imageTag: '3.0.2-python3.12' }],
    ['Airflow 2 (webserver values)', { airflowVersion: '2.10.5', imageTag: '2.10.5' }],
  ])('%s: every value is a key of the chart, of the right type', (_, override) => {
    const chart = Testing.chart();
    new Airflow(chart, 'airflow', { ...base, ...override } as AirflowProps);
    const release = (Testing.synth(chart) as Manifest[]).find((m) => m.kind === 'HelmRelease')!;
    expect(validator.validateHelmValues(release, 'test')).toEqual([]);
  });
});
