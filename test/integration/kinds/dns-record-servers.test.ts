import { createSocket } from 'node:dgram';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsRecordKind as kind, type DnsRecordParams } from '../../../src/kinds/dns-record/index.js';
import { queryDns } from '../../../src/kinds/dns-record/query.js';
import { OPCODE, TYPE } from '../../../src/kinds/dns-record/wire.js';
import { startBind, startBindSecondary } from '../../../src/lab/bind.js';
import { dig } from '../../helpers/dig.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { pollHolds } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

// Two authoritative servers for example.test: the primary (takes the update, sends no NOTIFY) and a
// secondary loaded by zone transfer, which lags until it is notified: verify must ask both.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let primary = '';
let secondary = '';
let keyFile = '';

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-dns-servers-');
  cleanup = tmp.cleanup;
  const [p1, p2] = [await freePort(), await freePort()];
  const b = await startBind({
    dir: path.join(tmp.dir, 'primary'),
    port: p1,
    zone: 'example.test',
    keyName: 'ddns-key',
    ttlSeconds: 5,
    records: { cashier: '127.0.0.10' },
  });
  procs.add(b.pid);
  const s = await startBindSecondary({
    dir: path.join(tmp.dir, 'secondary'),
    port: p2,
    zone: 'example.test',
    primaryPort: p1,
    probe: ['cashier', '127.0.0.10'],
  });
  procs.add(s.pid);
  [primary, secondary, keyFile] = [`127.0.0.1:${p1}`, `127.0.0.1:${p2}`, b.keyFile];
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

/** What the primary would send after an update: the secondary then fetches the new zone. */
const notifySecondary = (): Promise<unknown> =>
  queryDns(secondary, 'example.test', TYPE.SOA, 2000, AbortSignal.timeout(5000), OPCODE.NOTIFY);

describe('dns.record with several authoritative servers', () => {
  it('verify asks every server: a lagging secondary keeps it from holding, naming that server, until it has the change', async () => {
    const params: DnsRecordParams = {
      server: primary,
      servers: [primary, secondary],
      zone: 'example.test',
      name: 'cashier',
      type: 'A',
      to: '127.0.0.20',
      ttl: 5,
      keyFile,
    };
    const ctx = makeKindContext({ timeoutMs: 30_000 });
    const before = await kind.observe(params, ctx);
    expect(Object.fromEntries(Object.entries(before.servers).map(([s, a]) => [s, a.values]))).toEqual({
      [primary]: ['127.0.0.10'],
      [secondary]: ['127.0.0.10'],
    });
    const d = kind.decide(params, before);
    if (d.action !== 'change') throw new Error('expected a change');
    await kind.apply(params, { current: before, desired: d.desired }, ctx);
    // the primary has it, the secondary does not (no NOTIFY, refresh in 60 s): verify does not hold, and says where
    const lagging = await pollHolds(kind, params, d.desired, makeKindContext({ timeoutMs: 3_000 }), 50, 'verify').catch((e: unknown) => e);
    expect((lagging as Error).message).toBe(
      `dns.record verify did not hold before the timeout: dns ${secondary}: cashier.example.test A is 127.0.0.10, want 127.0.0.20`,
    );
    expect(await dig(primary, 'cashier.example.test', 'A')).toEqual(['5 127.0.0.20']);
    await notifySecondary();
    const after = await pollHolds(kind, params, d.desired, ctx, 50, 'verify');
    expect(after.servers[secondary]?.values).toEqual(['127.0.0.20']);
    // back: the rollback holds only once the secondary has the old answer again too
    await kind.rollback?.(params, { current: after, desired: before }, ctx);
    expect(kind.holds(params, before, await kind.observe(params, ctx))).toEqual({
      ok: false,
      detail: `dns ${secondary}: cashier.example.test A is 127.0.0.20, want 127.0.0.10`,
    });
    await notifySecondary();
    await pollHolds(kind, params, before, ctx, 50, 'rollback');
    expect(await dig(secondary, 'cashier.example.test', 'A')).toEqual(['5 127.0.0.10']);
  });

  it('a server in a lost data center (ctx.lost) is not waited for: the update is verified on the others, its silence recorded', async () => {
    const silent = createSocket('udp4'); // takes every query, never answers: a cut server
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    try {
      const cut = `127.0.0.1:${silent.address().port}`;
      // a 5 min query timeout: waiting on the cut server would outlast the context's 30 s deadline
      const params: DnsRecordParams = {
        server: primary,
        servers: [primary, cut],
        dcs: { [cut]: 'hz-a' },
        zone: 'example.test',
        name: 'cashier',
        type: 'A',
        to: '127.0.0.30',
        ttl: 5,
        keyFile,
        queryTimeout: '5m',
      };
      const ctx = makeKindContext({ timeoutMs: 30_000, lost: ['hz-a'] });
      const before = await kind.observe(params, ctx);
      expect(before.servers[cut]).toMatchObject({
        values: [],
        lostDc: 'hz-a',
        error: 'in lost data center hz-a: no answer by the time the survivors answered (not waited for)',
      });
      expect(ctx.notes['serversNotWaitedFor']).toEqual([cut]);
      const d = kind.decide(params, before);
      if (d.action !== 'change') throw new Error('expected a change');
      await kind.apply(params, { current: before, desired: d.desired }, ctx);
      const after = await pollHolds(kind, params, d.desired, ctx, 50, 'verify');
      expect(after.servers[primary]?.values).toEqual(['127.0.0.30']);
      await kind.rollback?.(params, { current: after, desired: before }, ctx);
      await pollHolds(kind, params, before, ctx, 50, 'rollback');
      expect(await dig(primary, 'cashier.example.test', 'A')).toEqual(['5 127.0.0.10']);
    } finally {
      silent.close();
    }
  });
});
