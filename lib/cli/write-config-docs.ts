/** Writes the generated config reference page. Usage: node build/cli/write-config-docs.js [OUT] */
import * as fs from 'fs';
import { configReferenceMarkdown } from '../config/config-docs';

const out = process.argv[2] ?? 'docs/config-reference.md';
fs.writeFileSync(out, configReferenceMarkdown());
console.log(`wrote ${out}`);
