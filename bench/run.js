// `npm run bench` (= npm run build && node bench/run.js): drctl's cost against its peers and against
// the physical floor, measured side by side in one run, printed and appended to bench/RESULTS.md.
//
//   BENCH_QUICK=1        a fast subset (fewer repetitions, smaller scale, no Ansible): about a minute
//   BENCH_ONLY=dag,cold  only these benchmarks (ids: dag, scale, cold, rules, lab, stores, mysql-nginx, assess, link, lab-link)
//   BENCH_RESULTS=FILE   append to FILE instead of bench/RESULTS.md (BENCH_RESULTS=/dev/null: nowhere)
//   BENCH_KEEP=1         keep the temporary folders (runbooks, logs, state) for a look
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, cleanupTemp } from './measure.js';
import { RESULTS_FILE, appendResults, renderGoals, renderSection, runHeader } from './report.js';

const MODULES = [
  ['dag', './dag.js'],
  ['scale', './scale.js'],
  ['cold', './cold-start.js'],
  ['rules', './rules-flip.js'],
  ['lab', './lab-rto.js'],
  ['stores', './stores.js'],
  ['mysql-nginx', './mysql-nginx.js'],
  ['assess', './assess.js'],
  ['link', './link-cut.js'],
  ['lab-link', './lab-link.js'],
];

const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const log = (line) => process.stderr.write(`${line}\n`);

if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  log('bench: dist/ is missing: run `npm run build` first (or `npm run bench`, which builds).');
  process.exit(1);
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    cleanupTemp();
    process.exit(130);
  });
}

const t0 = performance.now();
const header = runHeader(new Date());
process.stdout.write(`${header}\n`);
appendResults(`\n${header}`);
const sections = [];
for (const [id, spec] of MODULES) {
  if (only && !only.has(id)) continue;
  const mod = await import(spec);
  log(`\n== ${mod.title}${quick ? ' (BENCH_QUICK)' : ''}`);
  const started = performance.now();
  let section;
  try {
    section = await mod.run({ quick, log });
  } catch (e) {
    log(e?.stack ?? String(e));
    section = {
      title: mod.title,
      notes: [`FAILED: ${String(e?.message ?? e).split('\n')[0]} (see the console output of the run)`],
      goals: [],
    };
  }
  section.notes = [...(section.notes ?? []), `this benchmark took ${((performance.now() - started) / 1000).toFixed(0)} s.`];
  sections.push(section);
  const text = renderSection(section);
  process.stdout.write(`\n${text}`);
  appendResults(`\n${text}`);
}
const goals = renderGoals(sections);
const footer = `${goals}\nWhole run: ${((performance.now() - t0) / 1000).toFixed(0)} s.\n`;
process.stdout.write(`\n${footer}`);
appendResults(`\n${footer}`);
cleanupTemp();
log(`\nappended to ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);
