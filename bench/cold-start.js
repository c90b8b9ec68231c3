// 3. Cold start: `drctl --version` and `drctl validate` of a 200-step runbook, against bare `node -e 0`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { realisticRunbook } from './gen.js';
import { DRCTL, fmtMs, fmtRatio, fmtStats, interleave, mustSucceed, ratio, stats, tempDir, timeSpawn } from './measure.js';

export const id = 'cold';
export const title = '3. Cold start';

const STEPS = 200;

export async function run({ quick, log }) {
  const dir = tempDir('drctl-bench-cold-');
  const file = path.join(dir, 'runbook-200.yaml');
  writeFileSync(file, realisticRunbook({ n: STEPS }));
  const reps = quick ? 7 : 15;
  const spawnOnce = (name, argv) => async () =>
    mustSucceed(name, await timeSpawn(argv, { logDir: dir, logName: name.replace(/\W+/g, '-') }));
  const contenders = [
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { name: 'drctl --version', argv: [...DRCTL, '--version'] },
    { name: `drctl validate (${STEPS} steps)`, argv: [...DRCTL, 'validate', file] },
  ];
  log(`${contenders.map((c) => c.name).join(', ')}: ${reps} repetitions`);
  const samples = await interleave(
    contenders.map((c) => ({ name: c.name, once: spawnOnce(c.name, c.argv) })),
    { reps, warmup: 2, log },
  );
  const st = new Map(contenders.map((c) => [c.name, stats(samples.get(c.name).map((s) => s.ms))]));
  const node = st.get('node -e 0');
  const rows = contenders.map((c) => {
    const s = st.get(c.name);
    return [
      `\`${c.name}\``,
      fmtStats(s),
      fmtRatio(ratio(s.median, node.median)),
      c === contenders[0] ? '–' : fmtMs(s.median - node.median),
    ];
  });
  const version = st.get('drctl --version');
  const validate = st.get(`drctl validate (${STEPS} steps)`);
  const rv = ratio(version.median, node.median);
  const rval = ratio(validate.median, node.median);
  return {
    title,
    intro: `Wall time of a whole process, from spawn to exit (the ${STEPS}-step runbook: exec steps with observe/apply/rollback, params, budgets and needs).`,
    tables: [{ columns: ['command', 'wall time', '÷ node -e 0', 'above node'], rows }],
    goals: [
      {
        goal: 'cold start within 3× of bare Node: --version',
        figure: `${fmtMs(version.median)} / ${fmtMs(node.median)} = ${fmtRatio(rv)}`,
        met: rv <= 3,
      },
      {
        goal: `cold start within 3× of bare Node: validate ${STEPS} steps`,
        figure: `${fmtMs(validate.median)} / ${fmtMs(node.median)} = ${fmtRatio(rval)}`,
        met: rval <= 3,
      },
    ],
    notes: [],
  };
}
