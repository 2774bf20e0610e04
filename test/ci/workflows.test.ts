/**
 * The GitHub Actions workflows are checked against the workflow syntax with @action-validator/core (the SchemaStore
 * github-workflow JSON Schema, compiled into a maintained validator), and the pull-request workflow does what the
 * review needs: tests, drift checks, the diff as one updated comment, failure at the risk level.
 */
import { validateWorkflow } from '@action-validator/core';
import * as fs from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { COMMENT_MARKER } from '../../lib/review';
import { REPO_ROOT } from '../util';

const WORKFLOWS = path.join(REPO_ROOT, '.github', 'workflows');
const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();

test.each(files)('%s is a valid GitHub Actions workflow', (file) => {
  const state = validateWorkflow(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8'));
  expect(state.errors).toEqual([]);
});

test('the validator rejects a workflow with a misspelt key and a wrong permission value', () => {
  const broken = 'on: pull_request\npermissions:\n  contents: bogus\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n';
  const state = validateWorkflow(broken);
  expect(JSON.stringify(state.errors)).toContain("Additional property 'stepz' is not allowed");
});

describe('pr.yml', () => {
  const text = fs.readFileSync(path.join(WORKFLOWS, 'pr.yml'), 'utf8');
  const workflow = yaml.load(text) as any;
  const steps: any[] = workflow.jobs['test-and-review'].steps;
  const runs = steps.map((s) => String(s.run ?? ''));

  test('runs on pull requests with read access to contents and write access to pull requests only', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  test('Node 20, make test, the drift checks shared with .ci/run, then the markdown review failing at the risk level', () => {
    expect(steps.find((s) => String(s.uses).startsWith('actions/setup-node@'))?.with['node-version']).toBe(20);
    const order = ['make test', 'bash .ci/drift-check', 'npm run -s diff -- --format markdown --fail-on "$DIFF_FAIL_ON"'].map((command) => runs.findIndex((r) => r.includes(command)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(fs.readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8')).toContain('bash .ci/drift-check');
    expect(steps[steps.length - 1].if).toBe("steps.review.outputs.status != '0'");
  });

  test('posts one comment, found by the marker the markdown report starts with, and updated in place', () => {
    const script: string = steps.find((s) => String(s.uses).startsWith('actions/github-script@')).with.script;
    expect(script).toContain(`const marker = '${COMMENT_MARKER}'`);
    expect(script).toContain('github.rest.issues.updateComment');
    expect(script).toContain('github.rest.issues.createComment');
  });

  test('checks out the full history (merge base) with the upstream files beside the repository as ../shared', () => {
    const checkouts = steps.filter((s) => String(s.uses).startsWith('actions/checkout@'));
    expect(checkouts.map((s) => s.with.path)).toEqual(['repo', 'shared']);
    expect(checkouts[0].with['fetch-depth']).toBe(0);
    expect(workflow.jobs['test-and-review'].defaults.run['working-directory']).toBe('repo');
  });
});
