/** The published JSON Schema text of the platform config (draft-07, what ajv checks and editors read). */
import { PlatformConfigSchema } from './schema';

/** The schema as formatted JSON, stable byte for byte. */
export function configJsonSchema(): string {
  const schema = { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(PlatformConfigSchema)) };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
