import { DrctlError, ExitCode } from '../util/errors.js';

export const FLIP_FAILURES = {
  /** The flip would strand a shard or overload a zone: nothing was changed. */
  refused: ExitCode.refused,
  /** A cut data center the topology does not know. */
  'unknown-dc': ExitCode.invalidInput,
  /** A version the store's history does not hold. */
  'unknown-version': ExitCode.invalidInput,
  /** The store has no rules yet (run `drctl rules init`). */
  'not-initialized': ExitCode.refused,
  /** Another writer changed the rules first (compare-and-set lost). */
  conflict: ExitCode.refused,
  /** Another operation holds a write fence. */
  fenced: ExitCode.refused,
  /** Data did not catch up before the deadline: the fence was lifted, the old map stays. */
  'catch-up-failed': ExitCode.failed,
  /** The new map is published but the fence could not be lifted. */
  'unfence-failed': ExitCode.failed,
} as const;
export type FlipFailure = keyof typeof FLIP_FAILURES;

/** An expected flip failure: one clear message, a reason to branch on, the exit code the CLI uses. */
export class FlipError extends DrctlError {
  constructor(
    readonly reason: FlipFailure,
    message: string,
    options: { readonly hint?: string; readonly cause?: unknown } = {},
  ) {
    super(`rules-${reason}`, FLIP_FAILURES[reason], message, options);
    this.name = 'FlipError';
  }
}

export const isFlipError = (e: unknown): e is FlipError =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as { reason?: unknown }).reason === 'string' &&
  String((e as { code?: unknown }).code).startsWith('rules-');
