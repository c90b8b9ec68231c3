// 7. drctl assess of the lab against `drctl plan` of the same runbooks, on a private `drctl lab up`:
// - assess runbooks/lab (every scope of the topology: 15; every runbook × scenario observed once, all at
//   once) as cron runs it (a new process each time, the whole command);
// - its peer: `drctl plan` of each runbook of the catalog, one after the other (what an operator would run
//   to look at the same runbooks by hand), and the slowest single plan;
// - inspect (probes, plans and the assessment of the covered scopes, recorded).
// The goal: assessing the lab takes under 2 s. Runs interleave (assess, the plans, inspect, ...).
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DRCTL, ROOT, childEnv, fmtRatio, fmtStats, interleave, mustSucceed, ratio, stats, tempDir, timeSpawn, which } from './measure.js';

export const id = 'assess';
export const title = '7. drctl assess of the lab against plan of the same runbooks';

const NEEDED = ['redis-server', 'redis-sentinel', 'haproxy', 'named', 'mariadbd', 'nginx', 'etcd'];
const SBIN = ['/usr/sbin', '/sbin'];
const have = (b) => which(b) ?? SBIN.map((d) => path.join(d, b)).find((p) => existsSync(p));

/** runbooks/lab copied with every port rebased to the lab's base port (as the tests' private labs do). */
function rebasedBooks(dir, base) {
  const books = path.join(dir, 'runbooks');
  cpSync(path.join(ROOT, 'runbooks', 'lab'), books, { recursive: true });
  for (const f of readdirSync(books).filter((x) => x.endsWith('.yaml'))) {
    const file = path.join(books, f);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/\b271(\d\d)\b/g, (_, off) => String(base + Number(off))),
    );
  }
  return books;
}

export async function run({ quick, log }) {
  const skip = (why) => ({
    title,
    notes: [`skipped: ${why}`],
    goals: [{ goal: 'assessing the lab takes under 2 s', figure: 'not measured', met: undefined }],
  });
  const missing = NEEDED.filter((b) => !have(b));
  if (missing.length) return skip(`lab packages missing (${missing.join(', ')}): bin/install-lab-deps.sh installs them (as root).`);
  const dir = tempDir('drctl-bench-assess-');
  chmodSync(dir, 0o755);
  const { pickFreeBasePort } = await import(pathToFileURL(path.join(ROOT, 'dist', 'lab', 'ports.js')).href);
  const base = await pickFreeBasePort();
  const labDir = path.join(dir, 'lab');
  const env0 = childEnv({ CI: '1', NO_COLOR: '1', DRCTL_STATE: path.join(dir, 'state') });
  log(`drctl lab up --dir ${labDir} --base-port ${base}`);
  const up = await timeSpawn([...DRCTL, 'lab', 'up', '--dir', labDir, '--base-port', String(base)], {
    env: env0,
    logDir: dir,
    logName: 'lab-up',
    timeoutMs: 180_000,
  });
  if (up.code !== 0) {
    await timeSpawn([...DRCTL, 'lab', 'down', '--dir', labDir], { env: env0, logDir: dir, logName: 'lab-down', timeoutMs: 60_000 });
    return skip(`drctl lab up failed (exit ${up.code}): ${readFileSync(up.stderr, 'utf8').trim().split('\n').at(-1) ?? ''}`);
  }
  const env = { ...env0, DRCTL_LAB_MYSQL_PASSWORD: readFileSync(path.join(labDir, 'mariadb-password'), 'utf8').trim() };
  const books = rebasedBooks(dir, base);
  const catalog = ['city-cut.yaml', 'city-cut-mysql.yaml', 'zone-evacuation.yaml'].map((f) => path.join(books, f));
  const set = ['--set', `labDir=${labDir}`];
  const reps = quick ? 3 : 7;
  const internal = [];
  try {
    const samples = await interleave(
      [
        {
          name: 'assess',
          once: async (round) => {
            const r = mustSucceed(
              'drctl assess',
              await timeSpawn([...DRCTL, '--json', 'assess', books, ...set], { env, logDir: dir, logName: `assess-${round}` }),
              [0, 1],
            );
            const doc = JSON.parse(readFileSync(r.stdout, 'utf8')).result;
            if (round >= 0) internal.push(doc.durationMs);
            return { ms: r.ms, scopes: doc.scopes.length };
          },
        },
        {
          name: 'plans',
          once: async (round) => {
            let ms = 0;
            let slowest = 0;
            for (const book of catalog) {
              const r = mustSucceed(
                'drctl plan',
                await timeSpawn([...DRCTL, 'plan', book, '--set', `labDir=${labDir}`], {
                  env,
                  logDir: dir,
                  logName: `plan-${round}-${path.basename(book)}`,
                }),
                [0, 2],
              );
              ms += r.ms;
              slowest = Math.max(slowest, r.ms);
            }
            return { ms, slowest };
          },
        },
        {
          name: 'inspect',
          once: async (round) => {
            const r = mustSucceed(
              'drctl inspect',
              await timeSpawn([...DRCTL, 'inspect', books, ...set], { env, logDir: dir, logName: `inspect-${round}` }),
              [0, 1],
            );
            return { ms: r.ms };
          },
        },
      ],
      { reps, log },
    );
    const a = stats(samples.get('assess').map((s) => s.ms));
    const p = stats(samples.get('plans').map((s) => s.ms));
    const one = stats(samples.get('plans').map((s) => s.slowest));
    const i = stats(samples.get('inspect').map((s) => s.ms));
    const inner = stats(internal);
    return {
      title,
      intro: `A private \`drctl lab up\` (base port ${base}); the lab's catalog (${catalog.length} runbooks with scenarios, ${samples.get('assess')[0]?.scopes ?? '?'} scopes); every command a new process, as cron runs it; interleaved, ${reps} rounds after a warm-up.`,
      tables: [
        {
          caption: 'Medians (min–max):',
          columns: ['command', 'time', 'against', 'ratio'],
          rows: [
            [
              '`drctl assess runbooks/lab` (whole command)',
              fmtStats(a),
              '`drctl plan` of the 3 runbooks, one after the other',
              `${fmtStats(p)} → ${fmtRatio(ratio(a.median, p.median))}`,
            ],
            [
              "assess, its own work (the document's durationMs: catalog, observation, judging)",
              fmtStats(inner),
              'the slowest single `drctl plan`',
              `${fmtStats(one)} → ${fmtRatio(ratio(a.median, one.median))}`,
            ],
            [
              '`drctl inspect runbooks/lab` (probes, plans, assessment, recorded)',
              fmtStats(i),
              '`drctl assess`',
              fmtRatio(ratio(i.median, a.median)),
            ],
          ],
        },
      ],
      goals: [{ goal: 'assessing the lab takes under 2 s', figure: `median ${fmtStats(a)}`, met: a.median < 2000 }],
      notes: [],
    };
  } finally {
    await timeSpawn([...DRCTL, 'lab', 'down', '--dir', labDir], { env: env0, logDir: dir, logName: 'lab-down', timeoutMs: 120_000 });
  }
}
