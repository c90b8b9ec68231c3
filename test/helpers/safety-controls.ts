import { expect } from 'vitest';
import { clearPause, engagedLever, engageLever, pauseRunbook, readLever, readPause, releaseLever } from '../../src/state/safety.js';
import type { StateStore } from '../../src/state/store.js';

/**
 * The store keeps the safety controls: the lever and a runbook's pause are seen by another controller
 * opening the same store (`other`), released and acknowledged ones are gone for them too.
 */
export async function expectSafetyControlsKept(store: StateStore, other: StateStore): Promise<void> {
  expect(await readLever(store)).toBeUndefined();
  const at = new Date('2026-11-21T02:00:00.000Z');
  await engageLever(store, 'storage maintenance in sh-b', 'ops@h1', at);
  expect(await engagedLever(other)).toEqual({
    engaged: true,
    reason: 'storage maintenance in sh-b',
    by: 'ops@h1',
    since: at.toISOString(),
  });
  await releaseLever(other, 'sre@h2', new Date('2026-11-21T03:00:00.000Z'));
  expect(await engagedLever(store)).toBeUndefined();
  expect(await readLever(store)).toMatchObject({
    engaged: false,
    reason: 'storage maintenance in sh-b',
    released: { by: 'sre@h2', at: '2026-11-21T03:00:00.000Z' },
  });

  const pause = {
    runbook: 'lab-city-cut',
    runId: '20261121T020000Z-lab-city-cut-aaaa',
    since: at.toISOString(),
    reasons: ['steady state did not return'],
  };
  expect(await readPause(store, 'lab-city-cut')).toBeUndefined();
  await pauseRunbook(store, pause);
  expect(await readPause(other, 'lab-city-cut')).toEqual(pause);
  expect(await readPause(other, 'lab-zone-evacuation')).toBeUndefined(); // one runbook's pause only
  await clearPause(other, 'lab-city-cut');
  expect(await readPause(store, 'lab-city-cut')).toBeUndefined();
}
