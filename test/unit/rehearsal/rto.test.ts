import { describe, expect, it } from 'vitest';
import type { ExecuteOutcome } from '../../../src/engine/executor.js';
import { computeRto } from '../../../src/rehearsal/rto.js';

const executed = (durations: Record<string, number>): ExecuteOutcome => ({
  status: 'succeeded',
  appliedOrder: Object.keys(durations),
  steps: new Map(
    Object.entries(durations).map(
      ([id, durationMs]) =>
        [
          id,
          {
            status: 'applied',
            before: undefined,
            after: undefined,
            outputs: {},
            params: undefined,
            error: undefined,
            timing: {
              queuedAt: '',
              startedAt: '2026-01-01T00:00:00.000Z',
              endedAt: '2026-01-01T00:00:01.000Z',
              durationMs,
              attempts: 1,
              phases: {},
              status: 'applied',
            },
          },
        ] as const,
    ),
  ),
});

describe('computeRto', () => {
  it('detection + switch + convergence = the RTO exactly, whatever the fractions of a millisecond', () => {
    const rto = computeRto({
      t0: 1000.4,
      detectedAt: 2531.6,
      switchEnd: 3700.5,
      recoveredAt: 3930.49,
      executed: executed({ db: 950.6, dns: 49.4 }),
    });
    expect(rto).toEqual({ totalMs: 2930, detectionMs: 1531, switchMs: 1169, convergenceMs: 230, steps: { db: 951, dns: 49 } });
    expect(rto.detectionMs + rto.switchMs + rto.convergenceMs).toBe(rto.totalMs);
  });
  it('marks out of order (detected during the inject, a switch with nothing to do) never give a negative part', () => {
    const rto = computeRto({ t0: 0, detectedAt: 12, switchEnd: 10, recoveredAt: 9, executed: executed({}) });
    expect(rto).toMatchObject({ totalMs: 12, detectionMs: 12, switchMs: 0, convergenceMs: 0 });
  });
});
