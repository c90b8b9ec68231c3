/** A linear map from wall-clock ms to SVG x. */
export interface TimeScale {
  readonly t0: number;
  readonly t1: number;
  x(t: number): number;
  /** Width in px of a duration. */
  w(ms: number): number;
}

export function timeScale(t0: number, t1: number, x0: number, x1: number): TimeScale {
  const span = Math.max(1, t1 - t0);
  const k = (x1 - x0) / span;
  return { t0, t1, x: (t) => x0 + (t - t0) * k, w: (ms) => Math.max(0, ms * k) };
}

const NICE = [
  1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
  3_600_000,
];

/** Tick step (ms) giving at most `max` ticks over `spanMs`. */
export function tickStep(spanMs: number, max = 12): number {
  for (const step of NICE) if (spanMs / step <= max) return step;
  return Math.ceil(spanMs / max / 3_600_000) * 3_600_000;
}

/** Tick label for an offset in ms: "0", "500ms", "1.5s", "2m". */
export function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  if (Math.abs(ms) < 1000) return `${ms}ms`;
  if (Math.abs(ms) < 60_000) return `${Number((ms / 1000).toFixed(2))}s`;
  return `${Number((ms / 60_000).toFixed(1))}m`;
}

/** Parse an ISO time; undefined when absent or invalid. */
export function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}
