import type { ExitCode } from '../util/errors.js';

/**
 * Everything a command needs to talk to the user, decided once in main.ts. Commands never touch
 * process.stdout / process.exit: they write through this and return an ExitCode.
 */
export interface CliIO {
  /** The command's result (human text, a table, or the JSON document). */
  out(text: string): void;
  /** Progress, warnings, prompts. */
  err(text: string): void;
  /** --json given. */
  readonly json: boolean;
  /** stdin and stdout are terminals and CI is not set. */
  readonly interactive: boolean;
  /** Colour on stdout / stderr (NO_COLOR, FORCE_COLOR, --no-color, isTTY). */
  readonly color: { readonly out: boolean; readonly err: boolean };
  /** Ask a yes/no question on the terminal; only call when interactive. */
  confirm(question: string): Promise<boolean>;
}

export type CommandResult = Promise<ExitCode>;

/** How a command registered on the program hands its exit code to main.ts. */
export type SetExit = (code: ExitCode) => void;

/** How a command's module is loaded when it runs: (io, ...commander's args) → exit code, handed to main.ts. */
export type Act = <A extends unknown[]>(load: () => Promise<(io: CliIO, ...args: A) => Promise<ExitCode>>) => (...args: A) => Promise<void>;
