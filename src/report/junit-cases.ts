import { formatDuration } from '../util/duration.js';
import type { RunReport, StepReport } from './build-report.js';
import { runFailed } from './failures.js';
import { rtoBreakdownLine, rtoHeadline } from './rehearsal-text.js';

/** One JUnit testcase, before it becomes XML. `type` of a failure: apply/verify/observe/rollback/budget/check/stop/fail-back/outcome. */
export interface TestCase {
  readonly classname: string;
  readonly name: string;
  readonly timeMs?: number | undefined;
  readonly failure?: { readonly type: string; readonly message: string; readonly body: string };
  readonly skipped?: string;
  readonly out?: string;
}

const firstLine = (s: string): string => s.split('\n')[0] ?? '';
const lines = (pairs: readonly (readonly [string, string | number | undefined])[]): string =>
  pairs
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('\n');

/**
 * Every testcase of a run, in order: the outcome, each check (by phase), each step, each undo, each budget,
 * each breached stop condition and a drill's fail-back. Every cause of a failed run is a failing testcase;
 * the outcome testcase fails whenever the run did (CI's test tab is red exactly when the job is).
 */
export function junitCases(r: RunReport): TestCase[] {
  const suite = `drctl.${r.run.mode}.${r.run.runbook.name}`;
  const out: TestCase[] = [outcomeCase(r, suite)];
  for (const c of r.checks) {
    const name = c.phase === c.group ? c.name : `${c.name} (${c.phase})`;
    out.push({
      classname: `${suite}.${c.group}`,
      name,
      timeMs: c.durationMs,
      ...(c.ok
        ? {}
        : {
            failure: {
              type: 'check',
              message: firstLine(c.detail),
              body: lines([
                ['check', `${c.group} ${c.name}`],
                ['phase', c.phase],
                ['at', c.at],
                ['detail', c.detail],
              ]),
            },
          }),
    });
  }
  for (const s of r.steps) out.push(stepCase(s, suite));
  const undoClass = `${suite}.${r.run.mode === 'drill' || r.run.mode === 'rehearse' ? 'fail-back' : 'rollback'}`;
  for (const s of r.steps) {
    const u = s.rollback;
    if (!u) continue;
    out.push({
      classname: undoClass,
      name: `undo ${s.id} (${s.kind})`,
      timeMs: u.durationMs,
      ...(u.status === 'failed'
        ? {
            failure: {
              type: 'rollback',
              message: firstLine(u.message),
              body: lines([
                ['step', `${s.id} (${s.kind})`],
                ['phase', 'rollback'],
                ['ended', u.endedAt],
                ['error', u.message],
              ]),
            },
          }
        : { out: u.message }),
    });
  }
  const h = r.rehearsal;
  if (h?.restoredAt !== undefined) {
    out.push({
      classname: undoClass,
      name: 'restore the fault',
      ...(h.restoreOk === false
        ? {
            failure: {
              type: 'rollback',
              message: 'the fault could not be restored',
              body: lines([
                ['fault', h.fault],
                ['at', h.restoredAt],
              ]),
            },
          }
        : { out: h.fault ?? '' }),
    });
  }
  out.push(...budgetCases(r, suite));
  for (const b of h?.stopBreaches ?? []) {
    const message = `stop condition "${b.name}" breached: ${b.detail}`;
    out.push({
      classname: `${suite}.stopConditions`,
      name: `${b.name} (during the fault)`,
      failure: {
        type: 'stop',
        message: firstLine(message),
        body: lines([
          ['stop condition', b.name],
          ['breached at', b.at],
          ['detail', b.detail],
        ]),
      },
    });
  }
  const halves = r.run.halves;
  if (r.run.mode === 'drill' && halves) {
    const fb = halves.failBack;
    out.push({
      classname: `${suite}.fail-back`,
      name: 'fail-back complete',
      ...(fb === 'failed'
        ? {
            failure: {
              type: 'fail-back',
              message: 'the fail-back did not complete',
              body: lines([
                ['switch', halves.switch],
                ['fail-back', fb],
                ['error', r.run.summary?.error],
              ]),
            },
          }
        : fb === 'skipped'
          ? { skipped: 'the drill did not fail back' }
          : {}),
    });
  }
  return unique(out);
}

function outcomeCase(r: RunReport, suite: string): TestCase {
  const h = r.rehearsal;
  const what = h ? 'rehearsal' : r.run.mode;
  const status = h?.outcome ?? r.run.status;
  const summary = [
    h ? `${h.outcome ?? 'unknown'}: ${rtoHeadline(h)}` : `${r.run.mode} ${r.run.status}`,
    h && rtoBreakdownLine(h) ? `RTO ${rtoBreakdownLine(h) ?? ''}` : undefined,
    r.run.halves ? `switch: ${r.run.halves.switch}; fail-back: ${r.run.halves.failBack}` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join('\n');
  const base = { classname: suite, name: `${what} outcome`, timeMs: h?.rto?.totalMs ?? r.run.durationMs, out: summary };
  if (h?.outcome === 'SKIPPED') return { ...base, skipped: h.skippedReason ?? h.reasons.join('; ') };
  if (!runFailed(r.run, h)) return base;
  const causes = r.failures.map((c) => `- ${c.type} ${c.subject}: ${c.message}`).join('\n');
  const message =
    r.failures.length === 1
      ? (r.failures[0]?.message ?? status)
      : `${r.failures.length} causes: ${r.failures.map((c) => `${c.type} ${c.subject}`).join(', ')}`;
  return { ...base, failure: { type: 'outcome', message: firstLine(message), body: `${what} ${status}\n${causes}` } };
}

function stepCase(s: StepReport, suite: string): TestCase {
  const base = { classname: `${suite}.steps`, name: `${s.id} (${s.kind})`, timeMs: s.durationMs };
  const notes = [
    s.describe,
    s.overBudget && !s.overBudget.counted ? `over budget (a finding, not counted against the run): ${s.overBudget.message}` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join('\n');
  const out = notes === '' ? {} : { out: notes };
  if (s.status === 'failed') {
    const e = s.error;
    const retries = (s.retries ?? []).map((x) => `  attempt ${x.attempt} after ${formatDuration(x.delayMs)}: ${x.message}`).join('\n');
    const body =
      lines([
        ['step', `${s.id} (${s.kind})`],
        ['phase', e?.phase],
        ['attempts', s.attempts],
        ['timed out', e?.timedOut ? 'yes' : undefined],
        ['error', e?.message ?? 'failed'],
      ]) + (retries ? `\nretried:\n${retries}` : '');
    return { ...base, ...out, failure: { type: e?.phase ?? 'apply', message: firstLine(e?.message ?? 'failed'), body } };
  }
  if (s.status !== 'applied' && s.status !== 'rolled-back') return { ...base, ...out, skipped: s.describe ?? s.status };
  return { ...base, ...out };
}

/** One testcase per budget the run was held to: failing when the run counted its overrun against itself. */
function budgetCases(r: RunReport, suite: string): TestCase[] {
  const classname = `${suite}.budgets`;
  const out: TestCase[] = [];
  const total = r.rehearsal ? 'RTO' : 'switch';
  const switchMessage = r.budgetOverruns.find((m) => m.startsWith('the switch took') || m.startsWith('RTO '));
  if (r.budgets.switchMs !== undefined) {
    const counted = r.failures.find((c) => c.type === 'budget' && c.subject === 'switch');
    const finding = switchMessage !== undefined && counted === undefined ? switchMessage : undefined;
    const unmeasured = r.rehearsal !== undefined && !r.rehearsal.rto && counted === undefined;
    const c = budgetCase(
      classname,
      total,
      r.budgets.switchMs,
      r.rehearsal?.rto?.totalMs ?? r.budgets.switchTookMs,
      counted?.message,
      finding,
    );
    out.push(unmeasured ? { classname, name: total, skipped: 'the RTO was not measured' } : c);
  }
  for (const s of r.steps) {
    const budget = r.budgets.steps[s.id];
    if (budget === undefined && !s.overBudget) continue;
    const counted = s.overBudget?.counted ? s.overBudget.message : undefined;
    if (s.startedAt === undefined && !s.overBudget) {
      out.push({ classname, name: `step ${s.id}`, skipped: 'the step did not run' });
      continue;
    }
    out.push(
      budgetCase(
        classname,
        `step ${s.id}`,
        budget ?? s.overBudget?.budgetMs,
        s.durationMs,
        counted,
        s.overBudget && !counted ? s.overBudget.message : undefined,
      ),
    );
  }
  return out;
}

function budgetCase(
  classname: string,
  name: string,
  budgetMs: number | undefined,
  tookMs: number | undefined,
  counted: string | undefined,
  finding: string | undefined,
): TestCase {
  const body = lines([
    ['budget', budgetMs === undefined ? undefined : formatDuration(budgetMs)],
    ['took', tookMs === undefined ? undefined : formatDuration(tookMs)],
  ]);
  if (counted !== undefined)
    return { classname, name, timeMs: tookMs, failure: { type: 'budget', message: counted, body: `${body}\n${counted}` } };
  return {
    classname,
    name,
    timeMs: tookMs,
    out: finding === undefined ? `${body}\nwithin budget` : `${body}\nover budget (a finding, not counted against the run): ${finding}`,
  };
}

/** Testcase identities (classname + name) are unique: consumers merge or drop duplicates. */
function unique(cases: readonly TestCase[]): TestCase[] {
  const seen = new Map<string, number>();
  return cases.map((c) => {
    const key = `${c.classname}\u0000${c.name}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? c : { ...c, name: `${c.name} #${n}` };
  });
}
