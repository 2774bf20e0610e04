import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Lists `*.yaml`/`*.yml` files under `dir` recursively, sorted, skipping folders for which `skipDir` returns true. */
export function listYamlFiles(dir: string, skipDir: (name: string) => boolean = () => false): string[] {
  const result: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareStrings(a.name, b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDir(entry.name)) {
        result.push(...listYamlFiles(full, skipDir));
      }
    } else if (/\.ya?ml$/.test(entry.name)) {
      result.push(full);
    }
  }
  return result;
}

/** Locale-independent string order (UTF-16 code units), for deterministic output. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Hex SHA-256 of a file's bytes. */
export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Path with forward slashes, relative to `from` (stable across platforms for generated text). */
export function portableRelative(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}
