/**
 * The config reference page (`docs/config-reference.md`), generated from the same JSON Schema editors use, so
 * the documentation of every key can never drift from what the loader accepts.
 */
import { configJsonSchema } from './json-schema';

interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
}

interface Row { readonly path: string; readonly type: string; readonly required: boolean; readonly description: string }

function typeOf(node: SchemaNode): string {
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  const variants = node.anyOf ?? node.oneOf;
  if (variants) return variants.map(typeOf).join(' \\| ');
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'any'}`;
  if (node.type === 'object' && !node.properties) return 'map';
  return Array.isArray(node.type) ? node.type.join(' \\| ') : String(node.type ?? 'any');
}

function constraints(node: SchemaNode): string {
  const parts: string[] = [];
  if (node.pattern) parts.push(`pattern \`${node.pattern.replace(/\|/g, '\\|')}\``);
  if (node.minimum !== undefined) parts.push(`min ${node.minimum}`);
  if (node.maximum !== undefined) parts.push(`max ${node.maximum}`);
  if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function walk(node: SchemaNode, path: string, required: boolean, rows: Row[]): void {
  if (path) rows.push({ path, type: typeOf(node), required, description: `${node.description ?? ''}${constraints(node)}` });
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    walk(child, path ? `${path}.${key}` : key, node.required?.includes(key) ?? false, rows);
  }
  const mapValue = typeof node.additionalProperties === 'object' ? node.additionalProperties : Object.values(node.patternProperties ?? {})[0];
  if (mapValue) walk(mapValue, `${path}.<name>`, true, rows);
  if (node.items && (node.items.properties || node.items.additionalProperties)) walk(node.items, `${path}[]`, true, rows);
  for (const variant of node.anyOf ?? node.oneOf ?? []) {
    if (variant.properties) for (const [key, child] of Object.entries(variant.properties)) walk(child, `${path}.${key}`, variant.required?.includes(key) ?? false, rows);
  }
}

/** The Markdown reference of every config key, in schema order. */
export function configReferenceMarkdown(): string {
  const schema = JSON.parse(configJsonSchema()) as SchemaNode;
  const rows: Row[] = [];
  walk(schema, '', true, rows);
  const cell = (text: string) => text.replace(/\n/g, ' ');
  const seen = new Set<string>();
  const table = rows.filter((row) => !seen.has(row.path) && seen.add(row.path))
    .map((row) => `| \`${row.path}\` | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${cell(row.description)} |`);
  return [
    '# Config reference',
    '',
    'Generated from `config/platform.schema.json` by `make synth`: do not edit. Every key of `config/<environment>.yaml`,',
    'with its type, whether it is required where its parent appears, and what it means. `<name>` stands for a key you choose.',
    '',
    '| key | type | required | description |',
    '| --- | --- | --- | --- |',
    ...table,
    '',
  ].join('\n');
}
