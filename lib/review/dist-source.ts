/**
 * Reads the files of dist/ from a git commit (through `git ls-tree` and `git cat-file --batch`, no checkout) or from
 * the working tree, and resolves the default base of a review (the merge base with the default branch).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { compareText } from '../core/sort';

/** A file of dist/: path relative to the repository root (forward slashes) and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Thrown when git cannot answer (not a repository, unknown ref); the message says what to do. */
export class GitError extends Error {}

function git(repoDir: string, args: readonly string[], input?: Buffer | string): Buffer {
  try {
    return execFileSync('git', args, { cwd: repoDir, input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new GitError(`git ${args.join(' ')} failed in ${repoDir}: ${stderr || (error instanceof Error ? error.message : String(error))}`);
  }
}

function gitText(repoDir: string, args: readonly string[]): string {
  return git(repoDir, args).toString('utf8').trim();
}

function gitSucceeds(repoDir: string, args: readonly string[]): boolean {
  try {
    git(repoDir, args);
    return true;
  } catch {
    return false;
  }
}

/** The top of the git work tree holding `dir`, and the path of `dir` inside it ('' at the top). */
export function locateRepository(dir: string): { root: string; prefix: string } {
  const root = gitText(dir, ['rev-parse', '--show-toplevel']);
  const prefix = gitText(dir, ['rev-parse', '--show-prefix']).replace(/\/$/, '');
  return { root, prefix };
}

/** The full commit id `ref` names; GitError when it names none. */
export function resolveCommit(repoDir: string, ref: string): string {
  if (!gitSucceeds(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])) {
    throw new GitError(`"${ref}" is not a commit in ${repoDir} (give --base a branch, tag or commit; in CI fetch the history, e.g. actions/checkout with fetch-depth: 0)`);
  }
  return gitText(repoDir, ['rev-parse', '--verify', `${ref}^{commit}`]);
}

/**
 * The default base: the merge base of HEAD with the default branch. The default branch is, in order: the pull
 * request's base branch in GitHub Actions (GITHUB_BASE_REF, as origin/<branch>), origin/HEAD, then a local main
 * or master. Returns the branch used and the merge-base commit.
 */
export function defaultBase(repoDir: string, env: NodeJS.ProcessEnv = process.env): { ref: string; commit: string } {
  const candidates: string[] = [];
  if (env.GITHUB_BASE_REF) candidates.push(`origin/${env.GITHUB_BASE_REF}`, env.GITHUB_BASE_REF);
  try {
    const originHead = gitText(repoDir, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD']);
    candidates.push(originHead.replace(/^refs\/remotes\//, ''));
  } catch {
    // no origin/HEAD: fall back to local branch names
  }
  candidates.push('origin/main', 'main', 'origin/master', 'master');
  const branch = candidates.find((ref) => gitSucceeds(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]));
  if (branch === undefined) {
    throw new GitError(`no default branch found in ${repoDir} (tried ${candidates.join(', ')}): give the base with --base <ref>`);
  }
  const commit = gitText(repoDir, ['merge-base', 'HEAD', branch]);
  return { ref: `merge-base(HEAD, ${branch})`, commit };
}

/** The files under `distPath` (relative to the repository root) at `commit`, sorted by path. */
export function readFilesAtCommit(repoDir: string, commit: string, distPath: string): SourceFile[] {
  const listing = git(repoDir, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', distPath]).toString('utf8');
  const entries = listing.split('\0').filter((line) => line.length > 0).flatMap((line) => {
    // "<mode> <type> <object>\t<path>"
    const tab = line.indexOf('\t');
    const [, type, object] = line.slice(0, tab).split(' ');
    return type === 'blob' ? [{ object, path: line.slice(tab + 1) }] : [];
  });
  if (entries.length === 0) return [];
  const output = git(repoDir, ['cat-file', '--batch'], entries.map((e) => e.object).join('\n') + '\n');
  // Each answer: "<object> blob <size>\n<content>\n".
  const files: SourceFile[] = [];
  let offset = 0;
  for (const entry of entries) {
    const headerEnd = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, headerEnd).toString('utf8').split(' ');
    const size = Number(header[2]);
    if (header[1] !== 'blob' || !Number.isFinite(size)) {
      throw new GitError(`git cat-file gave "${header.join(' ')}" for ${entry.path}`);
    }
    files.push({ path: entry.path, text: output.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8') });
    offset = headerEnd + 1 + size + 1;
  }
  return files.sort((a, b) => compareText(a.path, b.path));
}

/** The files under `distPath` in the working tree of `repoDir`, sorted by path (empty when the folder is missing). */
export function readFilesInWorkTree(repoDir: string, distPath: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (relative: string): void => {
    const full = path.join(repoDir, relative);
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.push({ path: child, text: fs.readFileSync(path.join(repoDir, child), 'utf8') });
    }
  };
  if (fs.existsSync(path.join(repoDir, distPath))) walk(distPath);
  return files.sort((a, b) => compareText(a.path, b.path));
}
