import { runProbeOnce } from '../probe/run-once.js';
import type { KindContext } from '../model/kind.js';
import type { Probe } from '../runbook/types.js';
import type { Clock } from '../util/clock.js';
import type { EventInput } from '../model/events.js';

export interface CheckOptions {
  readonly group: 'readiness' | 'steadyState';
  /** When in the run (a drill's steady state: 'before the drill', 'after the switch', 'after fail-back'). */
  readonly phase?: string;
  readonly clock: Clock;
  readonly emit: (e: EventInput) => Promise<void>;
  readonly interpolate: (value: unknown) => unknown;
  readonly makeContext: (name: string) => KindContext;
}

/** Run read-only probes in parallel; every result is recorded. Returns the names that failed. */
export async function runChecks(probes: readonly Probe[], o: CheckOptions): Promise<string[]> {
  const failed: string[] = [];
  await Promise.all(
    probes.map(async (probe) => {
      const t0 = o.clock.monotonic();
      let detail: string;
      let ok: boolean;
      try {
        const held = await runProbeOnce(probe, o.makeContext(probe.name), o.interpolate);
        ok = held.kind === 'ok';
        detail = ok ? 'holds' : held.detail;
      } catch (e) {
        ok = false;
        detail = (e as Error).message;
      }
      if (!ok) failed.push(probe.name);
      await o.emit({
        type: ok ? 'check.passed' : 'check.failed',
        group: o.group,
        name: probe.name,
        detail,
        durationMs: o.clock.monotonic() - t0,
        ...(o.phase === undefined ? {} : { phase: o.phase }),
      });
    }),
  );
  return failed;
}
