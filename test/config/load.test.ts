import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, ConfigIssue, formatPath } from '../../lib/config/issues';
import * as yaml from 'js-yaml';
import { loadEnvironment, loadEnvironments } from '../../lib/config/load';
import { fullyValid, quicklyValid } from '../../lib/config/schema-check';
import { EXAMPLE_CONFIG } from '../util';

const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');
let dir: string;

beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-test-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes the example with `edit` applied (text replacements keep line numbers meaningful). */
function writeConfig(edit: (text: string) => string, name = 'test.yaml'): string {
  const file = path.join(dir, name);
  const edited = edit(exampleText);
  if (edited === exampleText) throw new Error('the edit changed nothing: the test would not test anything');
  fs.writeFileSync(file, edited);
  return file;
}

/** The problems of a config file (fails when it loads). */
function issuesOf(file: string): ConfigIssue[] {
  try {
    loadEnvironment(file);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error(`${file} loaded without problems`);
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`'${needle}' not in text`);
  return index + 1;
}

describe('platform config loading', () => {
  test('the example config is valid and names its environment after the file', () => {
    const env = loadEnvironment(EXAMPLE_CONFIG);
    expect(env.name).toBe('example');
    expect(Object.keys(env.config.clusters)).toEqual(expect.arrayContaining(['data-processing', 'training', 'serving']));
  });

  test('a typo in a key, a wrong type and a missing required value are reported together, with paths and lines', () => {
    // GIVEN three independent mistakes
    const file = writeConfig((t) => t
      .replace('    kubernetesVersion: "1.31"\n    nodePools:\n      system:\n        mode: System\n        vmSize: Standard_D4s_v5\n        minCount: 1',
        '    kubernetesVersion: "1.31"\n    nodePools:\n      system:\n        mode: System\n        vmSize: Standard_D4s_v5\n        minCount: one')
      .replace('  containerRegistry: examplemlplatform.azurecr.io', '  containerRegistry: examplemlplatform.azurecr.io\n  storageAcounts: {}')
      .replace('  tenantId: 00000000-0000-0000-0000-000000000001            # EXAMPLE\n', ''));
    // WHEN
    const issues = issuesOf(file);
    const text = fs.readFileSync(file, 'utf8');
    // THEN all three, each with its path, line and what was expected
    const byPath = Object.fromEntries(issues.map((i) => [formatPath(i.path), i]));
    expect(Object.keys(byPath).sort()).toEqual([
      'azure.storageAcounts',
      'azure.tenantId',
      'clusters.data-processing.nodePools.system.minCount',
    ]);
    expect(byPath['azure.storageAcounts'].message).toMatch(/unknown key 'storageAcounts'\. Did you mean 'storageAccounts'\?/);
    expect(byPath['azure.storageAcounts'].line).toBe(lineOf(text, 'storageAcounts'));
    expect(byPath['clusters.data-processing.nodePools.system.minCount'].message).toMatch(/expected integer .*found string "one"/);
    expect(byPath['clusters.data-processing.nodePools.system.minCount'].line).toBe(lineOf(text, 'minCount: one'));
    expect(byPath['azure.tenantId'].message).toMatch(/missing required key 'tenantId' \(Microsoft Entra tenant ID/);
    expect(issues.every((i) => i.file === file)).toBe(true);
  });

  test('the formatted report names file:line, path and message for every problem', () => {
    const file = writeConfig((t) => t.replace('minCount: 0                                          # scales to zero when no job runs', 'minCount: -1'));
    try {
      loadEnvironment(file);
      throw new Error('expected a ConfigError');
    } catch (error) {
      const text = fs.readFileSync(file, 'utf8');
      expect((error as Error).message).toContain(`${file}:${lineOf(text, 'minCount: -1')}: clusters.training.nodePools.gpu.minCount: must be >= 0`);
    }
  });

  test('a name key that is not a DNS label is an invalid key', () => {
    const file = writeConfig((t) => t.replace('      models: {}', '      Models_V2: {}'));
    const [issue] = issuesOf(file);
    expect(formatPath(issue.path)).toBe('clusters.serving.namespaces.Models_V2');
    expect(issue.message).toMatch(/invalid key 'Models_V2': expected a map whose keys are namespace names \(each becomes a Namespace, so it must be a DNS-1123 label: lowercase letters, digits and '-'/);
  });

  test('an enum value outside the allowed set lists the allowed values', () => {
    const file = writeConfig((t) => t.replace('          level: privileged', '          level: strict'));
    const [issue] = issuesOf(file);
    expect(issue.message).toBe('expected one of restricted, baseline, privileged, found string "strict"');
  });

  test('a string that breaks a pattern says in words what was expected', () => {
    const file = writeConfig((t) => t.replace('clientId: 00000000-0000-0000-0000-000000000101', 'clientId: not-a-guid'));
    const [issue] = issuesOf(file);
    expect(formatPath(issue.path)).toBe('identities.spark-data.clientId');
    expect(issue.message).toMatch(/expected client ID of the user-assigned managed identity, a GUID .*found string "not-a-guid"/);
  });

  test('a YAML syntax error is reported with its line', () => {
    const file = writeConfig((t) => t.replace('  tenantId: 00000000', '  tenantId: [00000000'));
    const [issue] = issuesOf(file);
    expect(issue.message).toMatch(/^YAML syntax error/);
    expect(issue.line).toBeGreaterThan(1);
  });

  test('the environment name comes from the file name and must be a DNS label', () => {
    const file = writeConfig((t) => `${t}\n`, 'Prod_EU.yaml');
    const [issue] = issuesOf(file);
    expect(issue.message).toMatch(/environment name 'Prod_EU'.*must be a DNS label/);
  });

  test('problems of several files are reported at once', () => {
    const a = writeConfig((t) => t.replace('location: westeurope', 'location: West Europe'), 'a.yaml');
    const b = writeConfig((t) => t.replace('vmSize: Standard_D8s_v5', 'vmSize: D8s'), 'b.yaml');
    try {
      loadEnvironments([a, b]);
      throw new Error('expected a ConfigError');
    } catch (error) {
      const files = (error as ConfigError).issues.map((i) => i.file);
      expect(new Set(files)).toEqual(new Set([a, b]));
    }
  });
});

describe('semantic config rules', () => {
  test.each([
    ['a relaxed Pod Security level needs a reason',
      (t: string) => t.replace('          reason: HDFS datanodes use hostNetwork so the namenode sees node addresses and executors read local blocks\n', ''),
      'clusters.data-processing.namespaces.hdfs.podSecurity.reason', /needs a 'reason'/],
    ['minCount must not exceed maxCount',
      (t: string) => t.replace('        minCount: 4\n        maxCount: 4', '        minCount: 7\n        maxCount: 4'),
      'clusters.data-processing.nodePools.spark.minCount', /minCount \(7\) must be <= maxCount \(4\)/],
    ['a cluster needs a System pool',
      (t: string) => t.replace('      system:\n        mode: System\n        vmSize: Standard_D4s_v5\n        minCount: 1\n        maxCount: 3\n      serving:',
        '      system:\n        mode: User\n        vmSize: Standard_D4s_v5\n        minCount: 1\n        maxCount: 3\n      serving:'),
      'clusters.serving.nodePools', /at least one pool must have mode: System/],
    ['a System pool cannot scale to zero',
      (t: string) => t.replace('      system:\n        mode: System\n        vmSize: Standard_D4s_v5\n        minCount: 1\n        maxCount: 3\n      serving:',
        '      system:\n        mode: System\n        vmSize: Standard_D4s_v5\n        minCount: 0\n        maxCount: 3\n      serving:'),
      'clusters.serving.nodePools.system.minCount', /System pool must keep at least 1 node/],
    ['a GPU pool must be a User pool',
      (t: string) => t.replace('      gpu:\n        mode: User', '      gpu:\n        mode: System'),
      'clusters.training.nodePools.gpu.mode', /GPU pool .* must have mode: User/],
    ['a GPU pool needs a NoSchedule taint',
      (t: string) => t.replace('          - sku=gpu:NoSchedule', '          - sku=gpu:PreferNoSchedule'),
      'clusters.training.nodePools.gpu.taints', /needs a NoSchedule taint/],
    ['a default request must not exceed the default limit',
      (t: string) => t.replace('        request: { cpu: 100m, memory: 256Mi }\n        limit: { cpu: "1", memory: 1Gi }\n    namespaces:\n      training:',
        '        request: { cpu: "2", memory: 256Mi }\n        limit: { cpu: "1", memory: 1Gi }\n    namespaces:\n      training:'),
      'clusters.training.namespaceDefaults.containerDefaults.request.cpu', /default request 2 must be <= default limit 1/],
    ['a default limit must not exceed the maximum',
      (t: string) => t.replace('        request: { cpu: 100m, memory: 256Mi }\n        limit: { cpu: "1", memory: 1Gi }\n    namespaces:\n      training:',
        '        request: { cpu: 100m, memory: 256Mi }\n        limit: { cpu: "1", memory: 1Gi }\n        max: { cpu: 500m, memory: 2Gi }\n    namespaces:\n      training:'),
      'clusters.training.namespaceDefaults.containerDefaults.limit.cpu', /default limit 1 must be <= max 500m/],
  ])('%s', (_name, edit, expectedPath, expectedMessage) => {
    const issues = issuesOf(writeConfig(edit));
    const issue = issues.find((i) => formatPath(i.path) === expectedPath);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(expectedMessage);
    expect(issue!.line).toBeGreaterThan(0);
  });
});

describe('fast schema check', () => {
  test('TypeBox accepts the example config, and so does ajv', () => {
    const data = yaml.load(exampleText);
    expect(quicklyValid(data)).toBe(true);
    expect(fullyValid(data)).toBe(true);
  });

  test('TypeBox accepts integer enums (layerFolders counts) like ajv, and rejects what ajv rejects', () => {
    const withFolders = (count: string) => yaml.load(exampleText.replace('\n  data-processing:\n', `\n  data-processing:\n    layerFolders: { workloads: ${count} }\n`));
    expect(exampleText).toContain('\n  data-processing:\n');
    expect([quicklyValid(withFolders('4')), fullyValid(withFolders('4'))]).toEqual([true, true]);
    for (const count of ['3', '4.5', '"4"', '128']) expect([count, quicklyValid(withFolders(count)), fullyValid(withFolders(count))]).toEqual([count, false, false]);
  });

  test('TypeBox rejects what ajv rejects: unknown keys, enum values, patterns, wrong types', () => {
    for (const edit of [
      (t: string) => t.replace('  containerRegistry:', '  containerRegistri:'),
      (t: string) => t.replace('        mode: User', '        mode: user'),
      (t: string) => t.replace('tenantId: 00000000-0000-0000-0000-000000000001', 'tenantId: nope'),
      (t: string) => t.replace('        minCount: 3', '        minCount: "3"'),
    ]) {
      const data = yaml.load(edit(exampleText));
      expect([quicklyValid(data), fullyValid(data)]).toEqual([false, false]);
    }
  });
});
