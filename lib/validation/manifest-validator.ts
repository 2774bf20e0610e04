import { ValidateFunction } from 'ajv';
import { applyDefaults } from './apply-defaults';
import { mergeValues, releaseChart } from './helm-values';
import { isJsonObject, JsonValue } from './json';
import { IssueContext, issuesFromAjv, SchemaIssue, uniqueIssues } from './issues';
import { isKustomizeConfig } from './manifest-reader';
import { kindKey } from './schema-index';
import { InstalledVersionsLookup } from './installed-versions';
import { InstalledCrdSets, SchemaRegistry } from './schema-registry';
import { findSchemasDir } from './schemas-dir';

/** An object to validate and where it came from. */
export interface SourcedObject {
  readonly obj: unknown;
  readonly source: string;
}

/** Options of {@link ManifestValidator.validateAll}. */
export interface ValidateAllOptions {
  /**
   * The CRD set versions of the cluster a manifest belongs to.
   * @default - the installed-versions.json of the manifest's cluster folder (found by walking up from the
   * manifest file), or the newest imported versions when there is none
   */
  readonly installedFor?: (source: string) => InstalledCrdSets | undefined;
}

/**
 * Validates Kubernetes objects strictly against the generated upstream schemas (imports/schemas):
 * core kinds against every imported Kubernetes version, custom resources against the CRD of the operator
 * version their cluster installs (plus `metadata` against ObjectMeta). Objects without any schema are errors.
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
   * @param installed CRD set versions the object's cluster installs @default - the newest imported versions
   */
  validate(obj: unknown, source = '<object>', installed?: InstalledCrdSets): SchemaIssue[] {
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
    const crd = this.registry.resolveCrd(key, installed);
    if (crd?.kind === 'missing') {
      return [{ source, object, schema: `crd ${key}`, path: '', message: crd.message }];
    }
    const issues = crd
      ? this.validateCustomResource(obj, key, crd.set, crd.file, source, object)
      : this.validateCoreObject(obj, key, source, object);
    return uniqueIssues(issues);
  }

  /**
   * The CRD schema set (`<name>@<version>`) an object of this apiVersion and kind is validated against, for a
   * cluster that installs `installed`; undefined for core kinds and kinds without a schema.
   */
  crdSetOf(apiVersion: string, kind: string, installed?: InstalledCrdSets): string | undefined {
    const crd = this.registry.resolveCrd(kindKey(apiVersion, kind), installed);
    return crd?.kind === 'schema' ? crd.set : undefined;
  }

  /**
   * Validates many objects; issues in input order. Also checks every HelmRelease's `spec.values` against its
   * chart version (see {@link validateHelmValues}); a `spec.chartRef` is resolved among the objects given.
   */
  validateAll(objs: readonly SourcedObject[], options: ValidateAllOptions = {}): SchemaIssue[] {
    const lookup = new InstalledVersionsLookup();
    const installedFor = options.installedFor ?? ((source: string) => (source.startsWith('<') ? undefined : lookup.forSource(source)));
    const sources = objs.map(({ obj }) => obj).filter((obj) => isJsonObject(obj) && obj.kind === 'OCIRepository') as Record<string, unknown>[];
    return objs.flatMap(({ obj, source }) => {
      const issues = this.validate(obj, source, installedFor(source));
      if (isJsonObject(obj) && obj.kind === 'HelmRelease' && typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('helm.toolkit.fluxcd.io/')) {
        issues.push(...this.validateHelmValues(obj, source, sources));
      }
      return issues;
    });
  }

  /**
   * Checks a HelmRelease's `spec.values` against the imported values of its chart version: unknown key paths
   * and wrong types fail (the derived keys schema), and the chart's own values.schema.json, where it ships one,
   * must accept the defaults merged with the values (as Helm checks them). A release whose chart version was not
   * imported is an issue naming the imported versions.
   */
  validateHelmValues(release: Record<string, unknown>, source: string, sources: readonly Record<string, unknown>[] = []): SchemaIssue[] {
    const object = describeObject(release);
    const chart = releaseChart(release, sources);
    const spec = isJsonObject(release.spec) ? release.spec : {};
    if (chart === undefined) {
      return [{ source, object, schema: 'chart values', path: '/spec', message: 'cannot tell the chart and version of this HelmRelease (spec.chart.spec.chart/version, or a spec.chartRef to an OCIRepository with ref.tag among the validated objects)' }];
    }
    const validators = this.registry.chartValues(chart.chart, chart.version);
    if (validators === undefined) {
      const known = this.registry.chartVersions.filter((id) => id.startsWith(`${chart.chart}@`));
      return [{ source, object, schema: `chart ${chart.chart}@${chart.version}`, path: '/spec/values', message: `no imported values of chart ${chart.chart} ${chart.version}; imported: ${known.join(', ') || 'none of this chart'} (add ../shared/charts/${chart.chart}/${chart.version}/values.yaml and run "make import")` }];
    }
    const values = (spec.values ?? {}) as JsonValue;
    const issues = run(validators.keys, values, { source, object, schema: `chart ${validators.id} keys` }, '/spec/values');
    if (validators.schema) {
      issues.push(...run(validators.schema, mergeValues(validators.defaults, values), { source, object, schema: `chart ${validators.id} values.schema.json` }, '/spec/values'));
    }
    return uniqueIssues(issues);
  }

  private validateCustomResource(obj: Record<string, unknown>, key: string, set: string, file: string, source: string, object: string): SchemaIssue[] {
    // Like the API server, default first (on a copy), then validate: some oneOf rules rely on defaults.
    const defaulted = structuredClone(obj);
    applyDefaults(this.registry.crdSchema(file), defaulted);
    const issues = run(this.registry.crdValidator(file), defaulted, { source, object, schema: `crd ${set} ${key}` });
    if (obj.metadata !== undefined) {
      for (const version of this.registry.kubernetesVersions) {
        const context = { source, object, schema: `kubernetes ${version} ObjectMeta` };
        issues.push(...run(this.registry.kubernetesValidator(version), obj.metadata, context, '/metadata'));
      }
    }
    return issues;
  }

  private validateCoreObject(obj: Record<string, unknown>, key: string, source: string, object: string): SchemaIssue[] {
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
