import { DefaultRenderer, Listr, type ListrTaskWrapper, type SimpleRenderer } from 'listr2';
import type { EngineEvent, EventListener } from '../../model/events.js';
import { formatDuration } from '../../util/duration.js';

type TaskWrapper = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

interface Deferred {
  resolve: (skipReason?: string) => void;
  reject: (e: Error) => void;
  task?: TaskWrapper;
  title: string;
}

/**
 * listr2 redraws the whole list on every title or output change; a run of many quick steps changes
 * them thousands of times a second and the redraws (wrapping every line) starve the engine. This
 * renderer redraws at most every FRAME_MS (the last change always shows).
 */
const FRAME_MS = 100;
class ThrottledRenderer extends DefaultRenderer {
  #last = 0;
  #timer: NodeJS.Timeout | undefined;
  override update(): void {
    const wait = this.#last + FRAME_MS - performance.now();
    if (wait <= 0) this.#draw();
    else this.#timer ??= setTimeout(() => this.#draw(), wait);
  }
  #draw(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#last = performance.now();
    super.update();
  }
  override end(): void {
    clearTimeout(this.#timer);
    super.end();
  }
}

/**
 * A list longer than the terminal is one progress task (counts, the steps running): the terminal would
 * show only its last lines anyway (the view is cut to the terminal's height), and drawing every line at
 * every frame costs more than quick steps do.
 */
const maxTasks = (): number => Math.max(10, (process.stdout.rows || 40) - 8);

/** A rehearsal's milestones, shown as tasks that settle when their event arrives. */
const MARKS = [
  { id: '#fault', title: 'inject the fault (t0)' },
  { id: '#detect', title: 'detect the outage' },
  { id: '#recovered', title: 'recover: steady state holds again' },
  { id: '#restore', title: 'restore the fault' },
] as const;

/**
 * The live view on a terminal: one listr2 task per step, driven only by engine events (listr2 owns
 * no behaviour: no retry, no rollback). Returns a listener and a `done` promise to await before exit.
 */
export function createListrRenderer(): { listener: EventListener; done: () => Promise<void>; abandon: () => void } {
  const steps = new Map<string, Deferred>();
  const lists: Promise<unknown>[] = [];
  const progress = new Map<string, Progress>();
  const startList = (ids: readonly string[], label: (id: string) => string): void => {
    if (ids.length > maxTasks()) {
      startProgress(ids);
      return;
    }
    const tasks = ids.map((id) => {
      const d: Deferred = { resolve: () => undefined, reject: () => undefined, title: label(id) };
      const promise = new Promise<string | undefined>((resolve, reject) => {
        d.resolve = resolve;
        d.reject = reject;
      });
      steps.set(id, d);
      return {
        title: d.title,
        task: async (_ctx: unknown, task: TaskWrapper) => {
          d.task = task;
          const skip = await promise;
          if (skip !== undefined) task.skip(`${d.title}: ${skip}`);
        },
      };
    });
    run(tasks);
  };
  const run = (tasks: { title: string; task: (ctx: unknown, task: TaskWrapper) => Promise<void> }[]): void => {
    const list = new Listr(tasks, {
      concurrent: true, exitOnError: false, collectErrors: 'minimal', registerSignalListeners: false, renderer: ThrottledRenderer,
      // a line longer than the terminal is cut, not wrapped: wrapping measures every word of every line at each frame
      rendererOptions: { formatOutput: 'truncate' },
    });
    lists.push(list.run().catch(() => undefined));
  };
  /** One task for a long list: "1,234/10,000 steps done, 8 running, 0 failed" and the running ones. */
  const startProgress = (ids: readonly string[]): void => {
    const p: Progress = { total: ids.length, done: new Set(), failed: 0, running: new Set(), settle: () => undefined };
    // settles when every step has (or at run.finished), also before listr has started the task
    const settled = new Promise<void>((resolve, reject) => {
      p.settle = () => (p.failed > 0 ? reject(new Error(progressTitle(p))) : resolve());
    });
    settled.catch(() => undefined);
    for (const id of ids) progress.set(id, p);
    run([{
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
    }]);
  };
  const onProgress = (p: Progress, e: EngineEvent & { stepId: string }): void => {
    if (e.type === 'step.started' || e.type === 'step.rolling-back') p.running.add(e.stepId);
    else if (SETTLED.has(e.type) && !p.done.has(e.stepId)) {
      p.running.delete(e.stepId);
      p.done.add(e.stepId);
      if (e.type === 'step.failed' || e.type === 'step.rollback-failed') p.failed++;
    } else return;
    if (p.done.size === p.total) p.settle();
  };
  const mark = (id: string, title: string): void => {
    const d = steps.get(id);
    if (d?.task) d.task.title = title;
    d?.resolve();
  };
  const listener: EventListener = (e: EngineEvent) => {
    const p = 'stepId' in e && e.stepId !== undefined ? progress.get(e.stepId) : undefined;
    if (p && e.type !== 'budget.exceeded') return onProgress(p, e as EngineEvent & { stepId: string });
    const d = 'stepId' in e && e.stepId !== undefined ? steps.get(e.stepId) : undefined;
    switch (e.type) {
      case 'run.started':
        // a rollback's list starts at rollback.started (a list of the run's steps would show steps never run)
        if (e.mode === 'rollback') return;
        // a rehearsal's own milestones run as a second list beside the steps
        if (e.mode === 'rehearse') startList(MARKS.map((m) => m.id), (id) => MARKS.find((m) => m.id === id)?.title ?? id);
        {
          const kinds = new Map(e.steps.map((s) => [s.id, s.kind] as const));
          startList(e.steps.map((s) => s.id), (id) => `${id} (${kinds.get(id) ?? ''})`);
        }
        return;
      case 'run.resumed':
        // the steps an earlier process finished are not journaled again: they settle here
        for (const id of e.done) steps.get(id)?.resolve('done by an earlier process');
        return;
      case 'fault.injected':
        mark('#fault', `fault in place: ${e.describe}`);
        return;
      case 'fault.detected':
        mark('#detect', `detected by ${e.probe} after ${formatDuration(e.afterMs)}`);
        return;
      case 'rehearsal.recovered':
        mark('#recovered', `recovered: RTO ${formatDuration(e.rtoMs)}`);
        return;
      case 'stop.breached':
        steps.get('#recovered')?.reject(new Error(`stop condition ${e.name} breached: ${e.detail}`));
        return;
      case 'fault.restored':
        if (e.ok) mark('#restore', `fault restored: ${e.describe}`);
        else steps.get('#restore')?.reject(new Error(`restoring the fault failed: ${e.describe}`));
        return;
      case 'rehearsal.finished':
        for (const m of MARKS) steps.get(m.id)?.resolve(`not reached (${e.outcome})`);
        return;
      case 'run.finished':
        for (const pr of new Set(progress.values())) pr.settle();
        return;
      case 'rollback.started':
        startList(e.steps, (id) => `↩ ${id}`);
        return;
      case 'step.started':
        if (d?.task) d.task.title = `${d.title}${e.attempt > 1 ? ` attempt ${e.attempt}` : ''}`;
        return;
      case 'step.intent':
      case 'step.progress':
        if (d?.task) d.task.output = e.type === 'step.intent' ? e.describe : e.message;
        return;
      case 'step.applied':
        if (d?.task) d.task.title = `${d.title}: ${e.describe}`;
        return;
      case 'step.timing':
        if (d?.task && e.timing.startedAt) d.task.title = `${d.task.title} [${formatDuration(e.timing.durationMs)}]`;
        if (e.timing.status === 'applied') d?.resolve();
        return;
      case 'step.skipped':
        d?.resolve(e.reason);
        return;
      case 'step.failed':
      case 'step.rollback-failed':
        d?.reject(new Error(`${e.stepId}: ${e.error.message}`));
        return;
      case 'step.cancelled':
        d?.resolve(e.reason);
        return;
      case 'step.rolled-back':
        if (d?.task) d.task.title = `${d.title}: ${e.describe} [${formatDuration(e.durationMs)}]`;
        d?.resolve();
        return;
      default:
        return;
    }
  };
  // the session failed (an error line follows): settle every task still waiting, so the view ends
  const abandon = (): void => {
    for (const d of steps.values()) d.resolve('not reached');
    for (const pr of new Set(progress.values())) pr.settle();
  };
  return { listener, done: async () => void (await Promise.all(lists)), abandon };
}

interface Progress {
  readonly total: number;
  readonly done: Set<string>;
  failed: number;
  readonly running: Set<string>;
  settle: () => void;
}

/** The events that end a step's line in a progress task (a step settles once). */
const SETTLED: ReadonlySet<string> = new Set(['step.timing', 'step.skipped', 'step.failed', 'step.cancelled', 'step.rolled-back', 'step.rollback-failed']);

const progressTitle = (p: Progress): string =>
  `${thousands(p.done.size)}/${thousands(p.total)} steps done, ${p.running.size} running, ${p.failed} failed`;

/** 12,345 (toLocaleString would load ICU's number formatting: 15-20 ms at the first call). */
const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
