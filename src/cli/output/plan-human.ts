import type { Plan } from '../../plan/types.js';
import { PLAN_GLYPHS } from '../../plan/types.js';
import { formatDuration } from '../../util/duration.js';
import { lostLine } from './event-line.js';
import { renderStepDiff } from './plan-diff.js';
import type { Style } from './style.js';

/** The human plan, rendered from the same Plan value that --json prints. */
export function renderPlan(
  plan: Plan,
  st: Style,
  options: { readonly diff?: boolean; readonly lost?: readonly string[] | undefined } = {},
): string {
  const lines: string[] = [
    `Plan for ${st.bold(plan.runbook.name)} (${plan.runbook.file})`,
    ...(options.lost?.length ? [lostLine(options.lost)] : []),
    '',
  ];
  const width = Math.max(...plan.steps.map((s) => s.id.length));
  for (const s of plan.steps) {
    const glyph = PLAN_GLYPHS[s.action];
    const colored =
      s.action === 'change'
        ? st.green(glyph)
        : s.action === 'noop'
          ? st.dim(glyph)
          : s.action === 'gate'
            ? st.yellow(glyph)
            : st.red(glyph);
    const what =
      s.action === 'unknown'
        ? `${s.describe}: ${s.error ?? ''}`
        : s.action === 'noop'
          ? `${s.describe} ${st.dim(`(${s.reason ?? 'already done'})`)}`
          : s.describe;
    lines.push(`  ${colored} ${s.id.padEnd(width)}  ${st.dim(s.kind.padEnd(16))} ${what}`);
    if (options.diff) lines.push(...renderStepDiff(s, st, `  ${' '.repeat(width + 4)}`));
  }
  lines.push('', 'Layers (steps in one layer run in parallel):');
  plan.layers.forEach((layer, i) => lines.push(`  ${i + 1}. ${layer.join(', ')}`));
  const cp = plan.criticalPath;
  lines.push('', `Critical path: ${cp.steps.join(' → ')}${cp.predictedMs === undefined ? '' : ` (${formatDuration(cp.predictedMs)})`}`);
  lines.push(
    plan.predictedMs === undefined
      ? 'Predicted duration: no earlier runs to predict from'
      : `Predicted duration: ${formatDuration(plan.predictedMs)} (median of ${plan.historyRuns} earlier run(s))`,
  );
  if (plan.budgetMs !== undefined) lines.push(`Budget: ${formatDuration(plan.budgetMs)}`);
  const c = plan.counts;
  lines.push('', `${c.change} to change, ${c.noop} already done, ${c.gate} approval gate(s), ${c.unknown} could not be observed.`);
  return lines.join('\n');
}
