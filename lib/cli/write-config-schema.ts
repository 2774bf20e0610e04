/**
 * Writes the JSON Schema of the platform config (`config/platform.schema.json`) from the TypeBox definition,
 * so editors can autocomplete and check config files. Usage: node build/cli/write-config-schema.js [OUT].
 * Exit status: 0 written, 1 not writable (one line naming the file and the reason).
 */
import * as fs from 'fs';
import * as path from 'path';
import { configJsonSchema } from '../config/json-schema';
import { runMain } from '../core/cli-main';

runMain('write-config-schema', () => {
  const out = process.argv[2] ?? 'config/platform.schema.json';
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, configJsonSchema());
  console.log(`wrote ${out}`);
  return 0;
});
