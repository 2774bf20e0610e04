/**
 * `node build/cli/import-schemas.js [--k8s-schemas DIR] [--crds DIR] [--out DIR]` (run by `make import`).
 * Derives the strict schemas the validator uses from upstream Kubernetes definitions and CRDs.
 * Defaults (relative to the working directory): ../shared/k8s-schemas, ../shared/crds, the EXTRA_CRD_FOLDERS of
 * ../shared (Strimzi), imports/schemas.
 */
import * as path from 'path';
import { parseArgs, UsageError } from '../validation/cli-args';
import { EXTRA_CRD_FOLDERS, generateSchemaFiles, writeSchemaFiles } from '../validation/importer/import-schemas';

const USAGE = 'usage: import-schemas [--k8s-schemas DIR] [--crds DIR] [--extra-crds DIR[,DIR...]] [--out DIR]';

function main(argv: readonly string[]): number {
  let args;
  try {
    args = parseArgs(argv, ['k8s-schemas', 'crds', 'extra-crds', 'out']);
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
  const crdsDir = path.resolve(args.options.get('crds') ?? '../shared/crds');
  const outDir = path.resolve(args.options.get('out') ?? 'imports/schemas');
  const extraCrdsDirs = (args.options.get('extra-crds')?.split(',') ?? EXTRA_CRD_FOLDERS.map((folder) => path.join('../shared', folder)))
    .map((dir) => path.resolve(dir));
  const files = generateSchemaFiles({ k8sSchemasDir, crdsDir, extraCrdsDirs });
  writeSchemaFiles(outDir, files);
  const bytes = [...files.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  console.log(`import-schemas: wrote ${files.size} files (${bytes} bytes) to ${path.relative(process.cwd(), outDir) || '.'} in ${Date.now() - started} ms`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`import-schemas: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
