import type { KindContext } from '../../src/model/kind.js';
import { realClock } from '../../src/util/clock.js';
import { runCommand } from '../../src/infra/exec.js';
import { nullLogger } from '../../src/util/logger.js';

export interface TestKindContext extends KindContext {
  /** Facts the kind recorded with note(). */
  readonly notes: Record<string, unknown>;
  /** Everything the kind reported with progress(). */
  readonly progressLog: string[];
}

export interface KindContextOptions {
  /** The step timeout: the context's signal aborts after it (default 30 s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly baseDir?: string;
  readonly stepId?: string;
  /** Called with each progress line as the kind reports it (a test acts at that point of the step). */
  readonly onProgress?: (message: string) => void;
  /** ctx.lost: the data centers the run knows are lost (default none). */
  readonly lost?: readonly string[];
}

/** A real KindContext (real clock, real commands through runCommand), as the engine builds it. */
export function makeKindContext(options: KindContextOptions = {}): TestKindContext {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const endsAt = performance.now() + (options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const notes: Record<string, unknown> = {};
  const progressLog: string[] = [];
  return {
    runId: 'test-run',
    stepId: options.stepId ?? 'test-step',
    baseDir: options.baseDir ?? process.cwd(),
    signal,
    clock: realClock,
    lost: options.lost ?? [],
    log: nullLogger,
    exec: (argv, opts) => runCommand(argv, { ...opts, signal }),
    progress: (m) => {
      progressLog.push(m);
      options.onProgress?.(m);
    },
    note: (k, v) => void (notes[k] = v),
    approve: () => Promise.resolve(false),
    remainingMs: () => Math.max(0, endsAt - performance.now()),
    notes,
    progressLog,
  };
}
