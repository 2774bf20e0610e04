import * as fs from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';
import { fsErrorLine } from '../core/fs-errors';
import { isJsonObject } from './json';

/**
 * YAML 1.2 core schema plus merge keys: like Kubernetes, no implicit timestamps or binary
 * (`date: 2024-01-01` stays a string instead of becoming a Date).
 */
const MANIFEST_YAML_SCHEMA = yaml.CORE_SCHEMA.extend({
  // js-yaml 4 exports its built-in types at run time, but @types/js-yaml does not declare them.
  implicit: [(yaml as unknown as { types: { merge: yaml.Type } }).types.merge],
});

/** True for kustomize's own config (`kustomize.config.k8s.io/*` Kustomization/Component), which is not a Kubernetes object. */
export function isKustomizeConfig(obj: unknown): boolean {
  return isJsonObject(obj) && typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('kustomize.config.k8s.io/');
}

const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/**
 * Reads manifests: each path is a YAML file or a folder searched recursively for `*.yaml`/`*.yml`.
 * Multi-document files give one entry per non-empty document. kustomization.yaml files and kustomize
 * config documents are skipped. Order is deterministic: paths as given, folder entries sorted by name.
 * Throws on unreadable files or invalid YAML (message names the file).
 */
export function readManifestFolder(paths: string[]): { obj: unknown; source: string }[] {
  return paths.flatMap(listManifestFiles)
    .filter((file) => !KUSTOMIZATION_FILES.has(path.basename(file)))
    .flatMap(readManifestFile);
}

function listManifestFiles(entry: string): string[] {
  let stat: fs.Stats;
  let children: fs.Dirent[];
  try {
    stat = fs.statSync(entry);
    if (!stat.isDirectory()) {
      if (!stat.isFile()) throw new Error(`${entry}: is not a regular file (a FIFO, socket or device); give a YAML file or a folder`);
      return [entry];
    }
    children = fs.readdirSync(entry, { withFileTypes: true });
  } catch (error) {
    if ((error as { code?: unknown }).code === undefined) throw error;
    throw new Error(fsErrorLine(entry, error));
  }
  return children
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((child) => {
      const full = path.join(entry, child.name);
      if (child.isDirectory()) {
        return listManifestFiles(full);
      }
      return /\.ya?ml$/.test(child.name) ? listManifestFiles(full) : [];
    });
}

function readManifestFile(file: string): { obj: unknown; source: string }[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(fsErrorLine(file, error));
  }
  return parseManifestText(text, file).map((obj) => ({ obj, source: file }));
}

/**
 * Parses the YAML documents of one manifest file's text (read from disk or from git) the way Kubernetes reads them;
 * empty documents and kustomize config documents are dropped. Throws with `file` in the message on invalid YAML.
 */
export function parseManifestText(text: string, file: string): unknown[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text, undefined, { schema: MANIFEST_YAML_SCHEMA, filename: file });
  } catch (error) {
    throw new Error(`${file}: invalid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  return docs.filter((doc) => doc !== null && doc !== undefined && !isKustomizeConfig(doc));
}
