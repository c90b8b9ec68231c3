import type { RunMeta } from '../model/records.js';
import { median } from '../util/stats.js';

/** Median duration per step over earlier runs where the step applied (and maybe was failed back since) (pure). */
export function predictStepDurations(history: readonly RunMeta[]): Map<string, number> {
  const samples = new Map<string, number[]>();
  for (const run of history) {
    for (const [id, s] of Object.entries(run.summary?.steps ?? {})) {
      // already-as-before: its undo found nothing to undo; it applied in the forward half only if it took time
      const ran = s.status === 'applied' || s.status === 'rolled-back' || (s.status === 'already-as-before' && s.durationMs > 0);
      if (!ran) continue;
      const list = samples.get(id) ?? [];
      list.push(s.durationMs);
      samples.set(id, list);
    }
  }
  return new Map([...samples].map(([id, xs]) => [id, median(xs) ?? 0]));
}
