import { LEVER_CONTROL, pauseControl, type LeverRecord, type PauseRecord } from '../model/safety.js';
import type { StateStore } from './store.js';

/**
 * The safety lever and the pauses after a failed rehearsal, over the store's controls (every store keeps
 * them: folder, Redis, etcd). Who reads them: rehearse and drill before they start, a running rehearsal
 * (rehearsal/lever-watch.ts), run and respond (to say so), drctl lever.
 */

const isLever = (v: unknown): v is LeverRecord =>
  typeof v === 'object' && v !== null && typeof (v as LeverRecord).engaged === 'boolean' && typeof (v as LeverRecord).reason === 'string';

const isPause = (v: unknown): v is PauseRecord =>
  typeof v === 'object' && v !== null && typeof (v as PauseRecord).runId === 'string' && typeof (v as PauseRecord).runbook === 'string';

/** The lever's record (engaged or last released), or undefined when it was never engaged. */
export async function readLever(store: StateStore): Promise<LeverRecord | undefined> {
  const v = await store.readControl(LEVER_CONTROL);
  return isLever(v) ? v : undefined;
}

/** The lever's record when it is engaged now, else undefined. */
export async function engagedLever(store: StateStore): Promise<LeverRecord | undefined> {
  const lever = await readLever(store);
  return lever?.engaged ? lever : undefined;
}

export async function engageLever(store: StateStore, reason: string, by: string, now: Date): Promise<LeverRecord> {
  const lever: LeverRecord = { engaged: true, reason, by, since: now.toISOString() };
  await store.writeControl(LEVER_CONTROL, lever);
  return lever;
}

/** Release it (the record stays, released, for status); undefined when it was not engaged. */
export async function releaseLever(store: StateStore, by: string, now: Date): Promise<LeverRecord | undefined> {
  const lever = await engagedLever(store);
  if (!lever) return undefined;
  const released: LeverRecord = { ...lever, engaged: false, released: { by, at: now.toISOString() } };
  await store.writeControl(LEVER_CONTROL, released);
  return released;
}

/** "safety lever engaged by ops@host since 2026-12-06T11:00:00Z: storage maintenance" */
export const leverText = (l: LeverRecord): string => `safety lever engaged by ${l.by} since ${l.since}: ${l.reason}`;

export async function readPause(store: StateStore, runbook: string): Promise<PauseRecord | undefined> {
  const v = await store.readControl(pauseControl(runbook));
  return isPause(v) ? v : undefined;
}

export async function pauseRunbook(store: StateStore, pause: PauseRecord): Promise<void> {
  await store.writeControl(pauseControl(pause.runbook), pause);
}

export async function clearPause(store: StateStore, runbook: string): Promise<void> {
  await store.writeControl(pauseControl(runbook), undefined);
}

/** "paused after failed rehearsal RUN_ID" (what cron reads, with exit 5). */
export const pauseText = (p: PauseRecord): string => `paused after failed rehearsal ${p.runId}`;
