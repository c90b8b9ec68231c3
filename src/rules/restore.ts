import { FlipError } from './flip-error.js';
import { runStagedMove, type StagedMoveOptions, type StagedMoveResult } from './flip-run.js';
import { clearFence, type CasOutcome, type RuleStore } from './store.js';

export interface RollbackOptions extends Omit<StagedMoveOptions, 'current' | 'target' | 'by' | 'kind'> {
  /** The version whose map to restore (e.g. the version a flip started from). */
  readonly version: number;
}

/**
 * Restore the exact map of a past version, as a new version (versions only go up), with the same
 * fence → (catch-up) → publish → unfence stages as a flip. Restoring the map already in place is a no-op.
 */
export async function rollbackToVersion(o: RollbackOptions): Promise<StagedMoveResult> {
  const previous = await o.store.readVersion(o.version);
  if (!previous) throw new FlipError('unknown-version', `${o.store.label} has no version ${o.version}`);
  const current = await o.store.read();
  if (!current) throw new FlipError('not-initialized', `${o.store.label} holds no rules yet`);
  return runStagedMove({ ...o, current, target: previous.map, by: `rollback to v${o.version}`, kind: 'rollback' });
}

/** Break-glass: lift whatever fence is set (after a crashed flip). CAS on the version read. */
export async function liftFence(store: RuleStore): Promise<CasOutcome | undefined> {
  const current = await store.read();
  if (!current?.fence) return undefined;
  return clearFence(store, current);
}
