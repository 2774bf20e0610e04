/**
 * File system errors in words: CLIs name the file and say what is wrong ("is on a read-only file system"),
 * never print a raw `ENOENT: no such file or directory, open ...` or a stack trace.
 */

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (permissions, or an immutable file)',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists, and is not a folder where one is needed',
  ENOTEMPTY: 'is a folder that is not empty',
  EBUSY: 'is busy (in use, or a mount point)',
  ELOOP: 'has too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EXDEV: 'is on another file system (cannot be renamed across devices)',
  EIO: 'input/output error',
};

/** The errno code of a Node.js file system error, if any. */
export function fsErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "does not exist", "permission denied", ... for a file system error; the error message otherwise. */
export function describeFsError(error: unknown): string {
  const code = fsErrorCode(error);
  if (code && REASONS[code]) return REASONS[code];
  if (code) return `${code.toLowerCase()}: ${String((error as Error).message).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}`;
  return error instanceof Error ? error.message : String(error);
}

/** `<file>: <what is wrong>` for a file system error. */
export function fsErrorLine(file: string, error: unknown): string {
  return `${file}: ${describeFsError(error)}`;
}
