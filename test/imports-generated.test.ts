/**
 * imports/ holds generated bindings: they import only cdk8s and constructs, never project code. (A rule of
 * .dependency-cruiser.js until make test stopped parsing the 11 MB of imports/ there; checked here on the text.)
 */
import * as fs from 'fs';
import * as path from 'path';

/** The bindings folder (test/util.ts is not imported: it loads the whole construct library). */
const IMPORTS = path.resolve(__dirname, '..', 'imports');

/** Every module an ES import/export, require() or import() of the text names. */
function importedModules(text: string): string[] {
  const pattern = /^(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|\brequire\s*\(\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/gm;
  return [...text.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3] ?? match[4]);
}

test('the pattern finds every form of import (so the check below can fail)', () => {
  const text = "import { A } from 'cdk8s';\nimport {\n  B,\n} from \"../lib/core\";\nexport * from '../charts';\nimport '../main';\nconst c = require('../lib/x');\nconst d = import('../lib/y');\n";
  expect(importedModules(text)).toEqual(['cdk8s', '../lib/core', '../charts', '../main', '../lib/x', '../lib/y']);
});

test('every binding module imports only cdk8s and constructs', () => {
  const files = fs.readdirSync(IMPORTS).filter((name) => name.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(5);
  const found = files.flatMap((name) => importedModules(fs.readFileSync(path.join(IMPORTS, name), 'utf8')).map((module) => `${name}: ${module}`));
  expect(found.filter((entry) => !/: (cdk8s|constructs)$/.test(entry))).toEqual([]);
  expect(found.length).toBeGreaterThanOrEqual(files.length);
});
