import * as fs from 'fs';
import * as path from 'path';
import { SCHEMA_INDEX_FILE } from './schema-index';

/** Location of the generated schemas inside the repository. */
export const SCHEMAS_SUBDIR = path.join('imports', 'schemas');

/**
 * Finds `imports/schemas` by walking up from each start folder (default: this module's folder, which works
 * for lib/validation under ts-node/jest and for a bundled build/cli/*.js, then the working directory).
 * Throws if no folder with `imports/schemas/index.json` is found.
 */
export function findSchemasDir(startDirs: readonly string[] = [__dirname, process.cwd()]): string {
  for (const start of startDirs) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, SCHEMAS_SUBDIR);
      if (fs.existsSync(path.join(candidate, SCHEMA_INDEX_FILE))) {
        return candidate;
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        break;
      }
      dir = parent;
    }
  }
  throw new Error(`cannot find ${SCHEMAS_SUBDIR}/${SCHEMA_INDEX_FILE} above ${startDirs.join(' or ')}; run "make import"`);
}
