// Shared measuring helpers: spawn-and-time, peak RSS, interleaved repetitions, medians and ratios.
// Machines are shared and noisy: every figure is a median over repetitions, every comparison a ratio
// against a peer measured in the same run, with repetitions interleaved (A B C A B C ...), so a burst
// of noise hits every contender alike.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.dirname(BENCH_DIR);
/** argv prefix that runs the built CLI. */
export const DRCTL = [process.execPath, path.join(ROOT, 'bin', 'drctl.js')];

// ---------------------------------------------------------------- statistics

export function median(xs) {
  const a = [...xs].sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** { n, median, min, max } of a list of numbers. */
export function stats(xs) {
  return { n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** a / b, or NaN when either is missing. */
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);

// ---------------------------------------------------------------- environment

/** Absolute path of a program on PATH, or undefined. */
export function which(bin) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    if (existsSync(p)) return p;
  }
  return undefined;
}

let gnuTime;
/** /usr/bin/time when it is GNU time (which knows -f %M), else undefined. */
export function gnuTimePath() {
  if (gnuTime !== undefined) return gnuTime || undefined;
  const r = existsSync('/usr/bin/time') ? spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }) : undefined;
  gnuTime = r && r.status === 0 && /^\d+\s*$/m.test(r.stderr) ? '/usr/bin/time' : '';
  return gnuTime || undefined;
}

/** A fresh temporary folder, removed by cleanupTemp() at the end of the run. */
const temps = [];
export function tempDir(prefix = 'drctl-bench-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
export function cleanupTemp() {
  if (process.env.BENCH_KEEP === '1') return;
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Environment for a child: the bench's own, plus/minus the given variables (undefined = unset). */
export function childEnv(changes = {}) {
  const env = { ...process.env };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

// ---------------------------------------------------------------- timing one process

/**
 * Spawn argv, wait for it to exit, return { ms, code, signal, timedOut, rssKb }.
 * - wall time is from spawn to exit, measured here (so every contender pays the same spawn cost);
 * - output goes to files in `logDir` (cheap, like a CI log; kept for a look when something fails);
 * - `rss: true` wraps the command in GNU time for its peak RSS (KiB), or for a node command without
 *   GNU time, preloads bench/rss-probe.mjs that reports process.resourceUsage().maxRSS at exit;
 * - `timeoutMs` ends the whole process group (SIGTERM, SIGKILL 2 s later; the child runs detached).
 */
export function timeSpawn(argv, { env = process.env, cwd = ROOT, logDir, logName = 'out', timeoutMs, rss = false } = {}) {
  let cmd = [...argv];
  let rssFile;
  if (rss) {
    rssFile = path.join(logDir ?? tempDir(), `${logName}.rss`);
    const gt = gnuTimePath();
    if (gt) cmd = [gt, '-f', '%M', '-o', rssFile, ...cmd];
    else if (cmd[0] === process.execPath) cmd = [cmd[0], '--import', path.join(BENCH_DIR, 'rss-probe.mjs'), ...cmd.slice(1)];
    else rssFile = undefined;
    if (rssFile) env = { ...env, BENCH_RSS_FILE: rssFile };
  }
  const dir = logDir ?? tempDir();
  const out = openSync(path.join(dir, `${logName}.stdout`), 'w');
  const err = openSync(path.join(dir, `${logName}.stderr`), 'w');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd[0], cmd.slice(1), { cwd, env, stdio: ['ignore', out, err], detached: true });
    let timedOut = false;
    const killGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    let hard;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup('SIGTERM');
            hard = setTimeout(() => killGroup('SIGKILL'), 2000);
          }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      closeSync(out);
      closeSync(err);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      clearTimeout(hard);
      closeSync(out);
      closeSync(err);
      let rssKb;
      if (rssFile && existsSync(rssFile)) {
        const m = /(\d+)\s*$/.exec(readFileSync(rssFile, 'utf8').trim());
        if (m) rssKb = Number(m[1]);
      }
      resolve({
        ms,
        code,
        signal,
        timedOut,
        rssKb,
        stdout: path.join(dir, `${logName}.stdout`),
        stderr: path.join(dir, `${logName}.stderr`),
      });
    });
  });
}

/** Last lines of a file (for error messages). */
export function tailOf(file, lines = 8) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Fail loudly when a measured command did not do its job: a fast failure is not a fast success. */
export function mustSucceed(name, r, okCodes = [0]) {
  if (r.timedOut || !okCodes.includes(r.code)) {
    const why = r.timedOut ? 'timed out' : `exited with ${r.code ?? r.signal}`;
    throw new Error(`${name} ${why}:\n${tailOf(r.stderr)}\n${tailOf(r.stdout)}`);
  }
  return r;
}

// ---------------------------------------------------------------- repetitions

/**
 * Run contenders interleaved: `warmup` untimed rounds, then rounds of one run each (the order rotates
 * every round). A contender with fewer `reps` drops out of later rounds (slow peers).
 * contender: { name, reps, warmup?, once: async (round) => sample } where sample has at least { ms }.
 * Returns Map name → samples[].
 */
export async function interleave(contenders, { reps, warmup = 1, log = () => {} }) {
  const samples = new Map(contenders.map((c) => [c.name, []]));
  for (let w = 0; w < warmup; w++) {
    for (const c of contenders) if ((c.warmup ?? 1) > w) await c.once(-1 - w);
  }
  const rounds = Math.max(...contenders.map((c) => c.reps ?? reps));
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
    for (const c of order) {
      if (round >= (c.reps ?? reps)) continue;
      const s = await c.once(round);
      samples.get(c.name).push(s);
      log(`  ${c.name} #${round + 1}: ${fmtMs(s.ms)}`);
    }
  }
  return samples;
}

// ---------------------------------------------------------------- formatting

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtRatio(r) {
  if (!Number.isFinite(r)) return 'n/a';
  return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

export const fmtMiB = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MiB` : 'n/a');

/** "median (min–max, n=5)" */
export function fmtStats(st, f = fmtMs) {
  if (!st || st.n === 0) return 'n/a';
  return st.n === 1 ? `${f(st.median)} (n=1)` : `${f(st.median)} (${f(st.min)}–${f(st.max)}, n=${st.n})`;
}
