/**
 * Replaces an output folder as a whole: the new tree is written aside and swapped in only when every file
 * was written, so a failure leaves the previous folder exactly as it was, and files of objects that
 * disappeared from the config disappear from the output (Flux prune relies on that).
 */
import * as fs from 'fs';
import * as path from 'path';

/** Relative file path (with `/`) to file content. */
export type FileTree = ReadonlyMap<string, string>;

/** Writes `tree` as the new content of `outDir`. */
export function writeTreeAtomically(outDir: string, tree: FileTree): void {
  const parent = path.dirname(path.resolve(outDir));
  const base = path.basename(outDir);
  fs.mkdirSync(parent, { recursive: true }); // `--out build/x/dist` may name a folder whose parents do not exist yet
  recoverInterruptedSwap(parent, base);
  const staging = path.join(parent, `.${base}-staging-${process.pid}`);
  const previous = path.join(parent, `.${base}-previous-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    writeTree(staging, tree);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const target = path.join(parent, base);
  const hadPrevious = fs.existsSync(target);
  if (hadPrevious) fs.renameSync(target, previous);
  fs.renameSync(staging, target);
  if (hadPrevious) fs.rmSync(previous, { recursive: true, force: true });
}

/** Writes every file of `tree` below `dir` (which must not exist yet). */
export function writeTree(dir: string, tree: FileTree): void {
  const made = new Set<string>();
  for (const file of [...tree.keys()].sort()) {
    const full = path.join(dir, file);
    const folder = path.dirname(full);
    if (!made.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    fs.writeFileSync(full, tree.get(file)!);
  }
  fs.mkdirSync(dir, { recursive: true });
}

/** A run killed between its two renames leaves only `.<base>-previous-*`: put it back. */
function recoverInterruptedSwap(parent: string, base: string): void {
  if (fs.existsSync(path.join(parent, base))) return;
  const leftover = fs.readdirSync(parent).filter((name) => name.startsWith(`.${base}-previous-`)).sort().pop();
  if (leftover) fs.renameSync(path.join(parent, leftover), path.join(parent, base));
}

/** Reads a folder back into a tree (used by tests and by `--check`). */
export function readTree(dir: string): Map<string, string> {
  const tree = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else tree.set(child, fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk('');
  return tree;
}
