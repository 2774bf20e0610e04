/**
 * The README's promise, rule by rule (issue 13): every problem is reported with file and line, and dist/ is left
 * unchanged. One mutation of the example config per rule; each case checks the key path, the line (the line of
 * the key, or of its closest written ancestor), the message, and that synth leaves a previous output alone.
 * The last test proves the table covers every rule of CONFIG_RULES, so a new rule needs a case here.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { ConfigError, ConfigIssue, formatPath } from '../../lib/config/issues';
import { CONFIG_RULES } from '../../lib/config/platform-rules';
import { PlatformConfig } from '../../lib/config/schema';
import { parseYamlWithPositions } from '../../lib/config/yaml-positions';
import { ExpandedConfig, expandSharedModels } from '../../lib/models/expand';
import { readTree, writeTree } from '../../lib/synth/atomic-write';
import { diffTrees, synthesize } from '../../lib/synth/synthesize';
import { CASES, example, lineOf } from './rule-cases';

let work: string;
beforeAll(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'every-rule-')); });
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Synth over a folder holding only `text`, into an output folder that already holds a previous result. */
function synthIssues(text: string, name: string): { issues: ConfigIssue[]; file: string; distChanged: string[] } {
  const dir = fs.mkdtempSync(path.join(work, 'case-'));
  const configDir = path.join(dir, 'config');
  fs.mkdirSync(configDir);
  const file = path.join(configDir, 'example.yaml');
  fs.writeFileSync(file, text);
  const outDir = path.join(dir, 'dist');
  writeTree(outDir, new Map([['example/previous.yaml', `kind: Previous # ${name}\n`]]));
  const before = readTree(outDir);
  let issues: ConfigIssue[] = [];
  try {
    synthesize({ configDir, outDir, compositions: PLATFORM_COMPOSITIONS });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues = [...error.issues];
  }
  return { issues, file, distChanged: diffTrees(before, readTree(outDir)) };
}

describe('every rule: the problem with file and line, dist/ unchanged', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const text = c.edit(example);
    expect(text).not.toBe(example);
    const { issues, file, distChanged } = synthIssues(text, c.name);
    const issue = issues.find((i) => formatPath(i.path) === c.path && c.message.test(i.message));
    if (!issue) throw new Error(`no issue at ${c.path} matching ${c.message}; got:\n${issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('\n')}`);
    expect(issue.file).toBe(file);
    expect(issue.line).toBe(lineOf(text, ...c.line));
    expect(distChanged).toEqual([]);
  });
});

test('every rule of CONFIG_RULES is proven by at least one case of the table', () => {
  const fired = new Set<number>();
  for (const c of CASES) {
    const parsed = parseYamlWithPositions(c.edit(example), 'case.yaml').data as PlatformConfig;
    let expanded: ExpandedConfig = { config: parsed, originOf: (p) => p };
    try {
      expanded = expandSharedModels(parsed);
    } catch {
      // a schema-invalid case: the loader does not expand it either
    }
    CONFIG_RULES.forEach((rule, index) => {
      try {
        if (rule(expanded.config).some((v) => formatPath(expanded.originOf(v.path)) === c.path && c.message.test(v.message))) fired.add(index);
      } catch {
        // a schema-invalid case (names): the rules never see it unguarded
      }
    });
  }
  const missing = CONFIG_RULES.map((rule, index) => ({ rule, index })).filter(({ index }) => !fired.has(index));
  expect(missing.map(({ index, rule }) => `CONFIG_RULES[${index}]: ${String(rule).slice(0, 160)}`)).toEqual([]);
});
