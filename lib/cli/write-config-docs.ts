/** Writes the generated config reference page. Usage: node build/cli/write-config-docs.js [OUT]. Exit status: 0 written, 1 not writable. */
import * as fs from 'fs';
import * as path from 'path';
import { configReferenceMarkdown } from '../config/config-docs';
import { runMain } from '../core/cli-main';

runMain('write-config-docs', () => {
  const out = process.argv[2] ?? 'docs/config-reference.md';
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, configReferenceMarkdown());
  console.log(`wrote ${out}`);
  return 0;
});
