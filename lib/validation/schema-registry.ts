import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { AJV_OPTIONS } from './ajv-factory';
import { compareVersions } from './crd-sets';
import { JsonObject, JsonValue } from './json';
import { KubernetesSchemaFile, OBJECT_META_DEFINITION, SCHEMA_INDEX_FILE, SchemaIndex } from './schema-index';
import { contentHash, ValidatorCache } from './validator-cache';

const URI_PREFIX = 'urn:ml-platform-schemas:';

/** Which version of each CRD schema set a cluster installs: set name (`kserve`) to version (`v0.16.0`). */
export type InstalledCrdSets = Readonly<Record<string, string>>;

/** Compiled checks of one chart version's values. */
export interface ChartValidators {
  /** `<chart>@<version>` as imported. */
  readonly id: string;
  readonly defaults: JsonValue;
  readonly keys: ValidateFunction;
  readonly schema?: ValidateFunction;
}

/** The CRD schema chosen for one custom resource, or why there is none. */
export type CrdResolution =
  | { readonly kind: 'schema'; readonly set: string; readonly file: string }
  | { readonly kind: 'missing'; readonly message: string };

/**
 * Loads the generated schemas folder and hands out compiled ajv validators. Files are read and
 * validators compiled lazily, once per schema (then cached), so only the kinds actually seen cost time.
 */
export class SchemaRegistry {
  /** Reads `<schemasDir>/index.json`; schema files are read on first use. */
  static open(schemasDir: string): SchemaRegistry {
    const text = fs.readFileSync(path.join(schemasDir, SCHEMA_INDEX_FILE), 'utf8');
    return new SchemaRegistry(schemasDir, JSON.parse(text) as SchemaIndex, text);
  }

  /** Kubernetes versions, oldest first. */
  public readonly kubernetesVersions: readonly string[];
  /** API groups that have at least one CRD schema, to the name of the set that defines them. */
  public readonly crdGroups: ReadonlyMap<string, string>;
  /** Versions of each set name, oldest first. */
  public readonly setVersions: ReadonlyMap<string, readonly string[]>;
  /** Compiled validators, kept between processes when a cache folder is set (see validator-cache.ts). */
  private readonly cache = ValidatorCache.fromEnvironment(AJV_OPTIONS);
  private readonly ajv: Ajv = this.cache.ajv;
  /** Hash of every file of the schemas folder, part of each cached validator's key (computed on first use). */
  private folderHash: string | undefined;
  private readonly kubernetesFiles = new Map<string, KubernetesSchemaFile>();
  private readonly crdSchemas = new Map<string, JsonObject>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly charts = new Map<string, ChartValidators>();

  private constructor(private readonly schemasDir: string, private readonly index: SchemaIndex, private readonly indexText: string) {
    this.kubernetesVersions = Object.keys(index.kubernetes);
    const groups = new Map<string, string>();
    const versions = new Map<string, string[]>();
    for (const [id, kinds] of Object.entries(index.crdSets)) {
      const [name, version] = id.split('@');
      versions.set(name, [...(versions.get(name) ?? []), version].sort(compareVersions));
      for (const key of Object.keys(kinds)) {
        const group = key.split('/')[0];
        const owner = groups.get(group);
        if (owner !== undefined && owner !== name) {
          throw new Error(`API group ${group} is in two CRD sets (${owner} and ${name}) in ${schemasDir}`);
        }
        groups.set(group, name);
      }
    }
    this.crdGroups = groups;
    this.setVersions = versions;
  }

  /**
   * The CRD schema of a custom resource `"<apiVersion> <kind>"` key, from the set version the cluster
   * installs (`installed`), or the newest imported version of that set when the cluster's versions are not
   * known (a manifest outside a synthesized cluster folder). Undefined if no CRD set defines the key's group.
   */
  resolveCrd(key: string, installed?: InstalledCrdSets): CrdResolution | undefined {
    const group = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
    const name = this.crdGroups.get(group);
    if (name === undefined) return undefined;
    const available = this.setVersions.get(name) ?? [];
    const version = installed?.[name] ?? available[available.length - 1];
    const set = `${name}@${version}`;
    const kinds = this.index.crdSets[set];
    if (kinds === undefined) {
      return { kind: 'missing', message: `no ${name} ${version} CRD schemas (the version this cluster installs); available: ${available.join(', ')}; add the CRDs to lib/validation/crd-sets.ts and run "make import"` };
    }
    const file = kinds[key];
    if (file === undefined) {
      const which = installed?.[name] ? 'the version this cluster installs' : 'the newest imported version';
      return { kind: 'missing', message: `no upstream schema for ${key} in ${name} ${version} (${which}; no CRD of it defines this version and kind)` };
    }
    return { kind: 'schema', set, file };
  }

  /** The strict JSON schema in a CRD schema file (see {@link resolveCrd}). */
  crdSchema(file: string): JsonObject {
    let schema = this.crdSchemas.get(file);
    if (!schema) {
      schema = this.readJson(file) as JsonObject;
      this.crdSchemas.set(file, schema);
    }
    return schema;
  }

  /** Validator for a CRD schema file (see {@link resolveCrd}). */
  crdValidator(file: string): ValidateFunction {
    return this.cached(`crd ${file}`, () => {
      const uri = URI_PREFIX + file;
      this.ajv.addSchema(this.crdSchema(file), uri);
      return this.ajv.getSchema(uri);
    });
  }

  /** Definition name of a kind in a Kubernetes version, or undefined if that version has no such kind. */
  kubernetesDefinition(version: string, key: string): string | undefined {
    return this.kubernetesFile(version).kinds[key];
  }

  /** Validator for one definition (e.g. a kind, or ObjectMeta) of a Kubernetes version. */
  kubernetesValidator(version: string, definition: string = OBJECT_META_DEFINITION): ValidateFunction {
    return this.cached(`kubernetes ${version} ${definition}`, () => {
      this.kubernetesFile(version);
      return this.ajv.getSchema(`${this.kubernetesUri(version)}#/definitions/${definition}`);
    });
  }

  /** Chart versions with a values file, as `<chart>@<version>`. */
  get chartVersions(): readonly string[] {
    return Object.keys(this.index.charts ?? {});
  }

  /**
   * Validators of a chart version's values (see ChartValuesFile in importer/import-charts.ts): `keys` for the
   * release's own values, `schema` (if the chart ships one) for the defaults merged with them. Undefined if the
   * chart version was not imported; a leading `v` is matched either way.
   */
  chartValues(chart: string, version: string): ChartValidators | undefined {
    const id = [`${chart}@${version}`, `${chart}@v${version}`, `${chart}@${version.replace(/^v/, '')}`].find((c) => this.index.charts?.[c] !== undefined);
    if (id === undefined) return undefined;
    let entry = this.charts.get(id);
    if (!entry) {
      const file = this.readJson(this.index.charts[id]) as { defaults: JsonValue; keys: JsonObject; kubernetes: string; schema?: JsonObject };
      const compile = (schema: JsonObject, suffix: string) => this.cached(`chart ${id} ${suffix}`, () => {
        this.kubernetesFile(file.kubernetes); // the values schemas reference its definitions
        const uri = `${URI_PREFIX}chart-${id}-${suffix}`;
        this.ajv.addSchema(schema, uri);
        return this.ajv.getSchema(uri);
      });
      entry = { id, defaults: file.defaults, keys: compile(file.keys, 'keys'), schema: file.schema ? compile(file.schema, 'schema') : undefined };
      this.charts.set(id, entry);
    }
    return entry;
  }

  private kubernetesFile(version: string): KubernetesSchemaFile {
    let file = this.kubernetesFiles.get(version);
    if (!file) {
      const relative = this.index.kubernetes[version];
      if (relative === undefined) {
        throw new Error(`no Kubernetes ${version} schemas in ${this.schemasDir}`);
      }
      file = this.readJson(relative) as KubernetesSchemaFile;
      this.ajv.addSchema({ definitions: file.definitions }, this.kubernetesUri(version));
      this.kubernetesFiles.set(version, file);
    }
    return file;
  }

  private kubernetesUri(version: string): string {
    return `${URI_PREFIX}kubernetes-${version}`;
  }

  private cached(key: string, compile: () => ValidateFunction | undefined): ValidateFunction {
    let validator = this.validators.get(key);
    if (!validator) {
      validator = this.cache.validator(this.cache.enabled ? `${key}\0${this.contentKey()}` : key, compile);
      if (!validator) {
        throw new Error(`schema ${key} not found in ${this.schemasDir}`);
      }
      this.validators.set(key, validator);
    }
    return validator;
  }

  /** The schemas folder's content as a cache key: any regenerated schema changes every key. */
  private contentKey(): string {
    if (this.folderHash === undefined) {
      const files = [...Object.values(this.index.kubernetes), ...Object.values(this.index.crdSets).flatMap((kinds) => Object.values(kinds)), ...Object.values(this.index.charts ?? {})];
      const unique = [...new Set(files)].sort();
      this.folderHash = contentHash(this.indexText, ...unique.flatMap((file) => [file, fs.readFileSync(path.join(this.schemasDir, ...file.split('/')), 'utf8')]));
    }
    return `${URI_PREFIX} ${this.folderHash}`;
  }

  private readJson(relative: string): unknown {
    return JSON.parse(fs.readFileSync(path.join(this.schemasDir, ...relative.split('/')), 'utf8'));
  }
}
