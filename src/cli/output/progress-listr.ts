import { Listr, type DefaultRenderer, type ListrTaskWrapper, type SimpleRenderer } from 'listr2';
import type { EngineEvent, EventListener } from '../../engine/events.js';
import { formatDuration } from '../../util/duration.js';

type TaskWrapper = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

interface Deferred {
  resolve: (skipReason?: string) => void;
  reject: (e: Error) => void;
  task?: TaskWrapper;
  title: string;
}

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
export function createListrRenderer(): { listener: EventListener; done: () => Promise<void> } {
  const steps = new Map<string, Deferred>();
  const lists: Promise<unknown>[] = [];
  const startList = (ids: readonly string[], label: (id: string) => string): void => {
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
    const list = new Listr(tasks, {
      concurrent: true, exitOnError: false, collectErrors: 'minimal', registerSignalListeners: false, renderer: 'default',
    });
    lists.push(list.run().catch(() => undefined));
  };
  const mark = (id: string, title: string): void => {
    const d = steps.get(id);
    if (d?.task) d.task.title = title;
    d?.resolve();
  };
  const listener: EventListener = (e: EngineEvent) => {
    const d = 'stepId' in e && e.stepId !== undefined ? steps.get(e.stepId) : undefined;
    switch (e.type) {
      case 'run.started':
        // a rehearsal's own milestones run as a second list beside the steps
        if (e.mode === 'rehearse') startList(MARKS.map((m) => m.id), (id) => MARKS.find((m) => m.id === id)?.title ?? id);
        startList(e.steps.map((s) => s.id), (id) => `${id} (${e.steps.find((s) => s.id === id)?.kind ?? ''})`);
        return;
      case 'fault.injected':
        mark('#fault', `fault injected (t0): ${e.describe}`);
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
  return { listener, done: async () => void (await Promise.all(lists)) };
}
