import { describe, expect, it } from 'vitest';
import { failureCauses } from '../../../src/report/failures.js';
import type { RunMeta } from '../../../src/model/records.js';

describe('the cause of a run that ended without a recorded reason', () => {
  it('reads as English: "the rehearsal was interrupted", "the drill failed"', () => {
    const meta = (mode: RunMeta['mode'], status: RunMeta['status']) =>
      ({ runId: 'r', mode, status, startedAt: '2026-01-01T00:00:00Z' }) as unknown as RunMeta;
    const cause = (m: RunMeta) =>
      failureCauses({ run: m, steps: [], checks: [], overruns: [], interrupted: undefined, rehearsal: undefined })[0]?.message;
    expect(cause(meta('rehearse', 'interrupted'))).toBe('the rehearsal was interrupted');
    expect(cause(meta('drill', 'failed'))).toBe('the drill failed');
  });
});
