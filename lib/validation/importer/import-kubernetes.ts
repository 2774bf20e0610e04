import * as fs from 'fs';
import * as path from 'path';
import { isJsonObject, JsonObject, JsonValue } from '../json';
import { KubernetesSchemaFile, kindKey, OBJECT_META_DEFINITION } from '../schema-index';
import { toStrictSchema } from './strict-schema';

/** Result of importing one Kubernetes version's `_definitions.json`. */
export interface ImportedKubernetes {
  /** e.g. "1.27.0" */
  readonly version: string;
  readonly schema: KubernetesSchemaFile;
  /** Number of definitions in the upstream file. */
  readonly upstreamDefinitions: number;
  /** Patterns dropped because JavaScript cannot compile them. */
  readonly droppedPatterns: readonly string[];
}

/** Folder names of the form `v1.27.0` under the k8s schemas folder, sorted by version. */
export function listKubernetesVersions(k8sSchemasDir: string): string[] {
  return fs.readdirSync(k8sSchemasDir)
    .filter((name) => /^v\d+\.\d+\.\d+$/.test(name) && fs.existsSync(path.join(k8sSchemasDir, name, '_definitions.json')))
    .map((name) => name.slice(1))
    .sort(compareVersions);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) {
      return pa[i] - pb[i];
    }
  }
  return 0;
}

/**
 * Reads `<dir>/v<version>/_definitions.json` (the swagger `definitions` cdk8s imports), keeps the
 * definitions reachable from top-level kinds (plus ObjectMeta), and converts each to a strict schema.
 * Definitions tagged with several group-version-kinds (DeleteOptions, WatchEvent, Status) are API
 * plumbing, not manifests, and are not indexed as kinds.
 */
export function importKubernetes(k8sSchemasDir: string, version: string): ImportedKubernetes {
  const file = path.join(k8sSchemasDir, `v${version}`, '_definitions.json');
  const upstream = JSON.parse(fs.readFileSync(file, 'utf8')) as { definitions: JsonObject };
  const defs = upstream.definitions;
  const kinds: Record<string, string> = {};
  for (const [name, def] of Object.entries(defs)) {
    const gvks = isJsonObject(def) ? def['x-kubernetes-group-version-kind'] : undefined;
    if (Array.isArray(gvks) && gvks.length === 1 && isJsonObject(gvks[0])) {
      const { group, version: apiGroupVersion, kind } = gvks[0] as { group: string; version: string; kind: string };
      kinds[kindKey(group ? `${group}/${apiGroupVersion}` : apiGroupVersion, kind)] = name;
    }
  }
  const droppedPatterns: string[] = [];
  const definitions: JsonObject = {};
  for (const name of reachableDefinitions(defs, [...Object.values(kinds), OBJECT_META_DEFINITION])) {
    definitions[name] = toStrictSchema(defs[name], { onDroppedPattern: (p, at) => droppedPatterns.push(`${name}${at}: ${p}`) });
  }
  return { version, schema: { kinds, definitions }, upstreamDefinitions: Object.keys(defs).length, droppedPatterns };
}

/** Names of the definitions reachable from `roots` through `#/definitions/...` references, sorted. */
function reachableDefinitions(defs: JsonObject, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (seen.has(name) || defs[name] === undefined) {
      continue;
    }
    seen.add(name);
    collectRefs(defs[name], pending);
  }
  return [...seen].sort();
}

function collectRefs(value: JsonValue, into: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((v) => collectRefs(v, into));
  } else if (isJsonObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/')) {
        into.push(v.slice('#/definitions/'.length));
      } else {
        collectRefs(v, into);
      }
    }
  }
}
