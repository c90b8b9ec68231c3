import { DEFAULT_PROBE_TIMEOUT_MS, runProbe } from '../../probe/run-probe.js';
import { DEFAULT_CATCH_UP_INTERVAL_MS, DEFAULT_CATCH_UP_TIMEOUT_MS, runFlip, runHomeMove } from '../../rules/flip-run.js';
import { isFlipError } from '../../rules/flip-error.js';
import type { StageEvent } from '../../rules/flip-stages.js';
import { rollbackToVersion } from '../../rules/restore.js';
import { formatDuration } from '../../util/duration.js';
import { defineKind } from '../define-kind.js';
import { HOLDS, notYet, stepError, type Holds, type KindContext } from '../../model/kind.js';
import { assessRules } from './assess.js';
import { describeChange, loadTopology, observeRules, withStore, type RulesFlipState } from './observe.js';
import { lostOf } from '../survivors.js';
import { unfenceCommand } from '../../rules/unfence-command.js';
import { checkRulesFlipParams, cutList, durationMs, rulesFlipSchema, type RulesFlipParams } from './params.js';

/**
 * rules.flip — the multi-active routing-rule switch: move every shard owned by a zone in a cut data
 * center to that zone's first surviving partner, as fence → catch-up → flip → unfence.
 */
export const rulesFlipKind = defineKind<RulesFlipParams, RulesFlipState>({
  name: 'rules.flip',
  description:
    'Flip multi-active routing rules away from cut data centers: fence the moving shards, wait for data catch-up, publish the new map, lift the fence.',
  paramsSchema: rulesFlipSchema,
  outputNames: ['version'],
  preload: () => import('ioredis'), // a redis:// store's client
  check: checkRulesFlipParams,
  async observe(p, ctx) {
    const s = await observeRules(p, ctx);
    noteLostNotCut(p, s, ctx);
    return s;
  },
  decide(p, current) {
    if (current.version > 0 && current.ownedByCut === '' && current.fence === null && current.cutToRecord.length === 0) {
      return {
        action: 'noop',
        reason: p.home
          ? 'already home: every shard is owned by its home zone'
          : `already flipped: no shard owned by ${current.cut.join(', ')}`,
      };
    }
    return { action: 'change', desired: { ...current, map: current.target, fence: null, ownedByCut: '', cutToRecord: [], refusal: null } };
  },
  async apply(p, _change, ctx) {
    const topology = await loadTopology(p, ctx);
    await withStore(p, ctx, async (store) => {
      try {
        const staged = { store, topology, ...stagedOptions(p, ctx) };
        const r = p.home === true ? await runHomeMove(staged) : await runFlip({ ...staged, cut: cutList(p.cut) });
        ctx.note('rules.version', r.toVersion);
      } catch (e) {
        throw asStepError(e);
      }
    });
  },
  holds(p, desired, current) {
    if (current.fence) return notYet(`shards are still write-fenced by "${current.fence.by}"`);
    if (desired.ownedByCut === '' && desired.target !== null) {
      if (current.ownedByCut === '' && current.cutToRecord.length === 0) return HOLDS;
      if (current.ownedByCut === '')
        return notYet(
          p.home
            ? `the rules still record ${current.cutToRecord.join(', ')} as cut`
            : `the rules do not record ${current.cutToRecord.join(', ')} as cut yet`,
        );
      return notYet(
        p.home
          ? `shards ${current.ownedByCut} are not home yet`
          : `shards ${current.ownedByCut} are still owned by ${current.cut.join(', ')}`,
      );
    }
    const same = JSON.stringify(current.map) === JSON.stringify(desired.map);
    return same ? HOLDS : notYet(`map differs from version ${desired.version}: ${describeChange(current.map, desired.map, current.dcOf)}`);
  },
  async rollback(p, change, ctx) {
    await withStore(p, ctx, async (store) => {
      try {
        // reverse moves are moves: the same fence → catch-up → flip → unfence
        const r = await rollbackToVersion({ store, version: change.desired.version, ...stagedOptions(p, ctx) });
        ctx.note('rules.version', r.toVersion);
      } catch (e) {
        throw asStepError(e);
      }
    });
  },
  assess: assessRules,
  describe(p, before, after) {
    if (before.version === 0) return before.refusal ?? 'the store holds no rules yet';
    if (after === undefined && before.ownedByCut === '' && !before.fence && before.cutToRecord.length === 0)
      return `already flipped: no shard owned by ${before.cut.join(', ')}`;
    if (before.refusal && (after === undefined || after.map === null)) return before.refusal;
    const moves = describeChange(before.map, after?.map ?? before.target, before.dcOf);
    if (moves !== 'no shard moves') return moves;
    if (before.fence) return `take over the fence left by "${before.fence.by}" and lift it`;
    if (before.cutToRecord.length > 0)
      return p.home
        ? `no shard moves; ${before.cutToRecord.join(', ')} no longer cut`
        : `no shard moves; record ${before.cutToRecord.join(', ')} as cut`;
    return moves;
  },
  outputs: (_p, s) => ({ version: s.version }),
  verifyIntervalMs: 200,
});

/**
 * The store and the catch-up probe are all this step asks (the probe's command sees the lost data centers
 * in DRCTL_LOST). A lost data center the flip does not cut keeps its shards routed to it: said, not refused
 * (the runbook decides what it cuts).
 */
const warned = new WeakSet<KindContext>();
function noteLostNotCut(p: RulesFlipParams, s: RulesFlipState, ctx: KindContext): void {
  if (p.home === true || warned.has(ctx)) return;
  const notCut = [...lostOf(ctx)].filter((dc) => !s.cut.includes(dc) && !s.recordedCut.includes(dc));
  if (notCut.length === 0) return;
  warned.add(ctx);
  ctx.note('lostNotCut', notCut);
  ctx.log.warn({ lost: notCut }, 'lost data centers the flip does not cut: their zones keep their shards');
}

/** What every staged move of this step shares: the clock, the signal, progress, and the catch-up probe. */
function stagedOptions(p: RulesFlipParams, ctx: KindContext) {
  return {
    clock: ctx.clock,
    signal: ctx.signal,
    onStage: reportStage(ctx),
    catchUp: catchUpCheck(p, ctx),
    unfenceCommand: unfenceCommand(p.store, ctx.baseDir),
    catchUpTimeoutMs: durationMs(p.catchUpTimeout, DEFAULT_CATCH_UP_TIMEOUT_MS),
    catchUpIntervalMs: durationMs(p.catchUpInterval, DEFAULT_CATCH_UP_INTERVAL_MS),
  };
}

function catchUpCheck(p: RulesFlipParams, ctx: KindContext): (() => Promise<Holds>) | undefined {
  const probe = p.catchUp;
  if (!probe) return undefined;
  const timeoutMs = durationMs(probe.timeout, DEFAULT_PROBE_TIMEOUT_MS);
  return () => runProbe(probe, ctx, timeoutMs);
}

function reportStage(ctx: KindContext): (e: StageEvent) => void {
  return (e) => {
    if (e.type === 'started') ctx.progress(`${e.stage}: ${e.detail}`);
    else if (e.type === 'waiting') {
      ctx.miss?.(`catch-up: ${e.detail}`); // a step timeout during catch-up tells its last answer
      ctx.progress(`catch-up: ${e.detail} (${formatDuration(e.elapsedMs)})`);
    } else if (e.type === 'finished') {
      ctx.note(`rules.${e.stage}Ms`, Math.round(e.durationMs));
      ctx.progress(`${e.stage} done in ${formatDuration(e.durationMs)}${e.version === undefined ? '' : ` (v${e.version})`}`);
    } else ctx.progress(`${e.stage} failed: ${e.message}`);
  };
}

function asStepError(e: unknown): Error {
  if (isFlipError(e)) {
    const retryable = e.reason === 'conflict' || e.reason === 'catch-up-failed' || e.reason === 'unfence-failed';
    return stepError(e.hint ? `${e.message} (${e.hint})` : e.message, { retryable, cause: e });
  }
  return e instanceof Error ? stepError(e.message, { retryable: true, cause: e }) : stepError(String(e));
}
