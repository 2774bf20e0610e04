/** Runs external commands (kubectl) for deploy; injected so tests can record instead of run. */
import { ChildProcess, spawn } from 'child_process';

/** A program and its arguments, run without a shell. */
export interface Command {
  readonly program: string;
  readonly args: readonly string[];
}

/** Runs a command to completion and returns its exit status. */
export interface CommandRunner {
  run(command: Command): Promise<number>;
  /** Stops the running command (on a signal), if any. */
  stop(signal: NodeJS.Signals): void;
}

/** Spawns commands with the tool's stdout and stderr, one at a time. */
export function spawnRunner(): CommandRunner {
  let active: ChildProcess | undefined;
  return {
    run(command) {
      return new Promise((resolve) => {
        const child = spawn(command.program, [...command.args], { stdio: ['ignore', 'inherit', 'inherit'] });
        active = child;
        child.on('error', () => resolve(127));
        child.on('close', (code, signal) => {
          active = undefined;
          resolve(code ?? (signal ? 128 : 1));
        });
      });
    },
    stop(signal) {
      active?.kill(signal);
    },
  };
}
