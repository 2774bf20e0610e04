/**
 * Bundled command-line tools, for the tests that run them as `make synth` and the npm scripts do (`node <bundle>`):
 * one esbuild call for every test file, and a work folder that holds the bundle for the tests of one file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { REPO_ROOT } from './util';

/** Bundles the TypeScript entry point `entry` (a path in the repository, or an absolute path) into `outfile`, for node 20. */
export function bundleEntry(entry: string, outfile: string): string {
  buildSync({ entryPoints: [path.resolve(REPO_ROOT, entry)], bundle: true, platform: 'node', target: 'node20', outfile, logLevel: 'error' });
  return outfile;
}

/** The work folder of a test file and the bundle in it. */
export interface BundledCli {
  /** A temporary folder of the test file (removed after its tests). */
  readonly work: string;
  /** The bundled entry point, `<work>/<entry name>.js`. */
  readonly bundle: string;
}

/**
 * Registers the `beforeAll` that makes a temporary folder (`<tmpdir>/<prefix>XXXXXX`) and bundles `entry` into it,
 * and the `afterAll` that removes the folder. Call it at the top level of a test file; the fields are set once the
 * file's `beforeAll` hooks have run (read them in tests and hooks, not at load time).
 */
export function useBundledCli(prefix: string, entry = 'main.ts'): BundledCli {
  let work: string | undefined;
  let bundle: string | undefined;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    bundle = bundleEntry(entry, path.join(work, `${path.basename(entry, '.ts')}.js`));
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
  const ready = (name: string, value: string | undefined): string => {
    if (value === undefined) throw new Error(`useBundledCli('${prefix}'): ${name} is read before the file's beforeAll ran`);
    return value;
  };
  return {
    get work() { return ready('work', work); },
    get bundle() { return ready('bundle', bundle); },
  };
}
