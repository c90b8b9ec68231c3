import { DrctlError, ExitCode, lockHeld } from '../util/errors.js';
import { holderText, type LockHolder } from './store.js';

/** Errors of the state store: DrctlErrors, so the CLI prints them as one clear line (exit 1). */

/** A write carried a fencing token that is no longer the lock's: another controller took over. */
export class FencedOut extends DrctlError {
  readonly fencedOut = true as const;
  constructor(
    readonly scope: string,
    readonly token: number,
    readonly current: { readonly token: number; readonly runId: string; readonly holder: string } | undefined,
  ) {
    super(
      'fenced-out',
      ExitCode.failed,
      current
        ? `fenced out: the lock "${scope}" now belongs to run ${current.runId} (${current.holder}, token ${current.token}); this controller's token ${token} is no longer valid, so it stopped`
        : `fenced out: the lock "${scope}" is no longer held by this controller (token ${token}): another controller took it over (and has released it since), or it was removed with \`drctl unlock --force\`; so this one stopped`,
      { hint: 'another controller owns the switch now: see `drctl status`' },
    );
    this.name = 'FencedOut';
  }
}

export const isFencedOut = (e: unknown): e is FencedOut =>
  typeof e === 'object' && e !== null && (e as { fencedOut?: unknown }).fencedOut === true;

/** The store could not be reached or refused a write (network, disk). */
export class StoreUnreachable extends DrctlError {
  readonly storeUnreachable = true as const;
  constructor(
    readonly store: string,
    cause: unknown,
    hint?: string,
  ) {
    super(
      'store-unreachable',
      ExitCode.failed,
      `state store unreachable: ${store}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        hint: hint ?? 'check the store (--state) and try again',
      },
    );
    this.name = 'StoreUnreachable';
  }
}

export const isStoreUnreachable = (e: unknown): e is StoreUnreachable =>
  typeof e === 'object' && e !== null && (e as { storeUnreachable?: unknown }).storeUnreachable === true;

/** A journal write failed mid-run: say what happened to the run and how to continue it. */
export function journalFailure(e: unknown, store: string, runId: string): DrctlError {
  if (isFencedOut(e)) return e;
  const resume = `the run stopped safely: no step started after the journal failed. When the store is back: drctl resume ${runId}`;
  const cause = isStoreUnreachable(e) ? (e.cause ?? e) : e;
  return new StoreUnreachable(store, cause, resume);
}

/** Another run holds the lock (exit 6): the holder in words on stderr and as data under --json. */
export function lockHeldBy(scope: string, h: LockHolder): DrctlError {
  return lockHeld(
    `another run holds the lock "${scope}": ${holderText(h)} (lease until ${h.expiresAt}, token ${h.token})`,
    { scope, holder: h },
    'wait for it to finish, or inspect it with `drctl status`',
  );
}
