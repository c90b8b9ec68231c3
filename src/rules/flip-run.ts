import { FlipError } from './flip-error.js';
import { computeCumulativeFlip } from './flip.js';
import { initialMap, shardCountProblem } from './shard-map.js';
import { runStagedMove, type StagedMoveOptions, type StagedMoveResult } from './staged-move.js';
import type { RuleStore, RuleVersion } from './store.js';
import type { Topology } from './topology.js';

export { DEFAULT_CATCH_UP_INTERVAL_MS, DEFAULT_CATCH_UP_TIMEOUT_MS } from './catch-up.js';
export { runStagedMove, type StagedMoveOptions, type StagedMoveResult } from './staged-move.js';

export interface FlipRunOptions extends Omit<StagedMoveOptions, 'current' | 'target' | 'targetCut' | 'by' | 'kind' | 'topology'> {
  readonly topology: Topology;
  /** The data centers this flip cuts; those cut earlier (recorded in the store) stay cut. */
  readonly cut: readonly string[];
}

export interface FlipRunResult extends StagedMoveResult {
  /** Every data center cut once this flip is done (earlier cuts plus this one), sorted. */
  readonly cut: readonly string[];
}

/**
 * Read the rules, compute the flip for the cut data centers plus those already cut (refusing unsafe
 * ones), and run it in stages.
 */
export async function runFlip(o: FlipRunOptions): Promise<FlipRunResult> {
  const current = await readRules(o.store);
  const plan = computeCumulativeFlip(o.topology, current, o.cut);
  if (!plan.ok) {
    const reason = plan.error.problems.every((p) => p.reason === 'unknown-dc') ? 'unknown-dc' : 'refused';
    throw new FlipError(reason, plan.error.message);
  }
  const result = await runStagedMove({
    ...o,
    current,
    target: plan.value.newMap,
    targetCut: plan.value.cut,
    by: flipLabel(o.cut),
    kind: 'map',
  });
  return { ...result, cut: plan.value.cut };
}

/** The fence label of a flip: the data centers it was asked to cut. */
export const flipLabel = (cut: readonly string[]): string => `flip ${[...new Set(cut)].sort().join(',')}`;

export const HOME_LABEL = 'restore home';

/** Fail back: move every shard to the zone the topology assigns it and clear the cut set, in the same safe stages. */
export async function runHomeMove(o: Omit<FlipRunOptions, 'cut'>): Promise<StagedMoveResult> {
  const current = await readRules(o.store);
  const mismatch = shardCountProblem(o.topology, current.map, `${o.store.label} version ${current.version}`);
  if (mismatch) throw new FlipError('refused', mismatch);
  return runStagedMove({ ...o, current, target: initialMap(o.topology), targetCut: [], by: HOME_LABEL, kind: 'map' });
}

export async function readRules(store: RuleStore): Promise<RuleVersion> {
  const current = await store.read();
  if (!current)
    throw new FlipError('not-initialized', `${store.label} holds no rules yet`, {
      hint: 'publish the topology first: drctl rules init --topology FILE --store URL',
    });
  return current;
}
