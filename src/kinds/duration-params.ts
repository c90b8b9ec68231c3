import type { ParamProblem } from '../model/kind.js';
import { parseDuration } from '../util/duration.js';

/** A problem for each duration param that is given, not a `${…}` template, and does not parse. */
export function badDurations(entries: readonly (readonly [string, string | undefined])[]): ParamProblem[] {
  return entries
    .filter(([, v]) => v !== undefined && !v.includes('${') && parseDuration(v) === undefined)
    .map(([key, v]) => ({ path: [key], message: `bad duration "${v}"` }));
}
