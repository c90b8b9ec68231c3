import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  haproxyServersKind as kind,
  type HaproxyServersParams,
  type HaproxyServersState,
} from '../../../src/kinds/haproxy-servers/index.js';
import { isStepError } from '../../../src/model/kind.js';
import { startDcApp } from '../../../src/lab/dc-apps.js';
import { haproxyCommand } from '../../../src/infra/haproxy-api.js';
import { startHaproxy } from '../../../src/lab/haproxy.js';
import { abortMidStep, expectStoppedInGrace, whileFrozen } from '../../helpers/abort-mid-step.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { runStepLife } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

// One HAProxy (unix + TCP admin sockets) in front of three real DC apps: hz-a ready, sh-a and sz-a in maintenance.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let socket = '';
let adminTcp = '';
let frontend = '';
let haproxyPid = 0;

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-haproxy-kind-');
  cleanup = tmp.cleanup;
  const configPort = await freePort(); // no config centre: the apps only answer with their name here
  const servers = await Promise.all(
    ['hz-a', 'sh-a', 'sz-a'].map(async (dc) => {
      const port = await freePort();
      const app = await startDcApp({ dir: tmp.dir, dc, port, configPort, key: 'k' });
      procs.add(app.pid);
      return { name: dc, port, ready: dc === 'hz-a' };
    }),
  );
  const [frontendPort, adminPort] = [await freePort(), await freePort()];
  const h = await startHaproxy({ dir: path.join(tmp.dir, 'haproxy'), frontendPort, adminPort, backend: 'app', servers });
  procs.add(h.pid, 'SIGTERM', h.pidFile);
  haproxyPid = h.pid;
  socket = h.socket;
  adminTcp = `127.0.0.1:${adminPort}`;
  frontend = `http://127.0.0.1:${frontendPort}/`;
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

const params = (): HaproxyServersParams => ({
  socket,
  backend: 'app',
  maint: ['hz-a'],
  ready: ['sh-a'],
  servers: { 'sh-a': { weight: 5 } },
  probe: { url: frontend, expect: 'sh-a', samples: 6 },
});

/** `show servers state` of the backend in full, but for the seconds since each server's last change (a clock). */
async function serversState(): Promise<string[]> {
  const text = await haproxyCommand(socket, 'show servers state app', { timeoutMs: 2000 });
  return text
    .split('\n')
    .filter((l) => /^\d+ /.test(l))
    .map((l) =>
      l
        .split(' ')
        .filter((_, i) => i !== 9)
        .join(' '),
    );
}

describe('haproxy.servers', () => {
  it('switches servers and traffic, is a skip when run again, and rolls back states and weights', async () => {
    const r = await runStepLife(kind, params(), { timeoutMs: 30_000 });
    expect(r.before.servers['hz-a']?.state).toBe('ready');
    expect(r.before.probe?.seen).toEqual({ 'hz-a': 6 });
    expect(r.after?.servers['hz-a']?.state).toBe('maint');
    expect(r.after?.servers['sh-a']).toMatchObject({ state: 'ready', weight: 5, up: true });
    expect(r.after?.probe?.seen).toEqual({ 'sh-a': 6 });
    expect(r.again?.action).toBe('noop');
    expect(r.describe).toBe('haproxy app: hz-a=ready sh-a=maint → hz-a=maint sh-a=ready/w5');
    // the real server is back as observed before
    const state = await haproxyCommand(socket, 'show servers state app', { timeoutMs: 2000 });
    expect(state).toMatch(/ app \d+ sh-a 127\.0\.0\.1 \d+ [15] 1 /); // maint (admin bits 0x01 [+ 0x04 config]), weight 1
    expect(r.restored?.servers['hz-a']).toMatchObject({ state: 'ready', weight: 1, up: true });
    expect(r.restored?.probe?.seen).toEqual({ 'hz-a': 6 });
  });

  it(
    'a server in a lost data center (ctx.lost): no traffic probe before the switch (it would go through the cut server), one after',
    { timeout: 120_000 },
    async () => {
      const p = { ...params(), dcs: { 'hz-a': 'hz-a', 'sh-a': 'sh-a', 'sz-a': 'sz-a' } };
      const settled = await serversState();
      const r = await runStepLife(kind, p, { timeoutMs: 30_000, lost: ['hz-a'] });
      expect(r.before.lostServers).toEqual(['hz-a']);
      expect(r.before.probe).toBeUndefined();
      expect(r.after?.servers['hz-a']?.state).toBe('maint');
      expect(r.after?.probe?.seen).toEqual({ 'sh-a': 6 });
      expect(r.restored?.servers['hz-a']?.state).toBe('ready');
      // the next test compares full server states: hz-a running again out of maintenance with its check passed,
      // the others as they were (hz-a's health counter restarts at rise after a maintenance: not compared)
      await waitFor(
        async () => {
          const rows = await serversState();
          const hz = rows.find((l) => l.split(' ')[3] === 'hz-a')?.split(' ');
          // after dropping column 9: 5 op_state (2 running), 6 admin_state (0 none), 10 check_result (3 passed)
          const others = (lines: string[]) => lines.filter((l) => l.split(' ')[3] !== 'hz-a');
          return hz?.[5] === '2' && hz[6] === '0' && hz[10] === '3' && JSON.stringify(others(rows)) === JSON.stringify(others(settled));
        },
        "hz-a's health checks to settle after its maintenance",
        60_000,
      );
    },
  );

  it('works over the TCP admin socket too, and observe and plan change nothing (the full server state)', async () => {
    const ctx = makeKindContext();
    const p = { ...params(), socket: adminTcp };
    const before = await serversState();
    expect(before.map((l) => l.split(' ')[3])).toEqual(['hz-a', 'sh-a', 'sz-a']);
    const a = await kind.observe(p, ctx);
    expect(kind.decide(p, a).action).toBe('change');
    kind.describe(p, a, undefined);
    await kind.observe({ socket, backend: 'app', drain: ['sz-a'] }, ctx);
    expect(await serversState()).toEqual(before);
  });

  it('drain is a state of its own', async () => {
    const r = await runStepLife(kind, { socket, backend: 'app', drain: ['hz-a'] }, { timeoutMs: 30_000 });
    expect(r.after?.servers['hz-a']?.state).toBe('drain');
    expect(r.restored?.servers['hz-a']?.state).toBe('ready');
  });

  it('names an unknown backend or server (not retryable)', async () => {
    const ctx = makeKindContext();
    const e1 = await kind.observe({ socket, backend: 'nope', ready: ['hz-a'] }, ctx).catch((x: unknown) => x);
    expect(isStepError(e1) && !e1.retryable).toBe(true);
    expect((e1 as Error).message).toBe(`haproxy ${socket}: no backend "nope"`);
    const e2 = await kind.observe({ socket, backend: 'app', ready: ['zz-9'] }, ctx).catch((x: unknown) => x);
    expect((e2 as Error).message).toBe(`haproxy ${socket}: backend app has no server "zz-9" (has hz-a, sh-a, sz-a)`);
  });

  it('fails within the timeout on a silent admin socket (accepts, never answers: a frozen HAProxy), naming it', async () => {
    const dir = await makeTmpDir('drctl-haproxy-silent-');
    const held: net.Socket[] = [];
    const tcp = net.createServer((c) => void held.push(c));
    const unix = net.createServer((c) => void held.push(c));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => unix.listen(path.join(dir.dir, 'admin.sock'), r));
    try {
      for (const at of [`127.0.0.1:${(tcp.address() as net.AddressInfo).port}`, path.join(dir.dir, 'admin.sock')]) {
        const ctx = makeKindContext({ timeoutMs: 10_000 });
        const e = await kind.observe({ ...params(), socket: at, commandTimeout: '500ms' }, ctx).catch((x: unknown) => x);
        expect(ctx.signal.aborted).toBe(false);
        expect(isStepError(e) && e.retryable).toBe(true);
        expect((e as Error).message).toBe(`haproxy ${at}: no answer to "show servers state app" within 500ms`);
      }
    } finally {
      for (const c of held) c.destroy();
      tcp.close();
      unix.close();
      await dir.cleanup();
    }
  });

  it('fails fast on a socket nobody listens on', async () => {
    const ctx = makeKindContext({ timeoutMs: 5_000 });
    const missing = `${socket}.missing`;
    await expect(kind.observe({ ...params(), socket: missing }, ctx)).rejects.toThrow(`haproxy ${missing}: unreachable (ENOENT)`);
    const closed = `127.0.0.1:${await freePort()}`;
    await expect(kind.observe({ ...params(), socket: closed }, ctx)).rejects.toThrow(`haproxy ${closed}: unreachable (ECONNREFUSED)`);
    expect(ctx.signal.aborted).toBe(false);
  });

  it('verify does not hold while traffic reaches the wrong data center', async () => {
    const ctx = makeKindContext();
    const p: HaproxyServersParams = { socket, backend: 'app', ready: ['hz-a'], probe: { url: frontend, expect: 'sz-a', samples: 3 } };
    const s = await kind.observe(p, ctx);
    const d = kind.decide(p, s);
    expect(d.action).toBe('change');
    if (d.action === 'change')
      expect(kind.holds(p, d.desired, s)).toEqual({ ok: false, detail: 'probe: traffic reaches hz-a, want only sz-a' });
  });
});

describe('haproxy.servers deadlines: HAProxy frozen mid-step (SIGSTOP) never holds the step past its deadline', () => {
  // over the TCP admin socket, with a command timeout of minutes: only the step's signal can end the calls
  const slow = (): HaproxyServersParams => ({ ...params(), socket: adminTcp, commandTimeout: '10m' });
  const adminPort = (): number => Number(adminTcp.split(':')[1]);

  it('observe waiting on a frozen HAProxy stops at once when the signal aborts', async () => {
    const r = await whileFrozen([haproxyPid], () => abortMidStep((ctx) => kind.observe(slow(), ctx), { port: adminPort() }));
    expectStoppedInGrace(r);
  });

  it('apply waiting on a frozen HAProxy (a set server sent, no answer) stops at once when the signal aborts', async () => {
    const p = slow();
    const s = await kind.observe(p, makeKindContext());
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    try {
      const r = await whileFrozen([haproxyPid], () =>
        abortMidStep((ctx) => kind.apply(p, { current: s, desired: d.desired }, ctx), { port: adminPort() }),
      );
      expectStoppedInGrace(r);
    } finally {
      // a command left in the frozen HAProxy's socket may run once thawed, before or after anything sent
      // now: the servers are put back until they stay back
      const stateAndWeight = (x: HaproxyServersState): string =>
        JSON.stringify(Object.entries(x.servers).map(([n, v]) => [n, v.state, v.weight]));
      await waitFor(async () => {
        const ctx = makeKindContext();
        const now = await kind.observe(p, ctx);
        if (stateAndWeight(now) === stateAndWeight(s)) return true;
        await kind.rollback?.(p, { current: now, desired: s }, ctx);
        return false;
      }, 'the servers to be back as they were');
    }
  });
});
