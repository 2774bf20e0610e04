import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { createAjv } from './ajv-factory';
import { JsonObject } from './json';
import { KubernetesSchemaFile, OBJECT_META_DEFINITION, SCHEMA_INDEX_FILE, SchemaIndex } from './schema-index';

const URI_PREFIX = 'urn:ml-platform-schemas:';

/**
 * Loads the generated schemas folder and hands out compiled ajv validators. Files are read and
 * validators compiled lazily, once per schema (then cached), so only the kinds actually seen cost time.
 */
export class SchemaRegistry {
  /** Reads `<schemasDir>/index.json`; schema files are read on first use. */
  static open(schemasDir: string): SchemaRegistry {
    const index = JSON.parse(fs.readFileSync(path.join(schemasDir, SCHEMA_INDEX_FILE), 'utf8')) as SchemaIndex;
    return new SchemaRegistry(schemasDir, index);
  }

  /** Kubernetes versions, oldest first. */
  public readonly kubernetesVersions: readonly string[];
  /** API groups that have at least one CRD schema. */
  public readonly crdGroups: ReadonlySet<string>;
  private readonly ajv: Ajv = createAjv();
  private readonly kubernetesFiles = new Map<string, KubernetesSchemaFile>();
  private readonly crdSchemas = new Map<string, JsonObject>();
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(private readonly schemasDir: string, private readonly index: SchemaIndex) {
    this.kubernetesVersions = Object.keys(index.kubernetes);
    this.crdGroups = new Set(Object.keys(index.crds).map((key) => key.split('/')[0]));
  }

  /** True if a CRD schema exists for this `"<apiVersion> <kind>"` key. */
  hasCrd(key: string): boolean {
    return this.index.crds[key] !== undefined;
  }

  /** The strict JSON schema of a custom resource `"<apiVersion> <kind>"` key (must exist, see {@link hasCrd}). */
  crdSchema(key: string): JsonObject {
    let schema = this.crdSchemas.get(key);
    if (!schema) {
      schema = this.readJson(this.index.crds[key]) as JsonObject;
      this.crdSchemas.set(key, schema);
    }
    return schema;
  }

  /** Validator for a custom resource `"<apiVersion> <kind>"` key (must exist, see {@link hasCrd}). */
  crdValidator(key: string): ValidateFunction {
    return this.cached(`crd ${key}`, () => {
      const uri = URI_PREFIX + this.index.crds[key];
      this.ajv.addSchema(this.crdSchema(key), uri);
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
      validator = compile();
      if (!validator) {
        throw new Error(`schema ${key} not found in ${this.schemasDir}`);
      }
      this.validators.set(key, validator);
    }
    return validator;
  }

  private readJson(relative: string): unknown {
    return JSON.parse(fs.readFileSync(path.join(this.schemasDir, ...relative.split('/')), 'utf8'));
  }
}
