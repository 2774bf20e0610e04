/**
 * Issue 13, items 5 and 6 (input classes of the loader): schema errors no longer hide rule errors, YAML syntax
 * errors name the key path (and the duplicated key), a NUL byte is reported at its line, YAML 1.1-style numbers
 * such as 0x10 stay strings, and two files of one environment are refused.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, ConfigIssue, formatPath } from '../../lib/config/issues';
import { listConfigFiles, loadEnvironment, loadEnvironments } from '../../lib/config/load';
import { writeTreeAtomically } from '../../lib/synth/atomic-write';
import { EXAMPLE_CONFIG } from '../util';

const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');
let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'all-problems-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(text: string, name = 'test.yaml'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function edited(edit: (text: string) => string): string {
  const text = edit(exampleText);
  if (text === exampleText) throw new Error('the edit changed nothing');
  return text;
}

function issuesOf(files: string[]): ConfigIssue[] {
  try {
    loadEnvironments(files);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('loaded without problems');
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('schema and rule problems together', () => {
  test('a typo (schema) and an unknown identity (rule) are reported in one run, each with its line', () => {
    const text = edited((t) => t
      .replace('  containerRegistry: examplemlplatform.azurecr.io', '  containerRegistri: examplemlplatform.azurecr.io')
      .replace('      identity: orchestration', '      identity: orchestrator'));
    const issues = issuesOf([write(text)]);
    const byPath = Object.fromEntries(issues.map((i) => [formatPath(i.path), i]));
    expect(byPath['azure.containerRegistri'].message).toMatch(/unknown key 'containerRegistri'/);
    expect(byPath['clusters.data-processing.airflow.identity'].message).toMatch(/identity 'orchestrator' is not under identities/);
    expect(byPath['clusters.data-processing.airflow.identity'].line).toBe(lineOf(text, 'identity: orchestrator'));
  });

  test('a rule that would read an invalid part is skipped for that cluster only, and never reports on it', () => {
    // the serving cluster's wine-quality model has a broken quantity, the training namespace is unknown in another cluster
    const text = edited((t) => t
      .replace('            request: { cpu: 250m, memory: 512Mi }', '            request: { cpu: lots, memory: 512Mi }')
      .replace('    training:\n      namespace: training', '    training:\n      namespace: trainin'));
    const issues = issuesOf([write(text)]);
    const paths = issues.map((i) => formatPath(i.path));
    expect(paths).toContain('clusters.serving.serving.models.wine-quality.resources.request.cpu');
    expect(paths).toContain('clusters.training.training.namespace');
    expect(issues.filter((i) => formatPath(i.path).startsWith('clusters.serving.serving.models.wine-quality.resources.request.cpu'))).toHaveLength(1);
    expect(issues.every((i) => !/undefined|NaN/.test(i.message))).toBe(true);
  });
});

describe('YAML input classes', () => {
  test('a duplicated key names the key, its path and both lines', () => {
    const text = edited((t) => t.replace('          format: mlflow\n', '          format: mlflow\n          format: onnx\n'));
    const [issue] = issuesOf([write(text)]);
    expect(formatPath(issue.path)).toBe('clusters.serving.serving.models.wine-quality.format');
    expect(issue.line).toBe(lineOf(text, 'format: onnx'));
    expect(issue.message).toBe(`YAML syntax error: key 'format' appears twice in the same mapping (first at line ${lineOf(text, '          format: mlflow')}); keep one (YAML keys are unique)`);
  });

  test('other syntax errors name the path around them instead of (root)', () => {
    const text = edited((t) => t.replace('        vmSize: Standard_NC24ads_A100_v4', '        vmSize: [Standard_NC24ads_A100_v4'));
    const [issue] = issuesOf([write(text)]);
    expect(issue.message).toMatch(/^YAML syntax error/);
    expect(formatPath(issue.path)).toMatch(/^clusters\.training\.nodePools\.gpu/);
  });

  test('a NUL byte is reported at its own line and column', () => {
    const text = edited((t) => t.replace('          format: mlflow\n', '          format: ml\0flow\n'));
    const [issue] = issuesOf([write(text)]);
    expect(issue.line).toBe(lineOf(text, 'ml\0flow'));
    expect(issue.message).toMatch(/character U\+0000 at column 21 is not allowed/);
    expect(formatPath(issue.path)).toBe('clusters.serving.serving.models.wine-quality.format');
  });

  test('0x10 stays the string "0x10" (as key and as value); only decimal numbers are numbers', () => {
    const asKey = edited((t) => t.replace('        labels:\n          workload: spark', '        labels:\n          workload: spark\n          0x10: hex'));
    const env = loadEnvironment(write(asKey));
    expect(env.config.clusters['data-processing'].nodePools.spark.labels).toEqual({ workload: 'spark', '0x10': 'hex' });
    const asValue = edited((t) => t.replace('        minCount: 4\n        maxCount: 4', '        minCount: 0x3\n        maxCount: 4'));
    const [issue] = issuesOf([write(asValue)]);
    expect(issue.message).toMatch(/expected integer .*found string "0x3"/);
  });

  test('prod.yaml and prod.yml both present: an error on each, since both would write dist/prod/', () => {
    const files = [write(exampleText, 'prod.yaml'), write(exampleText, 'prod.yml')];
    const issues = issuesOf(files);
    expect(issues.map((i) => path.basename(i.file)).sort()).toEqual(['prod.yaml', 'prod.yml']);
    expect(issues[0].message).toMatch(/both describe environment 'prod'/);
  });

  test('prod.YAML is a config file of environment prod (not skipped)', () => {
    const file = write(exampleText, 'prod.YAML');
    expect(listConfigFiles(dir)).toEqual([file]);
    expect(loadEnvironments([file])[0].name).toBe('prod');
  });
});

test('--out may name a folder whose parents do not exist yet', () => {
  const out = path.join(dir, 'a', 'b', 'dist');
  writeTreeAtomically(out, new Map([['README.md', 'x\n']]));
  expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toBe('x\n');
});
