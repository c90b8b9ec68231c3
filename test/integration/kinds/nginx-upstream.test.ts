import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nginxUpstreamKind as kind, type NginxUpstreamParams } from '../../../src/kinds/nginx-upstream/index.js';
import { workersOf } from '../../../src/kinds/nginx-upstream/nginx-process.js';
import { isStepError } from '../../../src/model/kind.js';
import { startDcApp } from '../../../src/lab/dc-apps.js';
import { nginxArgv, startNginx } from '../../../src/lab/nginx.js';
import { mustRun } from '../../../src/lab/run.js';
import { readPidFile, signalServer } from '../../../src/lab/process.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { runStepLife } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

// A real Nginx (Debian's, always run with its own -p/-c) in front of three real DC apps; upstream `app`
// in its own include file: hz-a up, sh-a and sz-a down. Every test leaves the file as it found it.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let prefix = '';
let file = '';
let original = '';
let frontend = '';
let pidFile = '';
const addr: Record<string, string> = {};

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-nginx-kind-');
  cleanup = tmp.cleanup;
  const configPort = await freePort(); // no config centre: the apps only answer with their name here
  const servers = await Promise.all(
    ['hz-a', 'sh-a', 'sz-a'].map(async (dc) => {
      const port = await freePort();
      addr[dc] = `127.0.0.1:${port}`;
      procs.add((await startDcApp({ dir: tmp.dir, dc, port, configPort, key: 'k' })).pid);
      return { dc, port, active: dc === 'hz-a' };
    }),
  );
  const port = await freePort();
  prefix = path.join(tmp.dir, 'nginx');
  const n = await startNginx({ prefix, port, upstream: 'app', servers });
  procs.add(n.pid, 'SIGTERM', n.pidFile);
  pidFile = n.pidFile;
  file = n.upstreamFile;
  await chmod(file, 0o640);
  original = await readFile(file, 'utf8');
  frontend = `http://127.0.0.1:${port}/`;
}, 60_000);
afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});
beforeEach(async () => {
  expect(await readFile(file, 'utf8')).toBe(original);
});

const params = (over: Partial<NginxUpstreamParams> = {}): NginxUpstreamParams => ({
  file,
  upstream: 'app',
  prefix,
  conf: 'conf/nginx.conf',
  errorLog: 'logs/error.log',
  down: [addr['hz-a'] ?? ''],
  up: [addr['sh-a'] ?? ''],
  probe: { url: frontend, expect: 'sh-a', samples: 6 },
  ...over,
});
const master = async (): Promise<number> => (await readPidFile(pidFile)) ?? 0;
/** What the frontend serves now (6 samples), while the file has hz-a up (as at the start). */
const serving = async (): Promise<Record<string, number> | undefined> =>
  (
    await kind.observe(
      { ...params(), down: [], up: [addr['hz-a'] ?? ''], probe: { url: frontend, expect: 'x', samples: 6 } },
      makeKindContext(),
    )
  ).probe?.seen;

/** The nginx files (content, mode, mtime) and processes (master, workers): what plan must leave as it found them. */
async function snapshot(): Promise<unknown> {
  const conf = path.join(prefix, 'conf');
  const files = await Promise.all(
    (await readdir(conf)).sort().map(async (f) => {
      const st = await stat(path.join(conf, f));
      return { f, mode: st.mode, mtime: st.mtimeMs, text: await readFile(path.join(conf, f), 'utf8') };
    }),
  );
  const m = await master();
  return { files, master: m, workers: [...workersOf(m).keys()].sort() };
}

describe('nginx.upstream on a real Nginx', () => {
  it('rewrites the include file (mode kept), checks it, reloads, verifies through the frontend; a skip when run again; rollback restores the file', async () => {
    const r = await runStepLife(kind, params({ servers: { [addr['sh-a'] ?? '']: { weight: 3 } } }), {
      timeoutMs: 30_000,
      skipRollback: true,
    });
    expect(r.before.probe).toBeUndefined(); // the file does not have the wanted servers yet: a probe would prove nothing
    expect(r.after?.servers).toMatchObject({
      [addr['hz-a'] ?? '']: { state: 'down', weight: 1 },
      [addr['sh-a'] ?? '']: { state: 'up', weight: 3 },
      [addr['sz-a'] ?? '']: { state: 'down', weight: 1 },
    });
    expect(r.after?.probe?.seen).toEqual({ 'sh-a': 6 });
    expect(r.again?.action).toBe('noop');
    const [first, second] = [addr['hz-a'] ?? '', addr['sh-a'] ?? ''].sort();
    const was = { [addr['hz-a'] ?? '']: 'up', [addr['sh-a'] ?? '']: 'down' };
    const now = { [addr['hz-a'] ?? '']: 'down', [addr['sh-a'] ?? '']: 'up/w3' };
    expect(r.describe).toBe(
      `nginx app: ${first}=${was[first ?? '']} ${second}=${was[second ?? '']} → ${first}=${now[first ?? '']} ${second}=${now[second ?? '']}`,
    );
    const text = await readFile(file, 'utf8');
    expect(text).toContain(`server ${addr['hz-a']} down;`);
    expect(text).toContain(`server ${addr['sh-a']} weight=3;`);
    expect(text.split('\n').filter((l) => l.includes('# '))).toHaveLength(4); // comments kept
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect((await readdir(path.dirname(file))).sort()).toEqual(['nginx.conf', 'upstream-app.conf']); // no temp file left

    const ctx = makeKindContext({ timeoutMs: 30_000 });
    await kind.rollback?.(params(), { current: await kind.observe(params(), ctx), desired: r.before }, ctx);
    expect(await readFile(file, 'utf8')).toBe(original);
    await waitFor(async () => JSON.stringify(await serving()) === JSON.stringify({ 'hz-a': 6 }), 'traffic back on hz-a');
  });

  it('a file that has the wanted servers but was never reloaded: the probe sees the old set, so the step reloads (without rewriting)', async () => {
    const wanted = original
      .replace(`server ${addr['hz-a']};`, `server ${addr['hz-a']} down;`)
      .replace(`server ${addr['sh-a']} down;`, `server ${addr['sh-a']};`);
    await writeFile(file, wanted);
    try {
      const ctx = makeKindContext({ timeoutMs: 20_000 });
      const s = await kind.observe(params(), ctx);
      expect(s.probe?.seen).toEqual({ 'hz-a': 6 });
      const d = kind.decide(params(), s);
      if (d.action !== 'change') throw new Error('expected a change');
      await kind.apply(params(), { current: s, desired: d.desired }, ctx);
      expect(ctx.progressLog.some((m) => m.startsWith('writing'))).toBe(false);
      await waitFor(async () => (await kind.observe(params(), ctx)).probe?.seen['sh-a'] === 6, 'traffic on sh-a');
    } finally {
      await writeFile(file, original);
      await mustRun([...nginxArgv(prefix), '-s', 'reload']);
    }
    await waitFor(async () => JSON.stringify(await serving()) === JSON.stringify({ 'hz-a': 6 }), 'traffic back on hz-a');
  });

  it('observe, decide and describe change nothing: the nginx files and processes are as before', async () => {
    const before = await snapshot();
    const ctx = makeKindContext();
    for (const p of [params(), params({ backup: [addr['sz-a'] ?? ''], status: `${frontend}nginx_status` })]) {
      const s = await kind.observe(p, ctx);
      const d = kind.decide(p, s);
      kind.describe(p, s, d.action === 'change' ? d.desired : undefined);
    }
    expect((await kind.observe(params({ status: `${frontend}nginx_status` }), ctx)).status).toMatchObject({
      active: expect.any(Number),
      requests: expect.any(Number),
    });
    expect(await snapshot()).toEqual(before);
  });

  it('a broken include is refused by nginx -t: never reloaded, the old file put back, the old config still serving', async () => {
    const m = await master();
    const workers = [...workersOf(m).keys()].sort();
    // someone's edit broke the file (nginx -t would fail): the step's rewrite is checked before any reload
    const broken = original.replace(`server ${addr['sz-a']} down;`, `server ${addr['sz-a']} down max_fails=x;`);
    await writeFile(file, broken);
    try {
      const ctx = makeKindContext({ timeoutMs: 20_000 });
      const s = await kind.observe(params(), ctx);
      const d = kind.decide(params(), s);
      if (d.action !== 'change') throw new Error('expected a change');
      const e = await kind.apply(params(), { current: s, desired: d.desired }, ctx).catch((x: unknown) => x);
      expect(isStepError(e) && !e.retryable && e.unchanged).toBe(true);
      expect((e as Error).message).toBe(
        `nginx -t rejected the new ${file}: [emerg] invalid parameter "max_fails=x" in ${file}:5; the previous file was put back (nginx keeps serving the old config)`,
      );
      expect(await readFile(file, 'utf8')).toBe(broken);
      expect([...workersOf(m).keys()].sort()).toEqual(workers); // no reload
      expect(await serving()).toEqual({ 'hz-a': 6 });
    } finally {
      await writeFile(file, original);
    }
  });

  it("a change nginx rejects (backup under a hash balancer) is refused naming nginx's message; the old file stays", async () => {
    const hashed = original.replace('upstream app {', 'upstream app {\n    hash $remote_addr;');
    await writeFile(file, hashed);
    try {
      const p = params({ backup: [addr['sz-a'] ?? ''] });
      const ctx = makeKindContext({ timeoutMs: 20_000 });
      const s = await kind.observe(p, ctx);
      const d = kind.decide(p, s);
      if (d.action !== 'change') throw new Error('expected a change');
      const e = await kind.apply(p, { current: s, desired: d.desired }, ctx).catch((x: unknown) => x);
      expect((e as Error).message).toBe(
        `nginx -t rejected the new ${file}: [emerg] balancing method does not support parameter "backup" in ${file}:6; the previous file was put back (nginx keeps serving the old config)`,
      );
      expect(await readFile(file, 'utf8')).toBe(hashed);
    } finally {
      await writeFile(file, original);
    }
  });

  it('a reload the master never takes (frozen): fails within the timeout, the old file put back; after the thaw the old config serves', async () => {
    const m = await master();
    const ctx = makeKindContext({ timeoutMs: 10_000 });
    const p = params({ commandTimeout: '1s' });
    const s = await kind.observe(p, ctx);
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    signalServer(m, 'SIGSTOP');
    let e: unknown;
    try {
      e = await kind.apply(p, { current: s, desired: d.desired }, ctx).catch((x: unknown) => x);
      expect(ctx.signal.aborted).toBe(false);
    } finally {
      signalServer(m, 'SIGCONT');
    }
    expect(isStepError(e) && e.unchanged).toBe(true);
    expect((e as Error).message).toBe(
      'nginx did not load the new config: no new worker process within 1000ms; the previous file was put back (nginx keeps serving the old config)',
    );
    expect(await readFile(file, 'utf8')).toBe(original);
    // thawed, the master takes the pending reloads: it reads the file put back
    await waitFor(async () => [...workersOf(m).values()].every((shuttingDown) => !shuttingDown), 'the old workers to finish');
    expect(await serving()).toEqual({ 'hz-a': 6 });
  });

  it('HUP to the master works as nginx -s reload does', async () => {
    const r = await runStepLife(kind, params({ reload: 'hup' }), { timeoutMs: 30_000 });
    expect(r.after?.probe?.seen).toEqual({ 'sh-a': 6 });
    expect(await readFile(file, 'utf8')).toBe(original);
    await waitFor(async () => JSON.stringify(await serving()) === JSON.stringify({ 'hz-a': 6 }), 'traffic back on hz-a');
  });

  it('names a server or upstream the file does not have, and a missing file (not retryable)', async () => {
    const ctx = makeKindContext();
    const e1 = await kind.observe(params({ up: ['127.0.0.1:1'] }), ctx).catch((x: unknown) => x);
    expect(isStepError(e1) && !e1.retryable).toBe(true);
    expect((e1 as Error).message).toBe(
      `nginx ${file}: upstream app has no server 127.0.0.1:1 (has ${addr['hz-a']}, ${addr['sh-a']}, ${addr['sz-a']})`,
    );
    await expect(kind.observe(params({ upstream: 'web' }), ctx)).rejects.toThrow(
      `nginx ${file}: no upstream "web" in the file (it has app)`,
    );
    await expect(kind.observe(params({ file: `${file}.missing` }), ctx)).rejects.toThrow(
      `nginx ${file}.missing: cannot read the upstream file (ENOENT)`,
    );
  });
});
