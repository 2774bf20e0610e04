import * as fs from 'fs';
import * as path from 'path';
import { canonicalJson, JsonValue } from '../json';
import { KubernetesSchemaFile, SCHEMA_INDEX_FILE, SchemaIndex, kindKey } from '../schema-index';
import { sha256OfFile } from './files';
import { ImportedCrdVersion, importCrds } from './import-crds';
import { ImportedKubernetes, importKubernetes, listKubernetesVersions } from './import-kubernetes';
import { renderSchemasReadme } from './readme';

/** Inputs of {@link generateSchemaFiles}. */
export interface ImportSchemasOptions {
  /** Folder with `v<version>/_definitions.json` (e.g. ../shared/k8s-schemas). */
  readonly k8sSchemasDir: string;
  /** Folder with CRD YAML files, searched recursively (e.g. ../shared/crds). */
  readonly crdsDir: string;
  /** More CRD folders imported on purpose (e.g. ../shared/crds-extra/strimzi-1.2.0); see `EXTRA_CRD_FOLDERS`. */
  readonly extraCrdsDirs?: readonly string[];
}

/**
 * Folders of `../shared/crds-extra/` that `make import` reads besides `../shared/crds` (relative to the shared
 * folder): the operators whose CRDs exist only there.
 */
export const EXTRA_CRD_FOLDERS: readonly string[] = ['crds-extra/strimzi-1.2.0'];

/** Files generated into the schemas folder, by path relative to it (forward slashes). */
export type GeneratedFiles = ReadonlyMap<string, string>;

/** Folders and files of a schemas folder that the importer owns (and replaces on each run). */
const OWNED_ENTRIES = ['kubernetes', 'crds', SCHEMA_INDEX_FILE, 'README.md'];

/**
 * Derives the compact strict schemas (index.json, kubernetes/v*.json, crds/<group>/<kind>_<version>.json
 * and README.md) in memory. Output is deterministic: sorted keys and files, no timestamps.
 */
export function generateSchemaFiles(options: ImportSchemasOptions): GeneratedFiles {
  const versions = listKubernetesVersions(options.k8sSchemasDir);
  if (versions.length === 0) {
    throw new Error(`no v<version>/_definitions.json found in ${options.k8sSchemasDir}`);
  }
  const kubernetes = versions.map((v) => importKubernetes(options.k8sSchemasDir, v));
  const crds = importCrdFolders([options.crdsDir, ...(options.extraCrdsDirs ?? [])]);
  const files = new Map<string, string>();
  const index: { kubernetes: Record<string, string>; crds: Record<string, string> } = { kubernetes: {}, crds: {} };
  for (const k of kubernetes) {
    const file = `kubernetes/v${k.version}.json`;
    index.kubernetes[k.version] = file;
    files.set(file, toFileText(k.schema as unknown as JsonValue));
  }
  for (const crd of crds) {
    index.crds[kindKey(crd.apiVersion, crd.kind)] = crd.file;
    files.set(crd.file, toFileText(crd.schema));
  }
  files.set(SCHEMA_INDEX_FILE, toFileText(index as SchemaIndex as unknown as JsonValue, 2));
  files.set('README.md', renderSchemasReadme({
    kubernetes: kubernetes.map((k) => describeKubernetes(options.k8sSchemasDir, k)),
    crds: crds.map((c) => describeCrd(c.crdsDir, c)),
    sizes: new Map([...files].map(([file, text]) => [file, Buffer.byteLength(text)])),
  }));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The CRDs of several folders, each with its folder; an apiVersion and kind defined in two folders is an error. */
function importCrdFolders(dirs: readonly string[]): (ImportedCrdVersion & { readonly crdsDir: string })[] {
  const seen = new Map<string, string>();
  return dirs.flatMap((crdsDir) => importCrds(crdsDir).map((crd) => {
    const key = kindKey(crd.apiVersion, crd.kind);
    const previous = seen.get(key);
    if (previous !== undefined) throw new Error(`${key} is defined twice: in ${previous} and in ${crdsDir}/${crd.source}`);
    seen.set(key, `${crdsDir}/${crd.source}`);
    return { ...crd, crdsDir };
  }));
}

/** Replaces the importer-owned entries of `outDir` with `files`. Returns the written paths. */
export function writeSchemaFiles(outDir: string, files: GeneratedFiles): string[] {
  for (const entry of OWNED_ENTRIES) {
    fs.rmSync(path.join(outDir, entry), { recursive: true, force: true });
  }
  const written: string[] = [];
  for (const [file, text] of files) {
    const full = path.join(outDir, ...file.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
    written.push(full);
  }
  return written;
}

/** Compact JSON (big schemas) or indented (index), sorted keys, trailing newline. */
function toFileText(value: JsonValue, indent?: number): string {
  return `${canonicalJson(value, indent)}\n`;
}

function describeKubernetes(k8sSchemasDir: string, k: ImportedKubernetes) {
  const source = path.join(k8sSchemasDir, `v${k.version}`, '_definitions.json');
  return {
    version: k.version,
    source: `${path.basename(k8sSchemasDir)}/v${k.version}/_definitions.json`,
    sourceSha256: sha256OfFile(source),
    upstreamDefinitions: k.upstreamDefinitions,
    keptDefinitions: Object.keys((k.schema as KubernetesSchemaFile).definitions).length,
    kinds: Object.keys(k.schema.kinds).length,
    droppedPatterns: k.droppedPatterns,
  };
}

function describeCrd(crdsDir: string, crd: ImportedCrdVersion) {
  return {
    key: kindKey(crd.apiVersion, crd.kind),
    file: crd.file,
    source: `${path.basename(crdsDir)}/${crd.source}`,
    sourceSha256: crd.sourceSha256,
    upstream: upstreamOf(crdsDir, crd),
    droppedPatterns: crd.droppedPatterns,
  };
}

/** Repository and tag from the row of `<crdsDir>/SOURCES.md` naming this file, else the release annotations. */
function upstreamOf(crdsDir: string, crd: ImportedCrdVersion): string {
  const sourcesFile = path.join(crdsDir, 'SOURCES.md');
  if (fs.existsSync(sourcesFile)) {
    const row = fs.readFileSync(sourcesFile, 'utf8').split('\n')
      .find((line) => line.startsWith(`| \`${path.basename(crdsDir)}/${crd.source}\``) || line.startsWith(`| \`${crd.source}\``));
    if (row) {
      const cells = row.split('|').map((c) => c.trim());
      return `${cells[2]} ${cells[4]}`;
    }
  }
  const annotations = Object.entries(crd.annotations).map(([k, v]) => `${k}=${v}`);
  return annotations.length > 0 ? annotations.join(', ') : 'unknown';
}
