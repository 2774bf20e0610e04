import { ErrorObject } from 'ajv';

/** One reason why an object does not match its upstream schema. */
export interface SchemaIssue {
  /** File path or label the object came from. */
  readonly source: string;
  /** The object, e.g. "apps/v1 Deployment serving/mlflow". */
  readonly object: string;
  /** The schema that rejected it, e.g. "kubernetes 1.27.0" or "crd serving.kserve.io/v1beta1 InferenceService". */
  readonly schema: string;
  /** JSON pointer of the offending field, e.g. /spec/template/spec/containers/0/foo ("" for the whole object). */
  readonly path: string;
  /** What is wrong, e.g. "must NOT have additional properties (foo)". */
  readonly message: string;
}

/** Where an issue was found; combined with an ajv error or a message to make a {@link SchemaIssue}. */
export interface IssueContext {
  readonly source: string;
  readonly object: string;
  readonly schema: string;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Converts ajv errors to issues. Unknown and missing fields get the field itself in `path`
 * (`/spec/template/spec/serviceAcountName`), so the path always names the offending field.
 */
export function issuesFromAjv(errors: readonly ErrorObject[], context: IssueContext, pathPrefix = ''): SchemaIssue[] {
  return errors.map((error) => {
    const base = pathPrefix + error.instancePath;
    switch (error.keyword) {
      case 'additionalProperties': {
        const field = String(error.params.additionalProperty);
        return { ...context, path: `${base}/${escapePointerSegment(field)}`, message: `must NOT have additional properties (${field})` };
      }
      case 'required': {
        const field = String(error.params.missingProperty);
        return { ...context, path: `${base}/${escapePointerSegment(field)}`, message: `must have required property '${field}'` };
      }
      case 'enum':
        return { ...context, path: base, message: `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
      default:
        return { ...context, path: base, message: error.message ?? error.keyword };
    }
  });
}

/** Drops repeated issues (same source, object, schema, path and message), keeping the first. */
export function uniqueIssues(issues: readonly SchemaIssue[]): SchemaIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.source, issue.object, issue.schema, issue.path, issue.message]);
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** One line per issue: `<source>: <object> [<schema>] <path>: <message>`. */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((i) => `${i.source}: ${i.object} [${i.schema}] ${i.path || '/'}: ${i.message}`).join('\n');
}
