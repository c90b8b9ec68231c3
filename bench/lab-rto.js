// 5. The lab city cut: the rehearsal's RTO broken down into detection, each stage and drctl's own share
// (time when no step was inside observe/apply/verify, i.e. not waiting on a server), against the floor of
// the components. SKELETON: it needs `drctl lab up` and a `drctl rehearse` command; until both exist it
// skips with a note. The breakdown is computed from the documented NDJSON events (step.phase, step.timing,
// run.finished), which `rehearse --json` is expected to print like `run --json`.
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DRCTL, ROOT, childEnv, fmtMs, fmtRatio, fmtStats, mustSucceed, ratio, stats, tempDir, timeSpawn } from './measure.js';

export const id = 'lab';
export const title = '5. Lab city cut: RTO breakdown';

const RUNBOOK = path.join(ROOT, 'runbooks', 'lab', 'city-cut.yaml');
// Floors measured by hand on this kind of machine (shared/lab.md, "Reference figures"): used until the
// benchmark measures each component directly (TODO below).
const REFERENCE_FLOORS = [
  ['Sentinel detection + election (down-after 1000 ms)', 3000],
  ['PostgreSQL promote (pg_promote(true))', 140],
  ['HAProxy runtime switch (traffic moved)', 2.5],
];

/** Is COMMAND (and SUB) listed by drctl's own help? (Commander prints the main help for unknown ones.) */
async function hasCommand(dir, command, sub) {
  const r = await timeSpawn([...DRCTL, ...(sub ? [command] : []), '--help'], { logDir: dir, logName: `help-${command}` });
  const listed = new RegExp(`^\\s+${sub ?? command}\\b`, 'm');
  return r.code === 0 && listed.test(readFileSync(r.stdout, 'utf8'));
}

/** Union length of [start, end] intervals (ms). */
function unionMs(intervals) {
  const a = [...intervals].sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cur;
  for (const [s, e] of a) {
    if (!cur || s > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [s, e];
    } else cur[1] = Math.max(cur[1], e);
  }
  return cur ? total + cur[1] - cur[0] : 0;
}

/** RTO breakdown of one run from its NDJSON events. */
export function breakdown(events) {
  const at = (e) => Date.parse(e.at);
  const started = events.find((e) => e.type === 'run.started');
  const finished = events.find((e) => e.type === 'run.finished');
  if (!started || !finished) throw new Error('no run.started/run.finished in the output');
  const rto = finished.durationMs ?? at(finished) - at(started);
  const steps = new Map();
  for (const e of events) if (e.type === 'step.timing') steps.set(e.stepId, e.timing.durationMs);
  // a phase event is sent when the phase ends: [at - durationMs, at]
  const busy = unionMs(events.filter((e) => e.type === 'step.phase').map((e) => [at(e) - e.durationMs, at(e)]));
  return { rto, steps, serverMs: busy, drctlMs: Math.max(0, rto - busy) };
}

export async function run({ quick, log }) {
  const dir = tempDir('drctl-bench-lab-');
  const skip = (why) => ({ title, tables: [], goals: [{ goal: "drctl's own share of the lab switch under 10%", figure: 'not measured', met: null }], notes: [`SKIPPED: ${why}`] });
  if (!(await hasCommand(dir, 'lab', 'up'))) return skip('`drctl lab` is not available in this build.');
  if (!(await hasCommand(dir, 'rehearse'))) return skip('`drctl rehearse` does not exist yet: the RTO breakdown (detection, each stage, drctl\'s own share) is a skeleton until it does (bench/lab-rto.js).');
  if (process.getuid?.() !== 0) return skip('the lab needs root (PostgreSQL runs as the postgres user).');

  chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user: it must reach the lab folder
  const labDir = path.join(dir, 'lab');
  const env = childEnv({ CI: '1', NO_COLOR: '1', DRCTL_LAB_DIR: labDir });
  log(`drctl lab up --dir ${labDir}`);
  const up = await timeSpawn([...DRCTL, 'lab', 'up', '--dir', labDir], { env, logDir: dir, logName: 'lab-up', timeoutMs: 120_000 });
  if (up.code !== 0) return skip(`drctl lab up failed (exit ${up.code}; another lab running, or its packages missing: bin/install-lab-deps.sh): ${readFileSync(up.stderr, 'utf8').trim().split('\n').at(-1) ?? ''}`);
  const reps = quick ? 1 : 3;
  const samples = [];
  try {
    for (let i = 0; i < reps; i++) {
      // TODO(rehearse): adjust flags to the command once it lands (the cut, the detection wait).
      const r = mustSucceed('drctl rehearse', await timeSpawn([...DRCTL, '--json', 'rehearse', RUNBOOK, '--yes', '--state', path.join(dir, `state-${i}`), '--set', `labDir=${labDir}`],
        { env, logDir: dir, logName: `rehearse-${i}`, timeoutMs: 180_000 }));
      const events = readFileSync(r.stdout, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      samples.push({ ms: r.ms, ...breakdown(events) });
      log(`  rehearse #${i + 1}: RTO ${fmtMs(samples.at(-1).rto)}`);
    }
  } finally {
    await timeSpawn([...DRCTL, 'lab', 'down', '--dir', labDir], { env, logDir: dir, logName: 'lab-down', timeoutMs: 60_000 });
  }
  const rto = stats(samples.map((s) => s.rto));
  const own = stats(samples.map((s) => s.drctlMs));
  const share = ratio(own.median, rto.median);
  const stepIds = [...samples[0].steps.keys()];
  const rows = [
    ['RTO (run.started → run.finished)', fmtStats(rto), '100%'],
    ...stepIds.map((sid) => [`  stage ${sid}`, fmtStats(stats(samples.map((s) => s.steps.get(sid) ?? NaN))), '']),
    ['  waiting on servers (union of observe/apply/verify)', fmtStats(stats(samples.map((s) => s.serverMs))), `${(100 * ratio(stats(samples.map((s) => s.serverMs)).median, rto.median)).toFixed(0)}%`],
    ["  drctl's own share (the rest)", fmtStats(own), `${(100 * share).toFixed(1)}%`],
  ];
  const floorRows = REFERENCE_FLOORS.map(([what, ms]) => [`${what} (reference, shared/lab.md)`, fmtMs(ms), fmtRatio(ratio(rto.median, ms))]);
  return {
    title,
    intro: `\`drctl rehearse ${path.relative(ROOT, RUNBOOK)}\` on \`drctl lab up\` (real servers on loopback), ${reps} repetition(s).`,
    tables: [
      { caption: 'RTO breakdown:', columns: ['part', 'time', 'share'], rows },
      { caption: 'Floors of the components (TODO: measure each directly in this run: Sentinel detection and election, promote, LB, DNS):', columns: ['component', 'time', 'RTO ÷ this'], rows: floorRows },
    ],
    goals: [{ goal: "drctl's own share of the lab switch under 10%", figure: `${fmtMs(own.median)} of ${fmtMs(rto.median)} = ${(100 * share).toFixed(1)}%`, met: share < 0.1 }],
    notes: ['detection (Sentinel noticing the cut) is not yet split out: it needs the rehearse command to report when the cut happened.'],
  };
}
