import type { PauseRecord } from '../model/safety.js';
import type { RunMeta } from '../model/records.js';
import { engagedLever, leverText, pauseRunbook, pauseText, readPause } from '../state/safety.js';
import type { StateStore } from '../state/store.js';
import { isLeverStop } from './lever-watch.js';

/**
 * Why a rehearsal (or a drill) must not start now, whatever its schedule says (--ignore-schedule too):
 * the safety lever is engaged; for a rehearsal, its runbook's schedule is paused after a failed
 * rehearsal nobody has acknowledged. undefined: it may start.
 */
export async function safetyRefusal(store: StateStore, runbook: string, mode: 'rehearse' | 'drill'): Promise<string | undefined> {
  const lever = await engagedLever(store);
  if (lever) return leverText(lever);
  if (mode === 'drill') return undefined;
  const pause = await readPause(store, runbook);
  return pause ? `${pauseText(pause)} (acknowledge it: drctl rehearse RUNBOOK --ack ${pause.runId})` : undefined;
}

/**
 * After a rehearsal: one that FAILED pauses its runbook's schedule until someone acknowledges it, so cron
 * does not cut a broken estate again every night. Not when the safety lever stopped it (the lever is
 * the operator's hold already; releasing it lets rehearsals start again).
 */
export async function pauseAfterFailure(store: StateStore, meta: RunMeta): Promise<PauseRecord | undefined> {
  const r = meta.rehearsal;
  if (meta.mode !== 'rehearse' || r?.outcome !== 'FAILED' || r.reasons.some(isLeverStop)) return undefined;
  const pause: PauseRecord = {
    runbook: meta.runbook.name,
    runId: meta.runId,
    since: meta.endedAt ?? new Date().toISOString(),
    reasons: r.reasons.slice(0, 3),
  };
  await pauseRunbook(store, pause);
  return pause;
}
