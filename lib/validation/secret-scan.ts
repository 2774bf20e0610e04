/**
 * The last guard of "no secret in dist/": every generated object is scanned, after rendering, for what the
 * config rules already refuse (lib/core/config-rules.ts) and for what a construct could still produce. Run by
 * `npm run validate` and so by `make test`. Found:
 * - a Secret with `data` or `stringData` (secrets are created outside dist/; dist/ only references them);
 * - any string with a known token format or credentials in a URL (lib/core/secret-patterns.ts);
 * - an `env` entry whose name marks a secret (`*PASSWORD*`, `*TOKEN*`, `*SECRET*`, `*KEY*`) with a literal `value`.
 * Issues never repeat the secret.
 */
import { secretNameWord, secretValueReason } from '../core/secret-patterns';
import { escapePointerSegment, SchemaIssue } from './issues';
import { isJsonObject } from './json';

const SCHEMA = 'no secrets in output';

/** Every secret found in one object (empty when none). */
export function findSecrets(obj: unknown, source: string): SchemaIssue[] {
  if (!isJsonObject(obj)) return [];
  const metadata = isJsonObject(obj.metadata) ? obj.metadata : {};
  const object = `${String(obj.apiVersion)} ${String(obj.kind)} ${metadata.namespace ? `${String(metadata.namespace)}/` : ''}${String(metadata.name)}`;
  const issues: SchemaIssue[] = [];
  const add = (path: string, message: string) => issues.push({ source, object, schema: SCHEMA, path, message });
  if (obj.kind === 'Secret' && obj.apiVersion === 'v1') {
    for (const field of ['data', 'stringData']) {
      if (obj[field] !== undefined) add(`/${field}`, `a Secret with ${field} puts its values into dist/ (committed to Git); create the Secret outside dist/ and reference it by name`);
    }
  }
  const visit = (value: unknown, path: string, parentKey: string | undefined): void => {
    if (typeof value === 'string') {
      const reason = secretValueReason(value);
      if (reason) add(path, `${reason}; reference a Secret created outside dist/ instead`);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (parentKey === 'env' && isJsonObject(item) && typeof item.name === 'string' && typeof item.value === 'string' && item.value !== '') {
          const word = secretNameWord(item.name);
          if (word && !secretValueReason(item.value)) add(`${path}/${i}/value`, `the environment variable '${item.name}' looks like a secret (its name contains ${word}) and has a literal value; use valueFrom.secretKeyRef to a Secret created outside dist/`);
        }
        visit(item, `${path}/${i}`, undefined);
      });
      return;
    }
    if (!isJsonObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      visit(child, `${path}/${escapePointerSegment(key)}`, key);
    }
  };
  visit(obj, '', undefined);
  return issues;
}

/** Every secret found in a set of objects. */
export function findSecretsInAll(objects: readonly { obj: unknown; source: string }[]): SchemaIssue[] {
  return objects.flatMap(({ obj, source }) => findSecrets(obj, source));
}
