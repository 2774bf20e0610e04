import * as fs from 'fs';
import * as path from 'path';
import { canonicalJson, JsonValue } from '../json';
import { KubernetesSchemaFile, SCHEMA_INDEX_FILE, SchemaIndex, kindKey } from '../schema-index';
import { sha256OfFile } from './files';
import { CRD_SCHEMA_SETS, crdSetId } from '../crd-sets';
import { importChartValues, listChartVersions } from './import-charts';
import { ImportedCrdVersion, importCrds } from './import-crds';
import { ImportedKubernetes, importKubernetes, listKubernetesVersions } from './import-kubernetes';
import { renderSchemasReadme } from './readme';

/** Inputs of {@link generateSchemaFiles}. */
export interface ImportSchemasOptions {
  /** Folder with `v<version>/_definitions.json` (e.g. ../shared/k8s-schemas). */
  readonly k8sSchemasDir: string;
  /**
   * The shared data folder (e.g. ../shared): each set of lib/validation/crd-sets.ts names its CRD folder
   * relative to it (crds/..., crds-extra/...), searched recursively.
   */
  readonly sharedDir: string;
}

/**
 * Folders of `../shared/crds-extra/` whose CRDs `make import-bindings` also turns into cdk8s bindings (relative to
 * the shared folder). The schema sets, all versions included, are listed in lib/validation/crd-sets.ts.
 */
export const EXTRA_CRD_FOLDERS: readonly string[] = ['crds-extra/strimzi-1.2.0'];

/** Files generated into the schemas folder, by path relative to it (forward slashes). */
export type GeneratedFiles = ReadonlyMap<string, string>;

/** Folders and files of a schemas folder that the importer owns (and replaces on each run). */
const OWNED_ENTRIES = ['kubernetes', 'crds', 'charts', SCHEMA_INDEX_FILE, 'README.md'];

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
  const crds = CRD_SCHEMA_SETS.flatMap((set) =>
    importCrds(path.join(options.sharedDir, ...set.source.split('/')), `crds/${set.name}-${set.version}`)
      .map((crd) => ({ ...crd, set: crdSetId(set.name, set.version), setSource: set.source })));
  const files = new Map<string, string>();
  const index: { kubernetes: Record<string, string>; crdSets: Record<string, Record<string, string>>; charts: Record<string, string> } = { kubernetes: {}, crdSets: {}, charts: {} };
  for (const k of kubernetes) {
    const file = `kubernetes/v${k.version}.json`;
    index.kubernetes[k.version] = file;
    files.set(file, toFileText(k.schema as unknown as JsonValue));
  }
  for (const crd of crds) {
    index.crdSets[crd.set] = { ...index.crdSets[crd.set], [kindKey(crd.apiVersion, crd.kind)]: crd.file };
    files.set(crd.file, toFileText(crd.schema));
  }
  const newestKubernetes = kubernetes[kubernetes.length - 1].version;
  const charts = listChartVersions(path.join(options.sharedDir, 'charts')).map((c) => importChartValues(c.chart, c.version, c.dir, newestKubernetes));
  for (const chart of charts) {
    const file = `charts/${chart.chart}/${chart.version}.json`;
    index.charts[`${chart.chart}@${chart.version}`] = file;
    files.set(file, toFileText(chart as unknown as JsonValue));
  }
  files.set(SCHEMA_INDEX_FILE, toFileText(index as SchemaIndex as unknown as JsonValue, 2));
  files.set('README.md', renderSchemasReadme({
    kubernetes: kubernetes.map((k) => describeKubernetes(options.k8sSchemasDir, k)),
    crds: crds.map((c) => describeCrd(options.sharedDir, c)),
    charts: charts.map((c) => ({ chart: c.chart, version: c.version, file: `charts/${c.chart}/${c.version}.json`, sources: c.sources, hasSchema: c.schema !== undefined })),
    sizes: new Map([...files].map(([file, text]) => [file, Buffer.byteLength(text)])),
  }));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
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

function describeCrd(sharedDir: string, crd: ImportedCrdVersion & { readonly set: string; readonly setSource: string }) {
  return {
    set: crd.set,
    key: kindKey(crd.apiVersion, crd.kind),
    file: crd.file,
    source: `${crd.setSource}/${crd.source}`,
    sourceSha256: crd.sourceSha256,
    upstream: upstreamOf(sharedDir, crd),
    droppedPatterns: crd.droppedPatterns,
  };
}

/** Repository and tag from the row of `crds/SOURCES.md` naming this file, else the set's upstream. */
function upstreamOf(sharedDir: string, crd: ImportedCrdVersion & { readonly set: string; readonly setSource: string }): string {
  const sourcesFile = path.join(sharedDir, 'crds', 'SOURCES.md');
  if (fs.existsSync(sourcesFile)) {
    const row = fs.readFileSync(sourcesFile, 'utf8').split('\n')
      .find((line) => line.startsWith(`| \`${crd.setSource}/${crd.source}\``));
    if (row) {
      const cells = row.split('|').map((c) => c.trim());
      return `${cells[2]} ${cells[4]}`;
    }
  }
  const set = CRD_SCHEMA_SETS.find((s) => crdSetId(s.name, s.version) === crd.set);
  const annotations = Object.entries(crd.annotations).map(([k, v]) => `${k}=${v}`);
  return [set?.upstream ?? 'unknown', ...annotations].join(', ');
}
