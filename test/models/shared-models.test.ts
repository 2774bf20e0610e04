/**
 * Platform-level models: one declaration gives the training job's output location and the serving
 * InferenceService's storageUri; mismatches are config errors at the right line; role assignments follow.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { loadEnvironment } from '../../lib/config/load';
import { CONFIG_RULES } from '../../lib/config/platform-rules';
import { MODEL_RULES } from '../../lib/models/config-rules';
import { roleAssignmentCommands, roleAssignmentsDocument, STORAGE_ROLES } from '../../lib/models/role-assignments';
import { renderEnvironments } from '../../lib/synth/synthesize';
import { EXAMPLE_CONFIG, exampleConfig, exampleConfigIssues, REPO_ROOT } from '../util';

const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');

/** Loads the example with `edit` applied to its text and renders it: the iris job's env and the iris model. */
function irisLocations(edit: (text: string) => string = (t) => t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'models-'));
  try {
    const file = path.join(dir, 'example.yaml');
    fs.writeFileSync(file, edit(exampleText));
    const environment = loadEnvironment(file);
    const { tree } = renderEnvironments([environment], PLATFORM_COMPOSITIONS);
    const job = tree.get('example/training/workloads/training_pytorchjob.kubeflow.org_iris.yaml')!;
    const model = tree.get('example/serving/workloads/models_inferenceservice.serving.kserve.io_iris.yaml')!;
    return {
      output: /name: MODEL_OUTPUT_URL\n\s+value: (\S+)/.exec(job)![1],
      storageUri: /storageUri: (\S+)/.exec(model)![1],
      roles: tree.get('example/azure/role-assignments.json')!,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Edits the text of the models.iris declaration only. */
const inIrisDeclaration = (from: string, to: string) => (text: string) => {
  const start = text.indexOf('\nmodels:\n');
  const end = text.indexOf('\nclusters:\n');
  return text.slice(0, start) + text.slice(start, end).replace(from, to) + text.slice(end);
};

const issuesOf = (edit: (text: string) => string) => exampleConfigIssues(edit).map((i) => `${i.line}: ${i.path.join('.')}: ${i.message}`);
const lineOf = (needle: string, text = exampleText) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('a model declared once', () => {
  test('the iris job writes where the iris InferenceService reads (abfss for the job, the blob endpoint for KServe)', () => {
    const { output, storageUri } = irisLocations();
    expect(output).toBe('abfss://distributed-test-models@exampledatalake.dfs.core.windows.net/iris/triton/latest/');
    expect(storageUri).toBe('https://exampledatalake.blob.core.windows.net/distributed-test-models/iris/triton/latest');
  });

  test('changing the declaration moves both ends', () => {
    const moved = irisLocations((text) => inIrisDeclaration('version: latest', 'version: "2026-11-29"')(inIrisDeclaration('container: distributed-test-models', 'container: release-models')(text)));
    expect(moved.output).toBe('abfss://release-models@exampledatalake.dfs.core.windows.net/iris/triton/2026-11-29/');
    expect(moved.storageUri).toBe('https://exampledatalake.blob.core.windows.net/release-models/iris/triton/2026-11-29');
    expect(moved.roles).toContain('/containers/release-models');
    expect(moved.roles).not.toContain('/containers/distributed-test-models');
  });

  test('a blob (non ADLS Gen2) account gives the job the blob URL', () => {
    const { output } = irisLocations((text) => text.replace(
      '  exampledatalake:                                         # EXAMPLE (ADLS Gen2: training data, models)\n      resourceGroup: rg-mlplatform-example-data\n      hierarchicalNamespace: true',
      '  exampledatalake:                                         # EXAMPLE (ADLS Gen2: training data, models)\n      resourceGroup: rg-mlplatform-example-data'));
    expect(output).toBe('https://exampledatalake.blob.core.windows.net/distributed-test-models/iris/triton/latest/');
  });

  test('the model rules are part of CONFIG_RULES and pass on the (expanded, deep-copied) example', () => {
    for (const rule of MODEL_RULES) expect(CONFIG_RULES).toContain(rule);
    expect(MODEL_RULES.flatMap((rule) => rule(exampleConfig()))).toEqual([]);
  });
});

describe('mismatches are config errors at the line the user wrote', () => {
  test('a training job that writes the model somewhere else', () => {
    const edit = (text: string) => text.replace(
      '            # MODEL_OUTPUT_URL comes from models.iris',
      '            MODEL_OUTPUT_URL: abfss://distributed-test-models@exampledatalake.dfs.core.windows.net/iris/\n            # MODEL_OUTPUT_URL comes from models.iris');
    const issues = issuesOf(edit);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^\d+: clusters\.training\.training\.jobs\.iris\.env\.MODEL_OUTPUT_URL: job 'iris' writes model 'iris' to abfss:\/\/distributed-test-models@exampledatalake\.dfs\.core\.windows\.net\/iris\/, but models\.iris\.artifacts says .*\/iris\/triton\/latest\/; remove this entry/);
    expect(Number(issues[0].split(':')[0])).toBe(lineOf('MODEL_OUTPUT_URL: abfss', edit(exampleText)));
  });

  test('the same model also declared under the serving cluster', () => {
    const edit = (text: string) => text.replace('        wine-quality:', '        iris:\n          namespace: models\n          format: pytorch\n          storageUri: https://exampledatalake.blob.core.windows.net/distributed-test-models/iris_models/triton\n          identity: model-reader\n          resources:\n            request: { cpu: 500m, memory: 1Gi }\n            limit: { cpu: "2", memory: 2Gi }\n        wine-quality:');
    expect(issuesOf(edit)).toEqual([expect.stringMatching(/^\d+: clusters\.serving\.serving\.models\.iris: model 'iris' is also declared under models\.iris; remove this entry/)]);
  });

  test.each<[string, string, string, RegExp]>([
    ['a served model from a storage account not in the config', 'storageAccount: exampledatalake', 'storageAccount: otherlake', /^\d+: models\.iris\.artifacts: storage account 'otherlake' is not under azure\.storageAccounts/],
    ['a serving cluster that does not exist', '      cluster: serving', '      cluster: servng', /^\d+: models\.iris\.serving\.cluster: cluster 'servng' is not under clusters/],
    ['a serving cluster without a serving section', '      cluster: serving', '      cluster: training', /^\d+: models\.iris\.serving\.cluster: cluster 'training' has no serving section/],
    ['a training job that does not exist', '      job: iris', '      job: irs', /^\d+: models\.iris\.training\.job: job 'irs' is not under clusters\.training\.training\.jobs \(known: iris\)/],
    ['a training cluster without a training section', '      cluster: training', '      cluster: serving', /^\d+: models\.iris\.training\.cluster: cluster 'serving' has no training section/],
    ['a served model without an identity', '      identity: model-reader\n', '', /^\d+: models\.iris\.serving: a served model needs 'identity' to read https:\/\/exampledatalake\.blob\.core\.windows\.net\/distributed-test-models\/iris\/triton\/latest/],
    ['a problem of the derived InferenceService is reported at the declaration', '      nodePool: serving', '      nodePool: servng', /^\d+: models\.iris\.serving\.nodePool: /],
  ])('%s', (_name, from, to, expected) => {
    const issues = issuesOf(inIrisDeclaration(from, to));
    expect(issues).toEqual([expect.stringMatching(expected)]);
    const line = Number(issues[0].split(':')[0]);
    expect(line).toBeGreaterThan(lineOf('\nmodels:\n'));
    expect(line).toBeLessThan(lineOf('\nclusters:\n'));
  });

  test('an unserved model from a storage account not in the config', () => {
    const edit = (text: string) => inIrisDeclaration('storageAccount: exampledatalake', 'storageAccount: otherlake')(text.replace(/\n    serving:\n      cluster: serving\n(      .*\n|        .*\n)*/, '\n'));
    expect(issuesOf(edit)).toEqual([expect.stringMatching(/^\d+: models\.iris\.artifacts\.storageAccount: storage account 'otherlake' is not under azure\.storageAccounts \(known: exampleartifacts, exampledatalake\)/)]);
  });

  test('a model whose training section has no identity cannot be written', () => {
    const issues = issuesOf((text) => text.replace('      identity: training-data                                # reads training data, writes models (ADLS Gen2)\n', ''));
    expect(issues).toContainEqual(expect.stringMatching(/^\d+: models\.iris\.training: the training section of cluster 'training' has no identity/));
  });

  test('storage accounts that role assignments are scoped to need a subscription when clusters span several', () => {
    const edit = (text: string) => text.replace('subscriptionId: 00000000-0000-0000-0000-000000000010', 'subscriptionId: 00000000-0000-0000-0000-000000000099');
    expect(issuesOf(edit)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\d+: azure\.storageAccounts\.exampledatalake: the clusters are in several subscriptions; set subscriptionId/),
    ]));
    const fixed = (text: string) => edit(text).replace('      hierarchicalNamespace: true', '      hierarchicalNamespace: true\n      subscriptionId: 00000000-0000-0000-0000-000000000010');
    expect(issuesOf(fixed).filter((i) => i.includes('storageAccounts.exampledatalake'))).toEqual([]);
  });
});

describe('role assignments', () => {
  const document = roleAssignmentsDocument('example', exampleConfig());
  const find = (identity: string, container: string) => document.roleAssignments.filter((a) => a.identity === identity && a.scope.endsWith(`/containers/${container}`));

  test('readers get Storage Blob Data Reader and writers Contributor, each on the container only', () => {
    expect(find('model-reader', 'distributed-test-models')).toEqual([expect.objectContaining({ role: 'Storage Blob Data Reader', roleDefinitionId: STORAGE_ROLES.reader.id })]);
    expect(find('training-data', 'distributed-test-models')).toEqual([expect.objectContaining({ role: 'Storage Blob Data Contributor', roleDefinitionId: STORAGE_ROLES.contributor.id })]);
    expect(find('experiment-tracking', 'mlflow')).toEqual([expect.objectContaining({ role: 'Storage Blob Data Contributor' })]);
    expect(find('model-reader', 'mlflow')).toEqual([expect.objectContaining({ role: 'Storage Blob Data Reader' })]);
    for (const assignment of document.roleAssignments) {
      expect(assignment.scope).toMatch(/^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]+\/blobServices\/default\/containers\/[a-z0-9-]+$/);
    }
  });

  test('one assignment per identity and container, the contributor role when any need writes', () => {
    const config = exampleConfig();
    config.clusters.serving.serving!.mlflow!.identity = 'model-reader';
    const merged = roleAssignmentsDocument('example', config).roleAssignments.filter((a) => a.identity === 'model-reader' && a.scope.endsWith('/containers/mlflow'));
    expect(merged).toHaveLength(1);
    expect(merged[0].role).toBe('Storage Blob Data Contributor');
    expect(merged[0].reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^MLflow/), expect.stringMatching(/^model 'wine-quality'/)]));
  });

  test('az commands name the client ID, the role ID and the container scope', () => {
    const commands = roleAssignmentCommands(document);
    expect(commands).toContain(`az role assignment create --assignee 00000000-0000-0000-0000-000000000102 --role ${STORAGE_ROLES.contributor.id} --scope /subscriptions/00000000-0000-0000-0000-000000000010/resourceGroups/rg-mlplatform-example-data/providers/Microsoft.Storage/storageAccounts/exampledatalake/blobServices/default/containers/distributed-test-models`);
    expect(commands.filter((c) => c.startsWith('#'))).toHaveLength(document.roleAssignments.length);
  });

  test('the dist artifact is the document', () => {
    expect(JSON.parse(irisLocations().roles)).toEqual(document);
  });
});

describe('npm run role-assignments', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'roles-cli-'));
  const bundle = path.join(work, 'cli.js');
  beforeAll(() => {
    execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'), [path.join(REPO_ROOT, 'lib', 'cli', 'role-assignments.ts'), '--bundle', '--platform=node', `--outfile=${bundle}`, '--log-level=warning']);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const run = (dist: string) => spawnSync('node', [bundle, '--dist', dist], { encoding: 'utf8' });
  const distWith = (content: string) => {
    const dist = fs.mkdtempSync(path.join(work, 'dist-'));
    fs.mkdirSync(path.join(dist, 'example', 'azure'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'example', 'azure', 'role-assignments.json'), content);
    return dist;
  };

  test('prints a comment and an az command per assignment', () => {
    const document = roleAssignmentsDocument('example', exampleConfig());
    const result = run(distWith(JSON.stringify(document)));
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^# example: \d+ role assignment\(s\) from /);
    expect(lines.slice(1)).toEqual(roleAssignmentCommands(document));
  });

  test('prints the kubelet role assignments of aad-pod-identity clusters with their az aks show queries inline', () => {
    const config = exampleConfig();
    (config.clusters.training as unknown as { identityMode: string }).identityMode = 'aad-pod-identity';
    const document = roleAssignmentsDocument('example', config, new Map([['training', ['training-data']]]));
    expect(document.kubeletRoleAssignments).toHaveLength(3);
    const result = run(distWith(JSON.stringify(document)));
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`# example: ${document.roleAssignments.length + 3} role assignment(s) from ${lines[0].split(' from ')[1]}`);
    expect(lines.slice(1)).toEqual(roleAssignmentCommands(document));
    expect(lines.filter((l) => l.includes('--assignee "$(az aks show'))).toHaveLength(3);
  });

  test.each([
    ['not JSON', '{', /role-assignments: .*role-assignments\.json: .*JSON.*; run make synth to regenerate it/],
    ['the wrong shape', '{"environment":"example"}', /role-assignments: .*: not a role-assignment list \(no roleAssignments array\)/],
    ['a field missing', '{"roleAssignments":[{"identity":"x"}]}', /role-assignments: .*: roleAssignments\[0\]\.clientId is missing or not a string/],
  ])('a file with %s is named, with what is wrong (no raw JavaScript error)', (_name, content, expected) => {
    const result = run(distWith(content));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toMatch(/TypeError|Cannot read properties/);
  });

  test('a dist without the file says to run make synth', () => {
    const result = run(fs.mkdtempSync(path.join(work, 'empty-')));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no azure\/role-assignments\.json under .*; run make synth first/);
  });
});
