// Child process for the scale benchmark: validate one runbook in-process, several times, with drctl's
// own modules from dist/, and print {importMs, firstMs, warmMs[]} as JSON. The first call pays the
// schema compilation and plugin import; later ones show the validation itself.
// usage: node bench/inproc-validate.mjs RUNBOOK [REPS]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './measure.js';

const [file, repsArg] = process.argv.slice(2);
const reps = Number(repsArg ?? 3);
const dist = (p) => pathToFileURL(path.join(ROOT, 'dist', p)).href;
const t0 = performance.now();
const { validateRunbookFile } = await import(dist('runbook/validate.js'));
const { baseRegistry } = await import(dist('cli/load-runbook.js'));
const importMs = performance.now() - t0;
// the base kinds: a registry, or (since drctl loads kinds on demand) a function of the kind names
const first = baseRegistry();
const base = typeof first?.then === 'function' ? baseRegistry : first;
const times = [];
let steps = 0;
for (let i = 0; i < reps + 1; i++) {
  const t = performance.now();
  const v = await validateRunbookFile(file, base, { plugins: [] });
  times.push(performance.now() - t);
  steps = v.runbook?.steps.length ?? 0;
  if (!v.runbook) throw new Error(`invalid runbook: ${JSON.stringify(v.diagnostics.slice(0, 3))}`);
}
process.stdout.write(`${JSON.stringify({ importMs, firstMs: times[0], warmMs: times.slice(1), steps })}\n`);
