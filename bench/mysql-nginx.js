// 6. The MySQL/MariaDB and Nginx switch kinds against their floors, on a private `drctl lab up`:
// - mysql.primary: `drctl run` of a one-step runbook switching the lab's MariaDB primary hz-a → sh-a and
//   back (each run a real switch), its step time and phases (from `drctl report RUN_ID --format json`)
//   and the time writes were refused (the step's writesBlockedMs note); the floor: the same SQL statements
//   alone on connections opened beforehand (mysql2, one per server: fence, read the GTID position, wait,
//   stop/reset replication, read_only off, then re-point the old primary).
// - nginx.upstream: `drctl run` of a one-step runbook moving the upstream from hz-a to sh-a and back, its
//   step time and phases; the floors: one `nginx -s reload` (the command alone), `nginx -t`, and a hand
//   rewrite of the include file + reload until new connections land on the new server.
// Runs interleave: a drctl switch, a floor, a drctl switch back, a floor back...
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DRCTL, ROOT, childEnv, fmtMs, fmtRatio, fmtStats, mustSucceed, ratio, stats, tempDir, timeSpawn, which } from './measure.js';

export const id = 'mysql-nginx';
export const title = '6. MySQL/MariaDB and Nginx switch kinds against their floors';

const NEEDED = ['mariadbd', 'mariadb-install-db', 'nginx', 'redis-server', 'haproxy', 'named'];
const SBIN = ['/usr/sbin', '/sbin'];
const have = (b) => which(b) ?? SBIN.map((d) => path.join(d, b)).find((p) => existsSync(p));

function mysqlBook(dir, base, to, from) {
  const member = (name, dc, off) =>
    `          - { name: ${name}, dc: ${dc}, host: 127.0.0.1, port: ${base + off}, user: drctl, password: "\${secret.DRCTL_LAB_MYSQL_PASSWORD}" }`;
  const file = path.join(dir, `mysql-to-${to}.yaml`);
  writeFileSync(
    file,
    `apiVersion: drctl/v1
kind: Runbook
metadata: { name: bench-mysql-to-${to} }
spec:
  defaults: { timeout: 20s, retries: 0 }
  steps:
    - id: db
      kind: mysql.primary
      with:
        expectDcs: [${to}]
        promote: mariadb-${to}
        expectedPrimary: mariadb-${from}
        connectTimeout: 1s
        replication: { user: repl, password: "\${secret.DRCTL_LAB_MYSQL_PASSWORD}", connectRetry: 1 }
        members:
${member('mariadb-hz-a', 'hz-a', 32)}
${member('mariadb-sh-a', 'sh-a', 33)}
`,
  );
  return file;
}

/** The data centers each side of the Nginx switch serves from (the lab starts with hz-a and hz-b up). */
const SIDES = { 'sh-a': ['sh-a'], 'hz-a': ['hz-a', 'hz-b'] };
const APP = { 'hz-a': 50, 'hz-b': 51, 'sh-a': 52 };

function nginxBook(dir, base, labDir, to, from) {
  const file = path.join(dir, `nginx-to-${to}.yaml`);
  const addrs = (dcs) => `[${dcs.map((dc) => `127.0.0.1:${base + APP[dc]}`).join(', ')}]`;
  writeFileSync(
    file,
    `apiVersion: drctl/v1
kind: Runbook
metadata: { name: bench-nginx-to-${to} }
spec:
  defaults: { timeout: 20s, retries: 0 }
  steps:
    - id: lb
      kind: nginx.upstream
      with:
        file: ${labDir}/nginx/conf/upstream-app.conf
        upstream: app
        prefix: ${labDir}/nginx
        conf: conf/nginx.conf
        errorLog: logs/error.log
        down: ${addrs(SIDES[from])}
        up: ${addrs(SIDES[to])}
        probe: { url: "http://127.0.0.1:${base + 42}/", expect: [${SIDES[to].join(', ')}], samples: 10 }
`,
  );
  return file;
}

/** The step's time, phases and notes from `drctl run` + `drctl report --format json`. */
async function runStep(book, env, dir, name) {
  const r = mustSucceed(
    `drctl run ${path.basename(book)}`,
    await timeSpawn([...DRCTL, 'run', book, '--yes'], { env, logDir: dir, logName: name, timeoutMs: 60_000 }),
  );
  const runId = /\(run ([^)]+)\)/.exec(readFileSync(r.stdout, 'utf8'))?.[1];
  const rep = mustSucceed(
    'drctl report',
    await timeSpawn([...DRCTL, 'report', runId, '--format', 'json'], { env, logDir: dir, logName: `${name}-report` }),
  );
  const step = JSON.parse(readFileSync(rep.stdout, 'utf8')).steps[0];
  if (step.status !== 'applied') throw new Error(`${name}: step ${step.status}`);
  return { ms: step.durationMs, phases: step.phases, notes: step.notes ?? {} };
}

/** The SQL of a switch alone, on connections opened beforehand: [writes refused, all statements] in ms. */
async function sqlFloor(mysql, base, password, from, to) {
  const open = (off) => mysql.createConnection({ host: '127.0.0.1', port: base + off, user: 'drctl', password, connectTimeout: 5000 });
  const off = { 'hz-a': 32, 'sh-a': 33 };
  const [p, t] = await Promise.all([open(off[from]), open(off[to])]);
  try {
    const t0 = performance.now();
    await p.query('SET GLOBAL read_only = 1');
    const [[{ pos }]] = await p.query('SELECT @@global.gtid_binlog_pos AS pos');
    const [[{ w }]] = await t.query('SELECT MASTER_GTID_WAIT(?, 5) AS w', [pos]);
    if (Number(w) !== 0) throw new Error('floor: the replica did not catch up');
    await t.query('STOP SLAVE');
    await t.query('RESET SLAVE ALL');
    await t.query('SET GLOBAL read_only = 0');
    const promoted = performance.now() - t0;
    await p.query('STOP SLAVE');
    await p.query('RESET SLAVE ALL');
    await p.query('SET GLOBAL gtid_slave_pos = @@global.gtid_binlog_pos');
    await p.query(
      "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ?, MASTER_USER = 'repl', MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1",
      [base + off[to], password],
    );
    await p.query('START SLAVE');
    return { promoted, all: performance.now() - t0 };
  } finally {
    p.destroy();
    t.destroy();
  }
}

function get(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('error', () => resolve(''));
    req.on('timeout', () => req.destroy());
  });
}

/** nginx -t, nginx -s reload (commands alone), and a hand rewrite + reload until 5 new connections in a row land on `to`'s side. */
async function nginxFloor(labDir, base, to, from, dir) {
  const argv = [have('nginx'), '-p', `${labDir}/nginx/`, '-c', 'conf/nginx.conf', '-e', 'logs/error.log'];
  const file = path.join(labDir, 'nginx', 'conf', 'upstream-app.conf');
  const test = mustSucceed('nginx -t', await timeSpawn([...argv, '-t', '-q'], { logDir: dir, logName: 'nginx-t' }));
  let text = readFileSync(file, 'utf8');
  for (const dc of SIDES[from]) text = text.replace(`server 127.0.0.1:${base + APP[dc]};`, `server 127.0.0.1:${base + APP[dc]} down;`);
  for (const dc of SIDES[to]) text = text.replace(`server 127.0.0.1:${base + APP[dc]} down;`, `server 127.0.0.1:${base + APP[dc]};`);
  writeFileSync(`${file}.bench`, text);
  renameSync(`${file}.bench`, file);
  const t0 = performance.now();
  const reload = mustSucceed('nginx -s reload', await timeSpawn([...argv, '-s', 'reload'], { logDir: dir, logName: 'nginx-reload' }));
  let inARow = 0;
  let served;
  while (performance.now() - t0 < 10_000 && inARow < 5) {
    inARow = SIDES[to].includes(await get(base + 42)) ? inARow + 1 : 0;
    if (inARow === 1) served = performance.now() - t0;
  }
  return { test: test.ms, reload: reload.ms, served: inARow >= 5 ? served : NaN };
}

export async function run({ quick, log }) {
  const dir = tempDir('drctl-bench-mysql-nginx-');
  const skip = (why) => ({ title, tables: [], goals: [], notes: [`SKIPPED: ${why}`] });
  if (process.getuid?.() !== 0) return skip('the lab needs root (PostgreSQL and MariaDB run as their own users).');
  const missing = NEEDED.filter((b) => !have(b));
  if (missing.length) return skip(`lab packages missing (${missing.join(', ')}): bin/install-lab-deps.sh installs them (as root).`);
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
  const password = readFileSync(path.join(labDir, 'mariadb-password'), 'utf8').trim();
  const env = { ...env0, DRCTL_LAB_MYSQL_PASSWORD: password };
  const books = {
    mysql: { 'sh-a': mysqlBook(dir, base, 'sh-a', 'hz-a'), 'hz-a': mysqlBook(dir, base, 'hz-a', 'sh-a') },
    nginx: { 'sh-a': nginxBook(dir, base, labDir, 'sh-a', 'hz-a'), 'hz-a': nginxBook(dir, base, labDir, 'hz-a', 'sh-a') },
  };
  const mysql = (await import(pathToFileURL(path.join(ROOT, 'node_modules', 'mysql2', 'promise.js')).href)).default;
  const reps = quick ? 2 : 5;
  const m = { step: [], apply: [], blocked: [], floorPromote: [], floorAll: [] };
  const n = { step: [], apply: [], verify: [], test: [], reload: [], served: [] };
  try {
    for (let i = 0; i < reps; i++) {
      for (const [to, from] of [
        ['sh-a', 'hz-a'],
        ['hz-a', 'sh-a'],
      ]) {
        const s = await runStep(books.mysql[to], env, dir, `mysql-${i}-${to}`);
        m.step.push(s.ms);
        m.apply.push(s.phases.apply ?? NaN);
        m.blocked.push(s.notes.writesBlockedMs ?? NaN);
        // the floor the other way and back, so the lab ends each round as it started
        const f1 = await sqlFloor(mysql, base, password, to, from);
        const f2 = await sqlFloor(mysql, base, password, from, to);
        m.floorPromote.push(f1.promoted, f2.promoted);
        m.floorAll.push(f1.all, f2.all);
        const w = await runStep(books.nginx[to], env, dir, `nginx-${i}-${to}`);
        n.step.push(w.ms);
        n.apply.push(w.phases.apply ?? NaN);
        n.verify.push(w.phases.verify ?? NaN);
        const g1 = await nginxFloor(labDir, base, from, to, dir);
        const g2 = await nginxFloor(labDir, base, to, from, dir);
        for (const g of [g1, g2]) {
          n.test.push(g.test);
          n.reload.push(g.reload);
          n.served.push(g.served);
        }
        log(
          `  #${i + 1} → ${to}: mysql.primary ${fmtMs(s.ms)} (writes refused ${fmtMs(s.notes.writesBlockedMs)}; SQL floor ${fmtMs(f1.promoted)}), nginx.upstream ${fmtMs(w.ms)} (reload floor ${fmtMs(g1.reload)}, serving ${fmtMs(g1.served)})`,
        );
      }
    }
  } finally {
    await timeSpawn([...DRCTL, 'lab', 'down', '--dir', labDir], { env: env0, logDir: dir, logName: 'lab-down', timeoutMs: 120_000 });
  }
  const st = stats;
  const row = (label, xs, floorLabel, fs) => [
    label,
    fmtStats(st(xs)),
    floorLabel,
    fmtStats(st(fs)),
    fmtRatio(ratio(st(xs).median, st(fs).median)),
  ];
  return {
    title,
    intro: `\`drctl run\` of one-step runbooks on a private \`drctl lab up\` (base port ${base}), switching hz-a → sh-a and back ${reps} times each; step figures from \`drctl report RUN_ID --format json\`; floors measured on the same lab between the runs.`,
    tables: [
      {
        caption: 'Each kind against its floor (medians):',
        columns: ['drctl', 'time', 'floor', 'time', 'drctl ÷ floor'],
        rows: [
          row(
            'mysql.primary: writes refused (fence → new primary writable)',
            m.blocked,
            'SQL alone: read_only=1 … new primary read_only=0',
            m.floorPromote,
          ),
          row(
            'mysql.primary: apply (connect, fence, wait, promote, re-point)',
            m.apply,
            'SQL alone: every statement, re-pointing included',
            m.floorAll,
          ),
          row('mysql.primary: whole step (observe, apply, verify)', m.step, 'SQL alone: every statement', m.floorAll),
          row('nginx.upstream: apply (write, nginx -t, reload, new workers)', n.apply, 'one `nginx -s reload` (the command)', n.reload),
          row(
            'nginx.upstream: whole step (observe + 10-sample probe, apply, verify)',
            n.step,
            'hand rewrite + `nginx -s reload` until new connections land on the new server',
            n.served,
          ),
        ],
      },
      {
        caption: 'Parts of the Nginx switch:',
        columns: ['part', 'time'],
        rows: [
          ['`nginx -t`', fmtStats(st(n.test))],
          ['`nginx -s reload` (the command)', fmtStats(st(n.reload))],
          ['reload → 5 new connections in a row on the new server', fmtStats(st(n.served))],
          ['nginx.upstream verify (10 probe requests through the frontend)', fmtStats(st(n.verify))],
        ],
      },
    ],
    goals: [],
    notes: [
      "mysql.primary's apply opens one connection per member (the floor's are open before the clock starts), reads the replication state again on the fenced primary, kills its client connections, checks the old primary is still fenced after the promotion, and re-points it; its verify waits until every replica runs both threads against the new primary.",
      "nginx.upstream's apply waits for the new worker generation (the proof the master loaded the new file), which `nginx -s reload` does not: the command returns once the signal is sent.",
    ],
  };
}
