/**
 * Issue 14, item 4: hostile files and output paths. Before: a FIFO in config/ hung synth, a symlink to /dev/zero
 * grew to 11 GB, a 10 MB config died with a V8 out-of-memory trace, `--out /proc/dist` spun. Now each is a clear
 * error, exit 1, within seconds, and nothing is written.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PLATFORM_COMPOSITIONS } from '../../charts';
import { formatPath } from '../../lib/config/issues';
import { DEFAULT_MAX_CONFIG_BYTES } from '../../lib/config/load';
import { MAX_NAMESPACES_PER_CLUSTER } from '../../lib/core/config-rules';
import { RenderTooLargeError, synthesize } from '../../lib/synth/synthesize';
import { useBundledCli } from '../bundle';
import { EXAMPLE_CONFIG, exampleConfigIssues } from '../util';

const exampleText = fs.readFileSync(EXAMPLE_CONFIG, 'utf8');
const cli = useBundledCli('hostile-');

function configFolder(): string {
  return fs.mkdtempSync(path.join(cli.work, 'config-'));
}

function runSynth(config: string, out: string, env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const result = spawnSync('node', [cli.bundle, '--config', config, '--out', out], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { ...result, ms: Date.now() - started };
}

function expectCleanFailure(result: ReturnType<typeof runSynth>, says: RegExp): void {
  expect(result.signal).toBeNull(); // not killed by the timeout: it did not hang
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(says);
  expect(result.stderr).toContain('Nothing was written');
  expect(result.stderr).not.toMatch(/\n\s+at |ENOENT|EACCES|Error:/);
}

describe('only regular files are read from the config folder', () => {
  test('a FIFO named like a config file is refused at once (it used to hang)', () => {
    const config = configFolder();
    expect(spawnSync('mkfifo', [path.join(config, 'example.yaml')]).status).toBe(0);
    const out = path.join(cli.work, 'out-fifo', 'dist');
    const result = runSynth(config, out);
    expectCleanFailure(result, /example\.yaml: \(root\): the config file is a FIFO \(named pipe\); config files must be regular files/);
    expect(result.ms).toBeLessThan(15_000);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a symbolic link to /dev/zero is refused (it used to read for ever)', () => {
    const config = configFolder();
    fs.symlinkSync('/dev/zero', path.join(config, 'example.yaml'));
    const result = runSynth(config, path.join(cli.work, 'out-zero', 'dist'));
    expectCleanFailure(result, /the config file is a character device \(through a symbolic link\); config files must be regular files/);
  });

  test('a folder named like a config file is refused', () => {
    const config = configFolder();
    fs.mkdirSync(path.join(config, 'example.yaml'));
    expectCleanFailure(runSynth(config, path.join(cli.work, 'out-dir', 'dist')), /the config file is a folder/);
  });

  test('a symbolic link to a regular config file is read', () => {
    const config = configFolder();
    fs.symlinkSync(EXAMPLE_CONFIG, path.join(config, 'example.yaml'));
    const result = runSynth(config, path.join(cli.work, 'out-link', 'dist'));
    expect([result.status, result.stderr]).toEqual([0, '']);
  });
});

describe('size and memory ceilings are errors, not crashes', () => {
  test(`a config file larger than ${DEFAULT_MAX_CONFIG_BYTES} bytes is refused before it is parsed`, () => {
    const config = configFolder();
    const padding = `# ${'x'.repeat(78)}\n`.repeat(Math.ceil(DEFAULT_MAX_CONFIG_BYTES / 80) + 10);
    fs.writeFileSync(path.join(config, 'example.yaml'), exampleText + padding);
    const result = runSynth(config, path.join(cli.work, 'out-big', 'dist'));
    expectCleanFailure(result, new RegExp(`the config file has \\d+ bytes, more than the limit of ${DEFAULT_MAX_CONFIG_BYTES} bytes \\(PLATFORM_CONFIG_MAX_BYTES\\)`));
  });

  test('the size limit can be set with PLATFORM_CONFIG_MAX_BYTES', () => {
    const config = configFolder();
    fs.writeFileSync(path.join(config, 'example.yaml'), exampleText);
    expectCleanFailure(runSynth(config, path.join(cli.work, 'out-small', 'dist'), { PLATFORM_CONFIG_MAX_BYTES: '1000' }), /more than the limit of 1000 bytes/);
  });

  test(`more than ${MAX_NAMESPACES_PER_CLUSTER} namespaces in a cluster is a config error at the namespaces key`, () => {
    const extra = Array.from({ length: MAX_NAMESPACES_PER_CLUSTER + 1 }, (_, i) => `      team-${i}: {}\n`).join('');
    const issues = exampleConfigIssues((text) => text.replace('      airflow: {}', `${extra}      airflow: {}`));
    const issue = issues.find((i) => formatPath(i.path) === 'clusters.data-processing.namespaces');
    expect(issue?.message).toMatch(/^100\d\d namespaces, more than 10000, the tested limit of one Kubernetes cluster/);
    expect(issue?.line).toBeGreaterThan(0);
  });

  test('rendering past the heap ceiling stops with a clear error and writes nothing (instead of a V8 out-of-memory abort)', () => {
    const config = configFolder();
    fs.writeFileSync(path.join(config, 'example.yaml'), exampleText);
    const out = path.join(cli.work, 'out-heap', 'dist');
    expect(() => synthesize({ configDir: config, outDir: out, compositions: PLATFORM_COMPOSITIONS, heapBudgetBytes: 1 }))
      .toThrow(RenderTooLargeError);
    expect(() => synthesize({ configDir: config, outDir: out, compositions: PLATFORM_COMPOSITIONS, heapBudgetBytes: 1 }))
      .toThrow(/the platform is too large to render in memory: \d+ MB of heap used after 1 cluster\(s\) .*NODE_OPTIONS=--max-old-space-size/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('--out refuses kernel file systems and creates its parents', () => {
  const config = () => {
    const dir = configFolder();
    fs.writeFileSync(path.join(dir, 'example.yaml'), exampleText);
    return dir;
  };

  test.each(['/proc/dist', '/sys/dist', '/dev/dist', '/dev/shm/dist', '/proc/self/cwd/dist-never'])('--out %s is refused at once (it used to spin)', (out) => {
    const result = runSynth(config(), out);
    expectCleanFailure(result, /--out .*: is under \/(proc|sys|dev), a kernel file system; choose a folder on a normal disk/);
    expect(result.ms).toBeLessThan(15_000);
  });

  test('a symbolic link into /proc is followed and refused', () => {
    const link = path.join(cli.work, 'to-proc');
    fs.symlinkSync('/proc/self', link);
    expectCleanFailure(runSynth(config(), path.join(link, 'dist')), /is under \/proc, a kernel file system/);
  });

  test('missing parents of --out are created', () => {
    const out = path.join(cli.work, 'new', 'deeper', 'dist');
    const result = runSynth(config(), out);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(fs.existsSync(path.join(out, 'README.md'))).toBe(true);
  });
});
