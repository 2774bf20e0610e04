/** What the Azure tools talk to (injected, so tests can capture output and replace the credential), and their failure output. */
import { TokenCredential } from '@azure/identity';
import { RetryBounds } from './arm-client';
import { EXIT, firstLine, ToolFailure } from './errors';

/** What a run talks to; tests replace the credential and the retry bounds. */
export interface AzureToolDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** @default AZURE_ACCESS_TOKEN when set, else DefaultAzureCredential */
  readonly credential?: TokenCredential;
  /** @default 3 retries, 1 s first delay, 30 s longest */
  readonly retry?: RetryBounds;
}

/** Prints one line (config errors: the list of problems) and returns the failure's exit status. */
export function reportFailure(tool: string, error: unknown, deps: Pick<AzureToolDeps, 'err'>, usage: string): number {
  if (error instanceof ToolFailure) {
    deps.err(`${tool}: ${error.message}${error.kind === 'usage' ? `\n${usage}` : ''}`);
    return error.exitCode;
  }
  deps.err(`${tool}: unexpected error: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  return EXIT.INTERNAL;
}
