/**
 * Writes the JSON Schema of the platform config (`config/platform.schema.json`) from the TypeBox definition,
 * so editors can autocomplete and check config files. Usage: node build/cli/write-config-schema.js [OUT]
 */
import * as fs from 'fs';
import { configJsonSchema } from '../config/json-schema';

const out = process.argv[2] ?? 'config/platform.schema.json';
fs.writeFileSync(out, configJsonSchema());
console.log(`wrote ${out}`);
