// Reporting: markdown tables (readable in a terminal too), the machine and command of a run, and
// bench/RESULTS.md, to which every run appends its figures (newest last).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, ROOT } from './measure.js';

export const RESULTS_FILE = process.env.BENCH_RESULTS ?? path.join(BENCH_DIR, 'RESULTS.md');

export function machineInfo() {
  const cpus = os.cpus();
  return {
    nproc: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpu: cpus[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

function gitRevision() {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (rev.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
  return `${rev.stdout.trim()}${dirty.stdout.trim() ? ' + uncommitted changes' : ''}`;
}

/** The exact command that produced this run, with the BENCH_* variables that shaped it. */
export function commandLine() {
  const vars = Object.entries(process.env)
    .filter(([k]) => /^BENCH_/.test(k) && k !== 'BENCH_RSS_FILE')
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  const cmd =
    process.env.npm_lifecycle_event === 'bench'
      ? 'npm run bench'
      : `node ${path.relative(ROOT, process.argv[1] ?? 'bench/run.js')}${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  return [...vars, cmd].join(' ');
}

export function runHeader(startedAt) {
  const m = machineInfo();
  return [
    `## Run of ${startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    '',
    `- command: \`${commandLine()}\` (in ${ROOT === process.cwd() ? 'the repository root' : ROOT})`,
    `- machine: ${m.nproc} CPUs (nproc), ${m.cpu}, ${m.memGiB} GiB, ${m.os}; Node ${m.node}; load average at start ${m.load}`,
    `- drctl: ${gitRevision()}`,
    "- figures: medians over interleaved repetitions (min–max, n); ratios are medians divided by the peer's median of the same run",
    '',
  ].join('\n');
}

/** A markdown table with padded columns. rows: arrays of cells (strings). */
export function renderTable(columns, rows) {
  const cells = [columns, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const width = columns.map((_, i) => Math.max(3, ...cells.map((r) => [...(r[i] ?? '')].length)));
  const line = (r) => `| ${r.map((c, i) => c + ' '.repeat(width[i] - [...c].length)).join(' | ')} |`;
  return [line(cells[0]), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

const verdict = (met) => (met === true ? 'met' : met === false ? '**MISSED**' : 'not measured');

/**
 * section: { title, intro?, tables: [{ caption?, columns, rows }], notes: [string], goals: [{ goal, figure, met }] }
 */
export function renderSection(s) {
  const out = [`### ${s.title}`, ''];
  if (s.intro) out.push(s.intro, '');
  for (const t of s.tables ?? []) {
    if (t.caption) out.push(t.caption, '');
    out.push(renderTable(t.columns, t.rows), '');
  }
  if (s.goals?.length) {
    out.push(...s.goals.map((g) => `- goal: ${g.goal} — ${g.figure}: ${verdict(g.met)}`), '');
  }
  if (s.notes?.length) out.push(...s.notes.map((n) => `- note: ${n}`), '');
  return out.join('\n');
}

export function renderGoals(sections) {
  const goals = sections.flatMap((s) => (s.goals ?? []).map((g) => [g.goal, g.figure, verdict(g.met)]));
  if (goals.length === 0) return '';
  return ['### Goals', '', renderTable(['goal', 'figure', 'verdict'], goals), ''].join('\n');
}

export function appendResults(text) {
  if (!existsSync(RESULTS_FILE)) {
    writeFileSync(
      RESULTS_FILE,
      [
        '# drctl benchmark results',
        '',
        'Written by `npm run bench` (bench/run.js); every run appends its figures below, newest last.',
        'See bench/README.md for what each benchmark measures and how.',
        '',
      ].join('\n'),
    );
  }
  appendFileSync(RESULTS_FILE, text.endsWith('\n') ? text : `${text}\n`);
}
