import { isDeepStrictEqual } from 'node:util';
import type { Tolerance } from '../model/probe.js';
import { HOLDS, notYet, type Holds } from '../model/kind.js';
import { readJsonPath } from './json-path.js';

const show = (v: unknown): string => {
  const text = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'undefined');
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
};

/** Loose equality for values read from text protocols: 5 equals "5", true equals "true". */
function sameValue(actual: unknown, want: unknown): boolean {
  if (isDeepStrictEqual(actual, want)) return true;
  const scalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return scalar(actual) && scalar(want) && String(actual) === String(want);
}

/** Pure: does `value` (after expect.path) satisfy every test of the tolerance? */
export function checkTolerance(t: Tolerance | undefined, value: unknown, what = 'value'): Holds {
  if (!t) return HOLDS;
  const v = t.path === undefined ? value : readJsonPath(value, t.path);
  const label = t.path === undefined ? what : `${what} ${t.path}`;
  if (t.equals !== undefined && !sameValue(v, t.equals)) return notYet(`${label} is ${show(v)}, want ${show(t.equals)}`);
  if (t.in !== undefined && !t.in.some((x) => sameValue(v, x))) return notYet(`${label} is ${show(v)}, want one of ${show(t.in)}`);
  if (t.range !== undefined) {
    const held = checkRange(t.range, v, label);
    if (!held.ok) return held;
  }
  if (t.matches !== undefined && !new RegExp(t.matches).test(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))) {
    return notYet(`${label} is ${show(v)}, want /${t.matches}/`);
  }
  return HOLDS;
}

/** A numeric tolerance: `value` (a number, or text that reads as one: "3" from a command or a reply) within [lo, hi]. */
export function checkRange(range: readonly [number, number], v: unknown, label: string): Holds {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  const [lo, hi] = range;
  if (Number.isNaN(n)) return notYet(`${label} is ${show(v)}, want a number in [${lo}, ${hi}]`);
  if (n < lo || n > hi) return notYet(`${label} is ${n}, want [${lo}, ${hi}]`);
  return HOLDS;
}
