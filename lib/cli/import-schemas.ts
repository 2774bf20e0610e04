/**
 * `node build/cli/import-schemas.js [--k8s-schemas DIR] [--shared DIR] [--out DIR]` (run by `make import`).
 * Derives the strict schemas the validator uses from upstream Kubernetes definitions and CRDs.
 * Defaults (relative to the working directory): ../shared/k8s-schemas, ../shared (CRDs under crds/ and crds-extra/, charts/), imports/schemas.
 */
import * as path from 'path';
import { runMain } from '../core/cli-main';
import { parseArgs, UsageError } from '../validation/cli-args';
import { generateSchemaFiles, writeSchemaFiles } from '../validation/importer/import-schemas';

const USAGE = 'usage: import-schemas [--k8s-schemas DIR] [--shared DIR] [--out DIR]';

function main(argv: readonly string[]): number {
  let args;
  try {
    args = parseArgs(argv, ['k8s-schemas', 'shared', 'out']);
    if (args.positionals.length > 0) {
      throw new UsageError(`unexpected argument ${args.positionals[0]}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`import-schemas: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.options.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  const k8sSchemasDir = path.resolve(args.options.get('k8s-schemas') ?? '../shared/k8s-schemas');
  const sharedDir = path.resolve(args.options.get('shared') ?? '../shared');
  const outDir = path.resolve(args.options.get('out') ?? 'imports/schemas');
  const files = generateSchemaFiles({ k8sSchemasDir, sharedDir });
  writeSchemaFiles(outDir, files);
  const bytes = [...files.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  console.log(`import-schemas: wrote ${files.size} files (${bytes} bytes) to ${path.relative(process.cwd(), outDir) || '.'} in ${Date.now() - started} ms`);
  return 0;
}

runMain('import-schemas', () => main(process.argv.slice(2)));
