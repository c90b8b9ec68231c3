import { Listr } from 'listr2';
import { ALREADY_AS_BEFORE, type EngineEvent, type EventListener } from '../../model/events.js';
import { formatDuration } from '../../util/duration.js';
import { EventTask, FRAME_MS, ThrottledRenderer, type Task, type TaskWrapper } from './listr-tasks.js';
import { lostLine, notWaitedNames } from './event-line.js';

/**
 * A list longer than the terminal is one progress task (counts, the steps running): the terminal would
 * show only its last lines anyway (the view is cut to the terminal's height), and drawing every line at
 * every frame costs more than quick steps do.
 */
const maxTasks = (): number => Math.max(10, (process.stdout.rows || 40) - 8);

/** A rehearsal's milestones (and a rollback's fault restore), shown as tasks that settle when their event arrives. */
const MARKS = [
  { id: '#fault', title: 'inject the fault (t0)' },
  { id: '#detect', title: 'detect the outage' },
  { id: '#recovered', title: 'recover: steady state holds again' },
  { id: '#restore', title: 'restore the fault' },
] as const;

export interface ListrView {
  readonly listener: EventListener;
  /** The session is over: settle what is still open; resolves once the list has finished drawing. */
  done(): Promise<void>;
  /** The session failed: settle every task still open, so the view ends. */
  abandon(): void;
}

/**
 * The live view on a terminal: one listr2 list per session, driven only by engine events (listr2 owns no
 * behaviour: no retry, no rollback). Its lines: the checks (readiness, steady state) as they finish;
 * a rehearsal's milestones; one line per step, waiting (◼) until the step starts, spinning while it
 * runs; the fail-back, one undo after another, "already as before" for those that had nothing to undo.
 */
export function createListrRenderer(): ListrView {
  const tasks = new Map<string, EventTask>();
  const progress = new Map<string, Progress>();
  const checks = new EventTask('', { persistentOutput: true });
  const checkLines: string[] = [];
  const failBack = new Deferred<{ title: string; tasks: Task[] }>();
  let list: Promise<unknown> = Promise.resolve();
  let failedChecks = 0;

  const taskList = (ids: readonly string[], label: (id: string) => string): Task[] => {
    if (ids.length > maxTasks()) return [progressTask(ids, progress)];
    return ids.map((id) => {
      const t = new EventTask(label(id));
      tasks.set(id, t);
      return t.task;
    });
  };
  const start = (e: Extract<EngineEvent, { type: 'run.started' }>): void => {
    const kinds = new Map(e.steps.map((s) => [s.id, s.kind] as const));
    const marks = e.mode === 'rehearse' ? MARKS : e.mode === 'rollback' ? MARKS.filter((m) => m.id === '#restore') : [];
    const markTasks = marks.map((m) => {
      // a rollback's fault restore shows only when a fault was left in place
      const t = new EventTask(e.mode === 'rollback' ? '' : m.title);
      tasks.set(m.id, t);
      return t.task;
    });
    // a rollback's list is its undos (the run's steps would show steps it never runs)
    const stepTasks =
      e.mode === 'rollback'
        ? []
        : taskList(
            e.steps.map((s) => s.id),
            (id) => `${id} (${kinds.get(id) ?? ''})`,
          );
    const back: Task = {
      title: '',
      task: async (_ctx: unknown, w: TaskWrapper) => {
        const { title, tasks: undos } = await failBack.promise;
        w.title = title;
        return w.newListr(undos, { concurrent: true, exitOnError: false });
      },
    };
    // the run's lost data centers head the list, as the plain view's line after run.started
    const lostTask: Task[] = e.lost?.length ? [{ title: lostLine(e.lost), task: () => undefined }] : [];
    const listr = new Listr([...lostTask, checks.task, ...markTasks, ...stepTasks, back], {
      concurrent: true,
      exitOnError: false,
      collectErrors: 'minimal',
      registerSignalListeners: false,
      renderer: ThrottledRenderer,
      // a line longer than the terminal is cut, not wrapped: wrapping measures every word of every line at each frame
      rendererOptions: { formatOutput: 'truncate', collapseSubtasks: false },
    });
    list = listr.run().catch(() => undefined);
  };
  const check = (e: Extract<EngineEvent, { type: 'check.passed' | 'check.failed' }>): void => {
    if (e.type === 'check.failed') failedChecks++;
    checkLines.push(
      `${e.type === 'check.passed' ? '✓' : '✗'} ${e.group}${e.phase ? ` (${e.phase})` : ''} ${e.name}: ${e.type === 'check.passed' ? formatDuration(e.durationMs) : e.detail}`,
    );
    checks.start();
    checks.title = `checks: ${checkLines.length - failedChecks} passed${failedChecks ? `, ${failedChecks} failed` : ''}`;
    checks.output = checkLines.join('\n');
  };
  const settleAll = (why: string): void => {
    if (failedChecks > 0) checks.fail(checks.title);
    else checks.done();
    // a line that never showed (a rollback with no fault left) ends hidden
    for (const t of tasks.values()) t.done(t.title ? `not reached (${why})` : undefined);
    for (const p of new Set(progress.values())) p.settle();
    failBack.resolve({ title: '', tasks: [] });
  };
  const listener: EventListener = (e) => {
    const stepId = 'stepId' in e ? e.stepId : undefined;
    const p = stepId !== undefined ? progress.get(stepId) : undefined;
    if (p && e.type !== 'budget.exceeded') return onProgress(p, e);
    const t = stepId !== undefined ? tasks.get(stepId) : undefined;
    switch (e.type) {
      case 'run.started':
        return start(e);
      case 'check.passed':
      case 'check.failed':
        return check(e);
      case 'run.resumed':
        // the steps an earlier process finished are not journaled again: they settle here
        for (const id of e.done) tasks.get(id)?.done('done by an earlier process');
        return;
      case 'fault.intent':
        return tasks.get('#fault')?.start();
      case 'fault.injected':
        return mark(tasks, '#fault', `fault in place: ${e.describe}${e.lost?.length ? ` — ${lostLine(e.lost)}` : ''}`, '#detect');
      case 'fault.detected':
        return mark(tasks, '#detect', `detected by ${e.probe} after ${formatDuration(e.afterMs)}`, '#recovered');
      case 'rehearsal.recovered':
        return mark(tasks, '#recovered', `recovered: RTO ${formatDuration(e.rtoMs)}`);
      case 'stop.breached':
        return tasks.get('#recovered')?.fail(`stop condition ${e.name} breached: ${e.detail}`);
      case 'fault.restored':
        if (e.ok) return mark(tasks, '#restore', `fault restored: ${e.describe}`);
        return tasks.get('#restore')?.fail(`restoring the fault failed: ${e.describe}`);
      case 'rehearsal.finished':
        for (const m of MARKS) tasks.get(m.id)?.done(`not reached (${e.outcome})`);
        return;
      case 'run.finished':
        return settleAll(e.rollback ?? e.status);
      case 'rollback.started':
        if (failBack.resolved) return;
        for (const id of e.steps) {
          tasks.delete(id);
          progress.delete(id);
        }
        return failBack.resolve({ title: `↩ ${e.reason}`, tasks: taskList(e.steps, (id) => `↩ ${id}`) });
      case 'step.started':
      case 'step.rolling-back':
        if (t && e.type === 'step.started' && e.attempt > 1) t.title = `${t.base} attempt ${e.attempt}`;
        return t?.start();
      case 'step.intent':
      case 'step.progress':
        if (t) t.output = e.type === 'step.intent' ? e.describe : e.message;
        return;
      case 'step.applied':
        if (t) t.title = `${t.base}: ${e.describe}${notWaited(e.notes)}`;
        return;
      case 'step.timing':
        if (t && e.timing.startedAt) t.title = `${t.title} [${formatDuration(e.timing.durationMs)}]`;
        if (e.timing.status === 'applied') t?.done();
        return;
      case 'step.skipped':
      case 'step.cancelled':
        return t?.done(e.reason);
      case 'step.failed':
      case 'step.rollback-failed':
        return t?.fail(`${e.stepId}: ${e.error.message}${e.type === 'step.failed' ? notWaited(e.notes) : ''}`);
      case 'step.rolled-back':
        // nothing undone reads as such, never as the command an undo would have run
        if (e.changed === false) return t?.done(ALREADY_AS_BEFORE);
        if (t) t.title = `${t.base}: ${e.describe} [${formatDuration(e.durationMs)}]`;
        return t?.done();
      default:
        return;
    }
  };
  return {
    listener,
    // the session is over (no event comes after this): close what is still open, then let the list finish drawing
    done: async () => {
      settleAll('the run ended');
      await list;
    },
    abandon: () => settleAll('the run stopped'),
  };
}

/** A milestone reached; the next one is now awaited (it spins). */
function mark(tasks: ReadonlyMap<string, EventTask>, id: string, title: string, next?: string): void {
  const t = tasks.get(id);
  if (t) t.title = title;
  t?.done();
  if (next) tasks.get(next)?.start();
}

class Deferred<T> {
  resolved = false;
  resolve: (value: T) => void = () => undefined;
  readonly promise = new Promise<T>((resolve) => {
    this.resolve = (v) => {
      this.resolved = true;
      resolve(v);
    };
  });
}

interface Progress {
  readonly total: number;
  readonly done: Set<string>;
  failed: number;
  readonly running: Set<string>;
  settle: () => void;
}

/** One task for a long list: "1,234/10,000 steps done, 8 running, 0 failed" and the running ones. */
function progressTask(ids: readonly string[], progress: Map<string, Progress>): Task {
  const p: Progress = { total: ids.length, done: new Set(), failed: 0, running: new Set(), settle: () => undefined };
  // settles when every step has (or at run.finished), also before listr has started the task
  const settled = new Promise<void>((resolve, reject) => {
    p.settle = () => (p.failed > 0 ? reject(new Error(progressTitle(p))) : resolve());
  });
  settled.catch(() => undefined);
  for (const id of ids) progress.set(id, p);
  return {
    title: progressTitle(p),
    task: async (_ctx: unknown, task: TaskWrapper) => {
      // the counts change thousands of times a second: show them once a frame, not per event
      const show = (): void => {
        task.title = progressTitle(p);
        task.output = [...p.running].slice(0, 8).join(', ') + (p.running.size > 8 ? ', …' : '');
      };
      show();
      const timer = setInterval(show, FRAME_MS);
      try {
        await settled;
      } finally {
        clearInterval(timer);
        show();
      }
    },
  };
}

function onProgress(p: Progress, e: EngineEvent): void {
  if (!('stepId' in e) || e.stepId === undefined) return;
  if (e.type === 'step.started' || e.type === 'step.rolling-back') p.running.add(e.stepId);
  else if (SETTLED.has(e.type) && !p.done.has(e.stepId)) {
    p.running.delete(e.stepId);
    p.done.add(e.stepId);
    if (e.type === 'step.failed' || e.type === 'step.rollback-failed') p.failed++;
  } else return;
  if (p.done.size === p.total) p.settle();
}

/** The events that end a step's line in a progress task (a step settles once). */
const SETTLED: ReadonlySet<string> = new Set([
  'step.timing',
  'step.skipped',
  'step.failed',
  'step.cancelled',
  'step.rolled-back',
  'step.rollback-failed',
]);

/** The members a step did not wait for (in a lost data center), after its title. */
const notWaited = (notes: Readonly<Record<string, unknown>>): string => {
  const names = notWaitedNames(notes);
  return names.length > 0 ? ` (not waited for, in a lost data center: ${names.join(', ')})` : '';
};

const progressTitle = (p: Progress): string =>
  `${thousands(p.done.size)}/${thousands(p.total)} steps done, ${p.running.size} running, ${p.failed} failed`;

/** 12,345 (toLocaleString would load ICU's number formatting: 15-20 ms at the first call). */
const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
