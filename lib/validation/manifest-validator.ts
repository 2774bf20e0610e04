import { ValidateFunction } from 'ajv';
import { applyDefaults } from './apply-defaults';
import { isJsonObject } from './json';
import { IssueContext, issuesFromAjv, SchemaIssue, uniqueIssues } from './issues';
import { isKustomizeConfig } from './manifest-reader';
import { kindKey } from './schema-index';
import { SchemaRegistry } from './schema-registry';
import { findSchemasDir } from './schemas-dir';

/** An object to validate and where it came from. */
export interface SourcedObject {
  readonly obj: unknown;
  readonly source: string;
}

/**
 * Validates Kubernetes objects strictly against the generated upstream schemas (imports/schemas):
 * core kinds against every imported Kubernetes version, custom resources against their CRD version
 * (plus `metadata` against ObjectMeta). Objects without any schema are errors.
 */
export class ManifestValidator {
  /**
   * Opens a schemas folder.
   * @param schemasDir folder holding index.json
   * @default - `imports/schemas` found by walking up from this module's folder (or the working directory)
   */
  static load(schemasDir?: string): ManifestValidator {
    return new ManifestValidator(SchemaRegistry.open(schemasDir ?? findSchemasDir()));
  }

  private constructor(private readonly registry: SchemaRegistry) {}

  /** Kubernetes versions every core object is checked against, oldest first (e.g. ["1.27.0", "1.36.0"]). */
  get kubernetesVersions(): readonly string[] {
    return this.registry.kubernetesVersions;
  }

  /**
   * Validates one parsed object. Returns no issues if it is valid (kustomize `Kustomization` files are
   * not Kubernetes objects and are accepted as they are).
   * @param source file path or label used in the issues @default '<object>'
   */
  validate(obj: unknown, source = '<object>'): SchemaIssue[] {
    if (!isJsonObject(obj)) {
      return [{ source, object: '<not an object>', schema: 'manifest', path: '', message: 'document must be a YAML/JSON object' }];
    }
    const { apiVersion, kind } = obj;
    const object = describeObject(obj);
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
      return [{ source, object, schema: 'manifest', path: '', message: 'apiVersion and kind must be non-empty strings' }];
    }
    if (isKustomizeConfig(obj)) {
      return [];
    }
    const key = kindKey(apiVersion, kind);
    const issues = this.registry.hasCrd(key)
      ? this.validateCustomResource(obj, key, source, object)
      : this.validateCoreObject(obj, key, source, object);
    return uniqueIssues(issues);
  }

  /** Validates many objects; issues in input order. */
  validateAll(objs: readonly SourcedObject[]): SchemaIssue[] {
    return objs.flatMap(({ obj, source }) => this.validate(obj, source));
  }

  private validateCustomResource(obj: Record<string, unknown>, key: string, source: string, object: string): SchemaIssue[] {
    // Like the API server, default first (on a copy), then validate: some oneOf rules rely on defaults.
    const defaulted = structuredClone(obj);
    applyDefaults(this.registry.crdSchema(key), defaulted);
    const issues = run(this.registry.crdValidator(key), defaulted, { source, object, schema: `crd ${key}` });
    if (obj.metadata !== undefined) {
      for (const version of this.registry.kubernetesVersions) {
        const context = { source, object, schema: `kubernetes ${version} ObjectMeta` };
        issues.push(...run(this.registry.kubernetesValidator(version), obj.metadata, context, '/metadata'));
      }
    }
    return issues;
  }

  private validateCoreObject(obj: Record<string, unknown>, key: string, source: string, object: string): SchemaIssue[] {
    const group = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
    if (this.registry.crdGroups.has(group)) {
      return [{ source, object, schema: `crd ${group}`, path: '', message: `no upstream schema for ${key} (no CRD defines this version and kind)` }];
    }
    return this.registry.kubernetesVersions.flatMap((version) => {
      const context = { source, object, schema: `kubernetes ${version}` };
      const definition = this.registry.kubernetesDefinition(version, key);
      if (definition === undefined) {
        return [{ ...context, path: '', message: `no upstream schema for ${key} (not a Kubernetes ${version} kind, and no CRD)` }];
      }
      return run(this.registry.kubernetesValidator(version, definition), obj, context);
    });
  }
}

function run(validator: ValidateFunction, data: unknown, context: IssueContext, pathPrefix = ''): SchemaIssue[] {
  return validator(data) ? [] : issuesFromAjv(validator.errors ?? [], context, pathPrefix);
}

/** "apps/v1 Deployment serving/mlflow" (namespace only when set; "<no name>" if missing). */
function describeObject(obj: Record<string, unknown>): string {
  const metadata = isJsonObject(obj.metadata) ? obj.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '<no name>';
  const namespace = typeof metadata.namespace === 'string' ? `${metadata.namespace}/` : '';
  return `${String(obj.apiVersion ?? '<no apiVersion>')} ${String(obj.kind ?? '<no kind>')} ${namespace}${name}`;
}
