/**
 * Keys that moved to another place of the config. An old config that still has one gets a schema issue that
 * says where the key lives now (instead of "unknown key"), with its file and line.
 */
import type { ConfigPath } from './yaml-positions';

/** One moved key: where it was (a path pattern, `*` for any name) and how to fix the config. */
export interface MovedKey {
  /** Path of the mapping that used to hold the key; `*` matches any key. */
  readonly parent: readonly string[];
  /** The key that moved. */
  readonly key: string;
  /** The fix, given the values the `*` matched. */
  readonly fix: (names: readonly string[]) => string;
}

export const MOVED_KEYS: readonly MovedKey[] = [{
  parent: ['clusters', '*', 'serving'],
  key: 'routing',
  fix: ([cluster]) => `serving.routing moved to clusters.${cluster}.routing: routing is now a capability of the cluster, shared by serving, the NiFi routes (streaming.nifi) and JupyterHub (notebooks). Move the whole routing block out of serving, one level up, as a key of cluster '${cluster}' (same content)`,
}];

/** The fix for `key` under `parent` when that key moved, else undefined. */
export function movedKeyFix(parent: ConfigPath, key: string): string | undefined {
  for (const moved of MOVED_KEYS) {
    if (moved.key !== key || moved.parent.length !== parent.length) continue;
    const names: string[] = [];
    if (moved.parent.every((part, i) => (part === '*' ? (names.push(String(parent[i])), true) : part === String(parent[i])))) return moved.fix(names);
  }
  return undefined;
}
