/** The README stays a short front door, its links resolve, and the generated docs match their generator. */
import * as fs from 'fs';
import * as path from 'path';
import { configReferenceMarkdown } from '../lib/config/config-docs';
import { REPO_ROOT } from './util';

const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

describe('documentation', () => {
  test('README.md is at most 8 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(8 * 1024);
  });

  test('every relative link of README.md and docs/ points at an existing file', () => {
    const written = fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f !== 'config-reference.md');
    const pages = [path.join(REPO_ROOT, 'README.md'), ...written.map((f) => path.join(REPO_ROOT, 'docs', f))];
    const broken = pages.flatMap((page) => [...fs.readFileSync(page, 'utf8').matchAll(/\]\(([^)#:\s]+\.md)(#[^)]*)?\)/g)]
      .map((m) => m[1]).filter((target) => !fs.existsSync(path.resolve(path.dirname(page), target)))
      .map((target) => `${path.relative(REPO_ROOT, page)} -> ${target}`));
    expect(broken).toEqual([]);
  });

  test('docs/config-reference.md is what the generator writes (run make synth after changing the config schema)', () => {
    expect(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'config-reference.md'), 'utf8')).toBe(configReferenceMarkdown());
  });

  test('the config reference lists nested keys of every feature section', () => {
    const reference = configReferenceMarkdown();
    for (const key of ['clusters.<name>.dataProcessing', 'clusters.<name>.training', 'clusters.<name>.serving', 'gitops.repository.url']) {
      expect(reference).toContain(`| \`${key}`);
    }
  });
});

describe('test layout', () => {
  test('every file of test/slow-tests.json exists (a renamed slow test would silently drop out of make test-slow)', () => {
    const { files } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'slow-tests.json'), 'utf8')) as { files: string[] };
    expect(files.filter((file) => !fs.existsSync(path.join(REPO_ROOT, file)))).toEqual([]);
  });
});
