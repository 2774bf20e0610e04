import * as fs from 'fs';
import * as yaml from 'js-yaml';
import { isJsonObject, JsonObject, JsonValue } from '../json';
import { kindKey } from '../schema-index';
import { listYamlFiles, portableRelative, sha256OfFile } from './files';
import { shareRepeatedSubschemas } from './shared-subschemas';
import { toStrictSchema } from './strict-schema';

/** One served version of one CRD, converted to a strict JSON schema. */
export interface ImportedCrdVersion {
  /** e.g. "serving.kserve.io/v1beta1" */
  readonly apiVersion: string;
  readonly kind: string;
  /** Output path relative to the schemas folder, kubeconform layout below the set: `crds/<set>-<version>/<group>/<kind>_<version>.json`. */
  readonly file: string;
  readonly schema: JsonObject;
  /** The CRD YAML it came from, relative to the CRD folder. */
  readonly source: string;
  readonly sourceSha256: string;
  /** Upstream release annotations of the CRD (bundle version, controller-gen version), if any. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly droppedPatterns: readonly string[];
}

/** Folders skipped by default: `legacy-*` holds old CRD copies (e.g. Flux v1beta2) we must not accept. */
export function isSkippedCrdFolder(name: string): boolean {
  return name.startsWith('legacy-');
}

const RELEASE_ANNOTATIONS = ['controller-gen.kubebuilder.io/version', 'gateway.networking.k8s.io/bundle-version', 'gateway.networking.k8s.io/channel'];

/**
 * Reads every CustomResourceDefinition under `crdsDir` (recursively, skipping `legacy-*` folders) and
 * converts the `openAPIV3Schema` of each served version to a strict JSON schema with shared sub-schemas.
 * Throws if two files define the same apiVersion and kind.
 */
export function importCrds(crdsDir: string, outPrefix = 'crds'): ImportedCrdVersion[] {
  const result = new Map<string, ImportedCrdVersion>();
  for (const file of listYamlFiles(crdsDir, isSkippedCrdFolder)) {
    const source = portableRelative(crdsDir, file);
    const sourceSha256 = sha256OfFile(file);
    for (const doc of yaml.loadAll(fs.readFileSync(file, 'utf8'))) {
      if (!isJsonObject(doc) || doc.kind !== 'CustomResourceDefinition') {
        continue;
      }
      for (const imported of importCrd(doc as JsonObject, source, sourceSha256, outPrefix)) {
        const key = kindKey(imported.apiVersion, imported.kind);
        const previous = result.get(key);
        if (previous) {
          throw new Error(`${key} is defined twice: in ${previous.source} and in ${source}`);
        }
        result.set(key, imported);
      }
    }
  }
  return [...result.values()];
}

function importCrd(crd: JsonObject, source: string, sourceSha256: string, outPrefix: string): ImportedCrdVersion[] {
  const spec = crd.spec as JsonObject;
  const group = spec.group as string;
  const kind = (spec.names as JsonObject).kind as string;
  const annotations = releaseAnnotations(crd.metadata);
  return (spec.versions as JsonObject[])
    .filter((version) => version.served !== false)
    .map((version) => {
      const name = version.name as string;
      const openApi = ((version.schema as JsonObject | undefined)?.openAPIV3Schema ?? {}) as JsonValue;
      const droppedPatterns: string[] = [];
      const strict = toStrictSchema(openApi, { onDroppedPattern: (p, at) => droppedPatterns.push(`${at}: ${p}`) }) as JsonObject;
      return {
        apiVersion: `${group}/${name}`,
        kind,
        file: `${outPrefix}/${group}/${kind.toLowerCase()}_${name}.json`,
        schema: shareRepeatedSubschemas(strict),
        source,
        sourceSha256,
        annotations,
        droppedPatterns,
      };
    });
}

function releaseAnnotations(metadata: JsonValue | undefined): Record<string, string> {
  const annotations = isJsonObject(metadata) && isJsonObject(metadata.annotations) ? metadata.annotations : {};
  const result: Record<string, string> = {};
  for (const key of RELEASE_ANNOTATIONS) {
    if (typeof annotations[key] === 'string') {
      result[key] = annotations[key] as string;
    }
  }
  return result;
}
