import { expect } from 'vitest';
import { INSPECTION_SCHEMA_VERSION, type InspectionRecord } from '../../src/model/inspection.js';
import type { StateStore } from '../../src/state/store.js';

/** A small but complete inspection record (the shape drctl inspect saves). */
export function inspectionRecord(id: string, startedAt: string, findings: number): InspectionRecord {
  const findingList = Array.from({ length: findings }, (_, i) => ({
    key: `hz-a|r/s${i}`,
    what: 'step' as const,
    scope: 'hz-a',
    message: `finding ${i}`,
    since: startedAt,
  }));
  return {
    schemaVersion: INSPECTION_SCHEMA_VERSION,
    kind: 'inspection',
    id,
    startedAt,
    durationMs: 12,
    host: 'h',
    user: 'u',
    runbooks: ['r'],
    findings,
    appeared: findings,
    resolved: 0,
    checks: [{ runbook: 'r', group: 'readiness', name: 'up', ok: true, detail: 'holds' }],
    plans: [],
    savedPlans: [],
    assessment: {
      schemaVersion: 1,
      kind: 'assessment',
      generatedAt: startedAt,
      durationMs: 5,
      topology: { name: 't', file: '/t.yaml', cities: [] },
      catalog: { runbooks: [], scenarios: [] },
      scopes: [],
      level: null,
      score: null,
      findings: [],
      options: { minHeadroomPct: 10, freshDays: 30 },
    },
    coverage: { expected: ['hz-a'], covered: ['hz-a'] },
    findingList,
    drift: { previous: null, appeared: findingList.map((f) => f.key), resolved: [] },
  };
}

/** The store keeps inspections beside runs: history gets their headers newest first, report the whole record. */
export async function expectInspectionsKept(store: StateStore): Promise<void> {
  expect(await store.listInspections()).toEqual([]);
  const older = inspectionRecord('20261121T020000Z-inspect-aaaa', '2026-11-21T02:00:00.000Z', 2);
  const newer = inspectionRecord('20261122T020000Z-inspect-bbbb', '2026-11-22T02:00:00.000Z', 0);
  await store.saveInspection(older);
  await store.saveInspection(newer);
  const list = await store.listInspections();
  expect(list.map((m) => [m.id, m.findings])).toEqual([
    [newer.id, 0],
    [older.id, 2],
  ]);
  expect(list[1]).toEqual({
    schemaVersion: 1,
    kind: 'inspection',
    id: older.id,
    startedAt: older.startedAt,
    durationMs: 12,
    host: 'h',
    user: 'u',
    runbooks: ['r'],
    findings: 2,
    appeared: 2,
    resolved: 0,
  });
  expect(await store.readInspection(older.id)).toEqual(older);
  expect(await store.readInspection('20261123T020000Z-inspect-none')).toBeUndefined();
  // inspections are not runs
  expect((await store.listRuns()).some((r) => r.runId.includes('-inspect-'))).toBe(false);
}
