import { DefaultRenderer, ListrTaskState, type ListrTask, type ListrTaskWrapper, type SimpleRenderer } from 'listr2';

export type TaskWrapper = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;
export type Task = ListrTask<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

/**
 * listr2 redraws the whole list on every title or output change; a run of many quick steps changes
 * them thousands of times a second and the redraws (wrapping every line) starve the engine. This
 * renderer redraws at most every FRAME_MS (the last change always shows).
 */
export const FRAME_MS = 100;
export class ThrottledRenderer extends DefaultRenderer {
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
 * One line of the live view driven by engine events only (listr2 owns no behaviour). It shows as
 * waiting (◼, no spinner) until its event says it started, then spins until it settles: a step whose
 * needs are not done, or an undo queued behind another, does not pretend to be running.
 */
export class EventTask {
  #wrapper: TaskWrapper | undefined;
  #started = false;
  #settled = false;
  #resolve: (skip?: string) => void = () => undefined;
  #reject: (e: Error) => void = () => undefined;
  #title: string;
  readonly base: string;
  readonly task: Task;

  constructor(title: string, options: { readonly persistentOutput?: boolean } = {}) {
    this.base = title;
    this.#title = title;
    const settled = new Promise<string | undefined>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    settled.catch(() => undefined);
    this.task = {
      title,
      ...(options.persistentOutput ? { rendererOptions: { persistentOutput: true, outputBar: Infinity } } : {}),
      task: async (_ctx, wrapper) => {
        this.#wrapper = wrapper;
        wrapper.title = this.#title;
        // listr starts every task of a concurrent list at once: back to waiting until our event says so
        if (!this.#started) wrapper.task.state$ = ListrTaskState.WAITING;
        const skip = await settled;
        if (skip !== undefined) wrapper.skip(`${this.#title}: ${skip}`);
      },
    };
  }

  get settled(): boolean {
    return this.#settled;
  }

  set title(text: string) {
    this.#title = text;
    if (this.#wrapper) this.#wrapper.title = text;
  }

  get title(): string {
    return this.#title;
  }

  set output(text: string) {
    if (this.#wrapper) this.#wrapper.output = text;
  }

  /** Its event came: it spins now. */
  start(): void {
    this.#started = true;
    if (this.#wrapper && this.#wrapper.task.state === ListrTaskState.WAITING) this.#wrapper.task.state$ = ListrTaskState.STARTED;
  }

  /** Done (✔); with a reason: skipped (↓ title: reason). */
  done(skip?: string): void {
    if (this.#settled) return;
    this.#settled = true;
    if (skip === undefined) this.start();
    this.#resolve(skip);
  }

  fail(message: string): void {
    if (this.#settled) return;
    this.#settled = true;
    this.start();
    this.#reject(new Error(message));
  }
}
