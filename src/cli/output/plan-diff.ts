import { stateDiff } from '../../plan/diff.js';
import type { PlannedStep } from '../../plan/types.js';
import type { Style } from './style.js';

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? '(none)' : JSON.stringify(v));

/** A step's change as diff lines under its plan line: `~ master: "a:1" → "b:2"`, unchanged fields counted, not shown. */
export function renderStepDiff(s: PlannedStep, st: Style, indent: string): string[] {
  if (s.action !== 'change' && s.action !== 'gate') return [];
  const lines = stateDiff(s.before, s.desired);
  const shown = lines.filter((l) => l.op !== ' ');
  const out = shown.map((l) => {
    const path = l.path === '' ? '(value)' : l.path;
    if (l.op === '~') return `${indent}${st.yellow('~')} ${path}: ${st.red(show(l.before))} → ${st.green(show(l.after))}`;
    if (l.op === '+') return `${indent}${st.green('+')} ${path}: ${st.green(show(l.after))}`;
    return `${indent}${st.red('-')} ${path}: ${st.red(show(l.before))}`;
  });
  const unchanged = lines.length - shown.length;
  if (unchanged > 0) out.push(`${indent}${st.dim(`(${unchanged} unchanged field${unchanged === 1 ? '' : 's'} hidden)`)}`);
  if (out.length === 0) out.push(`${indent}${st.dim('(no observable difference: the kind reports only its action)')}`);
  return out;
}
