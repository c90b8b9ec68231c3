const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * The longest delay a Node timer can wait: setTimeout/setInterval take a signed 32-bit number of ms
 * (about 24.8 days, 596h31m); anything above fires after 1 ms instead, with only a warning.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Parse "500ms", "30s", "1m30s", "2h". Returns undefined for anything else (including bare numbers). */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION_RE.test(trimmed)) return undefined;
  let total = 0;
  for (const m of trimmed.matchAll(PART_RE)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return Math.round(total);
}

export const DURATION_PATTERN = DURATION_RE.source;

export interface DurationRules {
  /** 0 is refused (a timeout or budget of nothing). */
  readonly positive?: boolean;
  /** Something drctl waits for with a timer: refused above MAX_TIMER_MS. */
  readonly timer?: boolean;
}

/**
 * What is wrong with a duration text, or undefined when it is fine. A text with `${...}` is judged
 * at run time. One wording for every duration drctl reads (runbook fields and kinds' params).
 */
export function durationProblem(text: string, rules: DurationRules = {}): string | undefined {
  if (text.includes('${')) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) return `bad duration "${text}": use e.g. 500ms, 30s, 1m30s`;
  if (rules.positive && ms <= 0) return `duration "${text}" must be more than 0 (e.g. 500ms, 30s)`;
  if (rules.timer && ms > MAX_TIMER_MS)
    return `duration "${text}" is too long: at most ${formatDuration(MAX_TIMER_MS)} (the longest a timer can wait)`;
  return undefined;
}

/** A delay safe to hand to setTimeout: never negative, never above MAX_TIMER_MS (which would fire at once). */
export function timerDelay(ms: number): number {
  if (!Number.isFinite(ms)) return ms > 0 ? MAX_TIMER_MS : 0;
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}

/**
 * 1234 → "1.23s", 12_345 → "12.3s", 65_000 → "1m5s", 12 → "12ms", 7_200_000 → "2h0m". The value is
 * rounded to the precision shown before the unit is chosen, so a rounding never reads as an impossible
 * value: 999.6 → "1.00s" (not "1000ms"), 59_999 → "1m0s" (not "60.0s"), 119_600 → "2m0s" (not "1m60s").
 */
export function formatDuration(ms: number): string {
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole}ms`;
  const hundredths = Math.round(ms / 10);
  if (hundredths < 1000) return `${(hundredths / 100).toFixed(2)}s`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
