import { describe, expect, it } from 'vitest';
import { historyJson, historyText } from '../../../../src/cli/commands/history.js';
import { takenOverBy, type RunMeta } from '../../../../src/model/records.js';

const run = (runId: string, startedAt: string, status: RunMeta['status'], mode: RunMeta['mode'] = 'drill') =>
  ({
    schemaVersion: 1,
    runId,
    mode,
    runbook: { name: 'city-cut' },
    lockScope: 'city-cut',
    status,
    startedAt,
    host: 'h',
    user: 'u',
    pid: 1,
  }) as unknown as RunMeta;

describe('a drill fenced out (frozen past its lease, its lock taken over by another run)', () => {
  const frozen = run('d1', '2026-01-01T00:00:00Z', 'running');
  const taker = run('d2', '2026-01-01T00:01:00Z', 'succeeded');
  const skipped = run('s1', '2026-01-01T00:00:30Z', 'skipped', 'rehearse');

  it('reads as fenced out, taken over by the later run of its lock scope (not by a skipped rehearsal, which takes no lock)', () => {
    expect(takenOverBy(frozen, [taker, skipped, frozen])).toBe('d2');
    expect(takenOverBy(frozen, [skipped, frozen])).toBeUndefined();
    expect(takenOverBy(taker, [taker, frozen])).toBeUndefined();
    const view = { runs: [taker, frozen], trends: [] } as unknown as Parameters<typeof historyText>[0];
    expect(historyText(view).find((l) => l.startsWith('d1'))).toMatch(/^d1 +drill +fenced-out \(taken over by d2\) /);
    expect((historyJson(view) as { runs: { runId: string; takenOverBy?: string }[] }).runs).toMatchObject([
      { runId: 'd2' },
      { runId: 'd1', takenOverBy: 'd2' },
    ]);
  });
});
