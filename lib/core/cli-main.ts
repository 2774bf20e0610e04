/**
 * The last line of defence of every command-line tool: whatever is thrown, the user sees one line that names
 * the tool, the file (for file system errors) and what is wrong, never a raw JavaScript error or a stack trace
 * (set DEBUG=1 to see the stack). Exit status 1 unless the tool returned its own.
 */
import { describeFsError, fsErrorCode } from './fs-errors';

/** One line for any thrown value: `<path>: <reason>` for file system errors, the message otherwise. */
export function explainError(error: unknown): string {
  if (fsErrorCode(error)) {
    const where = (error as { path?: unknown }).path;
    return `${typeof where === 'string' ? `${where}: ` : ''}${describeFsError(error)}`;
  }
  if (error instanceof RangeError && /heap|memory|Invalid string length|Invalid array length/i.test(error.message)) {
    return `out of memory (${error.message}); the input is too large`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/\r?\n/)[0];
}

/** Runs a tool's main function and sets the exit status; prints `<tool>: <one line>` for anything thrown. */
export function runMain(tool: string, main: () => number | Promise<number>): void {
  const fail = (error: unknown) => {
    console.error(`${tool}: ${explainError(error)}`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  };
  try {
    const result = main();
    if (typeof result === 'number') process.exitCode = result;
    else result.then((code) => { process.exitCode = code; }, fail);
  } catch (error) {
    fail(error);
  }
}
