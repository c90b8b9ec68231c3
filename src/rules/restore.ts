import { FlipError } from './flip-error.js';
import { readRules } from './flip-run.js';
import { runStagedMove, type StagedMoveOptions, type StagedMoveResult } from './staged-move.js';
import { clearFence, type CasOutcome, type RuleStore } from './store.js';

export interface RollbackOptions extends Omit<StagedMoveOptions, 'current' | 'target' | 'targetCut' | 'by' | 'kind'> {
  /** The version whose map to restore (e.g. the version a flip started from). */
  readonly version: number;
}

export const rollbackLabel = (version: number): string => `rollback to v${version}`;

/**
 * Restore the exact map (and cut set) of a past version, as a new version (versions only go up), with
 * the same fence → catch-up → publish → unfence stages as a flip: reverse moves are moves. Restoring the
 * map already in place is a no-op.
 */
export async function rollbackToVersion(o: RollbackOptions): Promise<StagedMoveResult> {
  const previous = await o.store.readVersion(o.version);
  if (!previous) throw new FlipError('unknown-version', `${o.store.label} has no version ${o.version}`);
  const current = await readRules(o.store);
  if (previous.map.owners.length !== current.map.owners.length) {
    throw new FlipError(
      'refused',
      `version ${o.version} has ${previous.map.owners.length} shards but the current rules (version ${current.version}) have ${current.map.owners.length}: the store was re-initialised with another topology since`,
    );
  }
  return runStagedMove({ ...o, current, target: previous.map, targetCut: previous.cut, by: rollbackLabel(o.version), kind: 'rollback' });
}

/** Break-glass: lift whatever fence is set (after a crashed flip). CAS on the version read. */
export async function liftFence(store: RuleStore): Promise<CasOutcome | undefined> {
  const current = await store.read();
  if (!current?.fence) return undefined;
  return clearFence(store, current);
}
