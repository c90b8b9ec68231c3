import type { Diagnostic } from './diagnostic.js';

/** Exit codes: the documented, stable contract (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  changesPending: 2,
  invalidInput: 3,
  refused: 4,
  /** rehearse: the schedule policy (window, blackout, minimum interval) skipped it; recorded as SKIPPED. */
  skipped: 5,
  /** run/drill/rehearse/resume/rollback: another run holds the lock (cron: "still running" is not "failed"). */
  lockHeld: 6,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface DrctlErrorOptions {
  readonly hint?: string | undefined;
  readonly cause?: unknown;
  readonly diagnostics?: readonly Diagnostic[] | undefined;
  /** Machine-readable facts for --json (e.g. the lock holder). */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** An expected failure: printed as one message (plus hint), never with a stack. */
export class DrctlError extends Error {
  readonly drctl = true as const;
  readonly hint: string | undefined;
  readonly diagnostics: readonly Diagnostic[];
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(
    readonly code: string,
    readonly exitCode: ExitCode,
    message: string,
    options: DrctlErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DrctlError';
    this.hint = options.hint;
    this.diagnostics = options.diagnostics ?? [];
    this.details = options.details;
  }
}

export function isDrctlError(e: unknown): e is DrctlError {
  return typeof e === 'object' && e !== null && (e as { drctl?: unknown }).drctl === true;
}

export const usageError = (message: string, hint?: string): DrctlError => new DrctlError('usage', ExitCode.invalidInput, message, { hint });

export const runbookInvalid = (file: string, diagnostics: readonly Diagnostic[]): DrctlError =>
  new DrctlError('runbook-invalid', ExitCode.invalidInput, `${file} is not a valid runbook`, { diagnostics });

export const fileNotFound = (what: string, file: string): DrctlError =>
  new DrctlError('file-not-found', ExitCode.invalidInput, `${what} not found: ${file}`);

export const confirmationRequired = (what: string): DrctlError =>
  new DrctlError('confirmation-required', ExitCode.refused, `refusing to ${what} without --yes: stdin is not a terminal`, {
    hint: 'pass --yes to confirm from automation (cron, CI)',
  });

/** Another run holds the lock: its own exit code (6), the holder in the message and in `details`. */
export const lockHeld = (message: string, details: Readonly<Record<string, unknown>>, hint?: string): DrctlError =>
  new DrctlError('lock-held', ExitCode.lockHeld, message, { hint, details });

export const interrupted = (message: string): DrctlError => new DrctlError('interrupted', ExitCode.interrupted, message);

/** Turn anything thrown into a one-line message (for step failures recorded as data). */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
