import type { EngineEvent } from '../../src/model/events.js';
import { buildReport, type RunReport } from '../../src/report/build-report.js';
import type { HistoryRun } from '../../src/report/regression.js';
import type { JournalRecord, RunMeta } from '../../src/model/records.js';

/**
 * A realistic rehearsal of a city cut: 6 steps (one retried, one over its budget), fault (t0, in place) / detection /
 * recovery / restore marks, a fail-back that rolls every step back, and 5 earlier rehearsals with the
 * latest (this one) regressed.
 */
const BASE = Date.parse('2026-11-21T02:10:00.000Z');
const iso = (ms: number): string => new Date(BASE + ms).toISOString();
const RUNBOOK = { name: 'city-cut', file: '/srv/runbooks/city-cut.yaml', hash: '9f2c6e1d0a7b3c5e8f90' };

const STEPS = [
  { id: 'fence-hz', kind: 'haproxy.servers', needs: [] },
  { id: 'redis-election', kind: 'redis.failover', needs: [] },
  { id: 'db-election', kind: 'db.primary', needs: [] },
  { id: 'rules-flip', kind: 'rules.flip', needs: ['redis-election', 'db-election'] },
  { id: 'dns-switch', kind: 'dns.record', needs: ['rules-flip'] },
  { id: 'lb-shift', kind: 'haproxy.servers', needs: ['dns-switch', 'fence-hz'] },
] as const;

type Ev = Record<string, unknown> & { type: EngineEvent['type'] };

/** The rehearsal's journal, as the engine writes it (records of run rh-20261121-0210). */
export function rehearsalJournal(): JournalRecord[] {
  const ev: [number, Ev][] = [];
  const add = (t: number, e: Ev): void => void ev.push([t, e]);
  add(0, {
    type: 'run.started',
    mode: 'rehearse',
    runbook: RUNBOOK,
    params: {},
    steps: STEPS.map((s) => ({ ...s, needs: [...s.needs] })),
    host: 'ops-1',
    user: 'cron',
    pid: 4242,
  });
  add(180, { type: 'check.passed', group: 'readiness', name: 'sentinel quorum', detail: '3/3 sentinels agree', durationMs: 150 });
  add(520, {
    type: 'check.passed',
    group: 'steadyState',
    name: 'orders API <script>ok</script>',
    detail: 'HTTP 200 in 12ms',
    durationMs: 300,
  });
  // t0: the fault's intent, right before its apply; in place 250ms later (detection runs from t0)
  add(1000, {
    type: 'fault.intent',
    describe: 'freeze hz-a, hz-b (7 processes)',
    before: { frozen: [], running: ['redis-hz-a', 'pg-hz-a'] },
  });
  add(1250, { type: 'fault.injected', describe: 'freeze hz-a, hz-b (7 processes)' });
  add(4100, { type: 'fault.detected', probe: 'redis-master-reachable', afterMs: 3100 });
  const step = (id: string, start: number, phases: readonly [string, number, boolean][], attempt = 1): number => {
    let t = start;
    if (attempt === 1) add(t, { type: 'step.started', stepId: id, attempt });
    for (const [phase, d, ok] of phases) {
      t += d;
      add(t, { type: 'step.phase', stepId: id, phase, durationMs: d, ok });
    }
    return t;
  };
  const timing = (id: string, start: number, end: number, attempts: number, phases: Record<string, number>, status = 'applied'): void =>
    add(end, {
      type: 'step.timing',
      stepId: id,
      timing: { queuedAt: iso(start), startedAt: iso(start), endedAt: iso(end), durationMs: end - start, attempts, phases, status },
    });
  const applied = (id: string, t: number, describe: string): void =>
    add(t, { type: 'step.applied', stepId: id, after: {}, describe, outputs: {}, notes: {} });

  let e = step('fence-hz', 4100, [
    ['observe', 40, true],
    ['apply', 200, true],
    ['verify', 60, true],
  ]);
  applied('fence-hz', e, 'hz-a, hz-b backends → maint');
  timing('fence-hz', 4100, e, 1, { observe: 40, apply: 200, verify: 60 });
  e = step('redis-election', 4100, [
    ['observe', 50, true],
    ['apply', 300, false],
  ]);
  add(e, {
    type: 'step.retrying',
    stepId: 'redis-election',
    attempt: 2,
    delayMs: 200,
    error: { message: 'NOGOODSLAVE: no suitable replica', phase: 'apply', retryable: true },
  });
  add(e + 200, { type: 'step.started', stepId: 'redis-election', attempt: 2 });
  e = step(
    'redis-election',
    e + 200,
    [
      ['observe', 30, true],
      ['apply', 400, true],
      ['verify', 220, true],
    ],
    2,
  );
  applied('redis-election', e, 'master 127.0.0.1:7001 (hz-a) → 127.0.0.1:7003 (sh-a)');
  timing('redis-election', 4100, e, 2, { observe: 80, apply: 700, verify: 220 });
  const redisEnd = e;
  e = step('db-election', 4100, [
    ['observe', 60, true],
    ['apply', 500, true],
    ['verify', 340, true],
  ]);
  applied('db-election', e, 'primary pg-hz → pg-sh');
  timing('db-election', 4100, e, 1, { observe: 60, apply: 500, verify: 340 });
  add(e, {
    type: 'budget.exceeded',
    stepId: 'db-election',
    durationMs: 900,
    budgetMs: 800,
    message: 'step "db-election" took 900ms, over its budget of 800ms',
  });
  e = step('rules-flip', redisEnd, [
    ['observe', 30, true],
    ['apply', 300, true],
    ['verify', 70, true],
  ]);
  applied('rules-flip', e, 'shards 0-511 → sh');
  timing('rules-flip', redisEnd, e, 1, { observe: 30, apply: 300, verify: 70 });
  const flipEnd = e;
  e = step('dns-switch', flipEnd, [
    ['observe', 20, true],
    ['apply', 80, true],
    ['verify', 300, true],
  ]);
  applied('dns-switch', e, 'api.example. A 10.0.1.10 → 10.0.2.10');
  timing('dns-switch', flipEnd, e, 1, { observe: 20, apply: 80, verify: 300 });
  const dnsEnd = e;
  e = step('lb-shift', dnsEnd, [
    ['observe', 20, true],
    ['apply', 130, true],
    ['verify', 50, true],
  ]);
  applied('lb-shift', e, 'weights hz 0 / sh 100');
  timing('lb-shift', dnsEnd, e, 1, { observe: 20, apply: 130, verify: 50 });
  const switchEnd = e; // 6300
  add(6800, {
    type: 'check.passed',
    group: 'steadyState',
    name: 'orders API <script>ok</script>',
    detail: 'HTTP 200 (3 consecutive)',
    durationMs: 500,
  });
  add(6800, { type: 'rehearsal.recovered', rtoMs: 5800 });
  add(7200, { type: 'fault.restored', describe: 'thaw hz-a, hz-b (7 processes)', ok: true });
  add(7300, { type: 'rollback.started', reason: 'fail-back', steps: STEPS.map((s) => s.id).reverse() });
  const rb = (id: string, start: number, d: number, describe: string): number => {
    add(start, { type: 'step.rolling-back', stepId: id });
    add(start + d, { type: 'step.rolled-back', stepId: id, describe, durationMs: d });
    return start + d;
  };
  let t = rb('lb-shift', 7300, 150, 'weights hz 100 / sh 0');
  t = rb('dns-switch', t, 250, 'api.example. A → 10.0.1.10');
  t = rb('rules-flip', t, 200, 'shards 0-511 → hz');
  const a = rb('db-election', t, 700, 'primary pg-sh → pg-hz');
  const b = rb('redis-election', t, 500, 'master → 127.0.0.1:7001 (hz-a)');
  t = rb('fence-hz', Math.max(a, b), 100, 'hz backends → ready');
  add(t, { type: 'rollback.finished', ok: true });
  add(t + 300, {
    type: 'check.passed',
    group: 'steadyState',
    name: 'orders API <script>ok</script>',
    detail: 'HTTP 200 (3 consecutive)',
    durationMs: 200,
  });
  add(t + 320, {
    type: 'rehearsal.finished',
    outcome: 'FAILED',
    budgetMs: 6000,
    rto: {
      totalMs: 5800,
      detectionMs: 3100,
      switchMs: switchEnd - 4100,
      convergenceMs: 6800 - switchEnd,
      steps: { 'fence-hz': 300, 'redis-election': 1200, 'db-election': 900, 'rules-flip': 400, 'dns-switch': 400, 'lb-shift': 200 },
    },
    reasons: ['step "db-election" took 900ms, over its budget of 800ms'],
    stepBudgetsMs: { 'fence-hz': 500, 'redis-election': 1500, 'db-election': 800, 'rules-flip': 500, 'dns-switch': 600, 'lb-shift': 400 },
  });
  ev.sort((x, y) => x[0] - y[0]);
  return ev.map(
    ([ms, e2], i) => ({ runId: 'rh-20261121-0210', at: iso(ms), schemaVersion: 2, seq: i + 1, ...e2 }) as unknown as JournalRecord,
  );
}

export const FIXTURE_END_MS = 9400;

export function rehearsalMeta(): RunMeta {
  return {
    schemaVersion: 1,
    runId: 'rh-20261121-0210',
    mode: 'rehearse',
    runbook: RUNBOOK,
    status: 'failed',
    startedAt: iso(0),
    endedAt: iso(FIXTURE_END_MS),
    durationMs: FIXTURE_END_MS,
    host: 'ops-1',
    user: 'cron',
    pid: 4242,
    summary: {
      steps: Object.fromEntries(STEPS.map((s) => [s.id, { status: 'applied' as const, durationMs: 0 }])),
      criticalPath: ['redis-election', 'rules-flip', 'dns-switch', 'lb-shift'],
      criticalPathMs: 2200,
      budgetExceeded: ['db-election'],
    },
  };
}

export function rehearsalReport(): RunReport {
  return buildReport(rehearsalMeta(), rehearsalJournal());
}

/** Five rehearsals of the runbook (the last is this run, regressed: 5.8s against a 4.0s median) plus noise. */
export function rehearsalHistory(): readonly HistoryRun[] {
  const past = [
    ['2026-11-16', 4100],
    ['2026-11-17', 3900],
    ['2026-11-18', 4000],
    ['2026-11-20', 4200],
  ] as const;
  const runs: HistoryRun[] = past.map(([day, rto], i) => ({
    ...rehearsalMeta(),
    runId: `rh-${day}`,
    startedAt: `${day}T02:10:00.000Z`,
    endedAt: `${day}T02:10:09.000Z`,
    status: 'succeeded',
    rehearsal: { outcome: 'SUCCEEDED', rtoMs: rto, budgetMs: 6000, reasons: [] },
    pid: 100 + i,
  }));
  runs.push({
    ...rehearsalMeta(),
    rehearsal: { outcome: 'FAILED', rtoMs: 5800, budgetMs: 6000, reasons: ['step "db-election" took 900ms, over its budget of 800ms'] },
  });
  runs.push({
    ...rehearsalMeta(),
    runId: 'other-runbook',
    runbook: { ...RUNBOOK, name: 'other' },
    rehearsal: { outcome: 'SUCCEEDED', rtoMs: 99_000, budgetMs: undefined, reasons: [] },
  });
  runs.push({ ...rehearsalMeta(), runId: 'drill-no-rto', mode: 'drill', startedAt: '2026-11-19T02:10:00.000Z' });
  return runs;
}
