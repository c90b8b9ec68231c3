import { createContextFactory } from '../../engine/context.js';
import type { CheckGroup, EngineEvent, EventInput } from '../../model/events.js';
import type { KindRegistry } from '../../kinds/registry.js';
import type { Plan } from '../../plan/types.js';
import type { RtoPrediction } from '../../rehearsal/history.js';
import type { ScheduleVerdict } from '../../rehearsal/schedule.js';
import { checkSteady } from '../../rehearsal/steady.js';
import type { Probe, Runbook } from '../../runbook/types.js';
import type { RunMeta } from '../../model/records.js';
import { realClock } from '../../util/clock.js';
import { formatDuration } from '../../util/duration.js';
import { nullLogger } from '../../util/logger.js';
import type { RuntimeScope } from '../../runbook/runtime-scope.js';
import { renderPlan } from '../output/plan-human.js';
import { lostLine } from '../output/event-line.js';
import { lostOf } from '../../rehearsal/outage.js';
import type { Style } from '../output/style.js';
import { planExitCode, planRunbook } from './plan-runbook.js';

export interface ProbeResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What `rehearse --dry-run` found, all read-only. */
export interface RehearsalPreview {
  readonly runbook: string;
  readonly schedule: ScheduleVerdict | { readonly allowed: true; readonly ignored: string };
  readonly readiness: readonly ProbeResult[];
  readonly steadyState: readonly ProbeResult[];
  readonly stopConditions: readonly ProbeResult[];
  readonly fault: { readonly kind: string; readonly describe: string; readonly ready: boolean };
  readonly plan: Plan;
  /** The data centers the fault cuts, as the switch will be told (ctx.lost): fault.lost, else the fault kind's. */
  readonly lost?: readonly string[];
  readonly predictedRto: RtoPrediction | undefined;
  readonly budgetMs: number | undefined;
}

/** Readiness, steady state and stop conditions once (no waiting), the fault's observed target, the plan. */
export async function previewRehearsal(o: {
  runbook: Runbook;
  registry: KindRegistry;
  scope: RuntimeScope;
  history: readonly RunMeta[];
  schedule: RehearsalPreview['schedule'];
  predictedRto: RtoPrediction | undefined;
}): Promise<RehearsalPreview> {
  const { runbook, scope } = o;
  const fault = runbook.fault;
  if (!fault) throw new Error('internal: preview needs spec.fault');
  const makeContext = createContextFactory({
    runId: 'rehearse-dry-run',
    baseDir: runbook.baseDir,
    clock: realClock,
    log: nullLogger,
    emit: async () => undefined,
    approve: async () => false,
  });
  const signal = new AbortController().signal;
  const probe = async (group: CheckGroup, probes: readonly Probe[]): Promise<ProbeResult[]> => {
    const seen: ProbeResult[] = [];
    const emit = async (e: EventInput): Promise<void> => {
      const ev = e as EngineEvent;
      if (ev.type === 'check.passed' || ev.type === 'check.failed')
        seen.push({ name: ev.name, ok: ev.type === 'check.passed', detail: ev.detail });
    };
    await checkSteady(probes, {
      group,
      emit,
      interpolate: (v) => scope.interpolate(v),
      makeContext: (name) => makeContext(`${group}:${name}`, signal, {}),
    });
    return probes.map((p) => seen.find((s) => s.name === p.name) ?? { name: p.name, ok: false, detail: 'no result' });
  };
  const [readiness, steadyState, stopConditions] = await Promise.all([
    probe('readiness', runbook.readiness),
    probe('steadyState', runbook.steadyState),
    probe('stopConditions', runbook.stopConditions),
  ]);
  const kind = o.registry.get(fault.kind);
  let faultView: RehearsalPreview['fault'] = { kind: fault.kind, describe: `unknown kind "${fault.kind}"`, ready: false };
  if (kind) {
    const params = scope.interpolate(fault.with);
    try {
      const before = await kind.observe(params, makeContext('fault', signal, {}));
      const d = kind.decide(params, before);
      faultView =
        kind.reversible?.(params) === false
          ? {
              kind: fault.kind,
              describe: 'cannot be restored: its params define no way back (a rehearsal always restores its fault)',
              ready: false,
            }
          : d.action === 'noop'
            ? {
                kind: fault.kind,
                describe: `already in place (${kind.describe(params, before, undefined)}): restore it before rehearsing`,
                ready: false,
              }
            : { kind: fault.kind, describe: kind.describe(params, before, d.desired), ready: true };
    } catch (e) {
      faultView = { kind: fault.kind, describe: `cannot observe the fault's target: ${(e as Error).message}`, ready: false };
    }
  }
  // observed while the estate is whole (nothing is cut yet): the lost side is said, not skipped
  const plan = await planRunbook(runbook, o.registry, scope, o.history, signal);
  const lost = kind ? lostOf(fault, { kind, params: scope.interpolate(fault.with) }) : (fault.lost ?? []);
  return {
    runbook: runbook.name,
    schedule: o.schedule,
    readiness,
    steadyState,
    stopConditions,
    fault: faultView,
    plan,
    ...(lost.length > 0 ? { lost } : {}),
    predictedRto: o.predictedRto,
    budgetMs: runbook.budgetMs,
  };
}

/**
 * Exit code of a preview: 5 the schedule would skip it, 1 something does not hold or cannot be observed,
 * else 0 (ready). Never 2: a rehearsal always changes something (its fault, then the switch), so "changes
 * pending" would tell nothing; the plan below still shows each step's change (README "Rehearsals").
 */
export function previewExitCode(p: RehearsalPreview): 0 | 1 | 5 {
  if (!p.schedule.allowed) return 5;
  const probes = [...p.readiness, ...p.steadyState, ...p.stopConditions];
  return probes.every((x) => x.ok) && p.fault.ready && planExitCode(p.plan) !== 1 ? 0 : 1;
}

export function renderPreview(p: RehearsalPreview, st: Style): string {
  const mark = (ok: boolean): string => (ok ? st.green('✓') : st.red('✗'));
  const lines = [`rehearse ${st.bold(p.runbook)} --dry-run: read-only, nothing was changed`];
  const sch = p.schedule;
  lines.push(
    `  schedule: ${'ignored' in sch ? `ignored (${sch.ignored})` : sch.allowed ? 'allowed now' : st.yellow(`would be SKIPPED: ${sch.reason}`)}`,
  );
  const group = (title: string, rs: readonly ProbeResult[]): void => {
    if (rs.length === 0) return;
    lines.push(`  ${title}:`);
    for (const r of rs) lines.push(`    ${mark(r.ok)} ${r.name}: ${r.detail}`);
  };
  group('readiness', p.readiness);
  group('steady state', p.steadyState);
  group('stop conditions (must hold; a breach aborts the rehearsal)', p.stopConditions);
  lines.push(`  fault (${p.fault.kind}): ${mark(p.fault.ready)} ${p.fault.describe}`);
  if (p.lost?.length) lines.push(`  ${lostLine(p.lost)}`);
  const r = p.predictedRto;
  const budget = p.budgetMs === undefined ? '' : `, budget ${formatDuration(p.budgetMs)}`;
  if (r) {
    const parts = [r.detectionMs, r.switchMs, r.convergenceMs].every((x) => x !== undefined)
      ? ` = ${formatDuration(r.detectionMs ?? 0)} detection + ${formatDuration(r.switchMs ?? 0)} switch + ${formatDuration(r.convergenceMs ?? 0)} convergence`
      : '';
    lines.push(
      `  predicted RTO: ${formatDuration(r.totalMs)}${parts} (median of ${r.basedOn} earlier rehearsal${r.basedOn === 1 ? '' : 's'}; last ${formatDuration(r.lastMs)}${budget})`,
    );
  } else lines.push(`  predicted RTO: no earlier succeeded rehearsal of this runbook${budget}`);
  lines.push('', renderPlan(p.plan, st));
  return lines.join('\n');
}
