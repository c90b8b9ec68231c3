import { createSocket } from 'node:dgram';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsRecordKind as kind, type DnsRecordParams } from '../../../src/kinds/dns-record/index.js';
import { isStepError, type KindContext } from '../../../src/model/kind.js';
import { readTsigSecret, startBind } from '../../../src/lab/bind.js';
import { Secret } from '../../../src/util/secret.js';
import { dig, soaSerial } from '../../helpers/dig.js';
import { abortMidStep, expectStoppedInGrace, whileFrozen } from '../../helpers/abort-mid-step.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { runStepLife } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

// One real BIND9 (zone example.test, $TTL 5, SOA minimum 5, cashier → 127.0.0.10) accepting TSIG-signed updates.
// Answers are checked with dig (BIND's own client), not only through the kind.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let server = '';
let keyFile = '';
let secret: Secret;
let namedPid = 0;

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-dns-kind-');
  cleanup = tmp.cleanup;
  const port = await freePort();
  const b = await startBind({
    dir: path.join(tmp.dir, 'dns'),
    port,
    zone: 'example.test',
    keyName: 'ddns-key',
    ttlSeconds: 5,
    records: { cashier: '127.0.0.10' },
  });
  procs.add(b.pid);
  namedPid = b.pid;
  server = `127.0.0.1:${port}`;
  keyFile = b.keyFile;
  secret = new Secret(await readTsigSecret(b.keyFile), 'DRCTL_LAB_TSIG');
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

const params = (over: Partial<DnsRecordParams> = {}): DnsRecordParams => ({
  server,
  zone: 'example.test',
  name: 'cashier',
  type: 'A',
  to: '127.0.0.20',
  ttl: 7,
  key: { name: 'ddns-key', secret },
  ...over,
});

async function decideError(p: DnsRecordParams): Promise<unknown> {
  const s = await kind.observe(p, makeKindContext());
  try {
    return kind.decide(p, s);
  } catch (e) {
    return e;
  }
}

describe('dns.record', () => {
  it('updates the record, notes the OLD TTL, is a skip when run again, and restores the old answer and TTL', async () => {
    const r = await runStepLife(kind, params(), { timeoutMs: 20_000 });
    expect(r.before).toMatchObject({ values: ['127.0.0.10'], ttl: 5 });
    expect(r.after).toMatchObject({ values: ['127.0.0.20'], ttl: 7 });
    expect(r.again?.action).toBe('noop');
    expect(r.ctx.notes['ttlSeconds']).toBe(5);
    expect(r.describe).toBe('dns cashier.example.test A: 127.0.0.10 → 127.0.0.20, TTL 5s → 7s (clients may keep the old answer up to 5s)');
    expect(await dig(server, 'cashier.example.test', 'A')).toEqual(['5 127.0.0.10']);
  });

  it('CNAME: the TTL is observed, noted and restored too', async () => {
    const create = await runStepLife(kind, params({ name: 'alias', type: 'CNAME', to: 'cashier.example.test', ttl: 9, create: true }), {
      skipRollback: true,
    });
    expect(create.after).toMatchObject({ values: ['cashier.example.test'], ttl: 9 });
    expect(create.ctx.notes['ttlSeconds']).toBe(5); // resolvers may remember "no such record" for the SOA's negative TTL
    const r = await runStepLife(kind, params({ name: 'alias', type: 'CNAME', to: 'ns1.example.test.', ttl: 3 }), { timeoutMs: 20_000 });
    expect(r.before).toMatchObject({ values: ['cashier.example.test'], ttl: 9 });
    expect(r.ctx.notes['ttlSeconds']).toBe(9);
    expect(r.describe).toBe(
      'dns alias.example.test CNAME: cashier.example.test → ns1.example.test, TTL 9s → 3s (clients may keep the old answer up to 9s)',
    );
    expect(await dig(server, 'alias.example.test', 'CNAME')).toEqual(['9 cashier.example.test.']);
  });

  it('TXT: creates (create: true) and deletes an rrset with a key file; TTLs observed', async () => {
    const { key: _key, ...rest } = params({ name: 'note', type: 'TXT', to: ['switched to "sh"', 'v2'], ttl: 11, create: true });
    const p: DnsRecordParams = { ...rest, keyFile };
    const r = await runStepLife(kind, p, { timeoutMs: 20_000 });
    expect(r.before.values).toEqual([]);
    expect(r.after).toMatchObject({ values: ['switched to "sh"', 'v2'], ttl: 11 });
    expect(r.restored?.values).toEqual([]);
    expect(await dig(server, 'note.example.test', 'TXT')).toEqual([]);
  });

  it('a name that does not exist is not created unless create: true (a typo fails, naming server, zone and name)', async () => {
    const serial = await soaSerial(server, 'example.test');
    const e = await decideError(params({ name: 'cashier2' }));
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect((e as Error).message).toBe(
      `dns.record: no A record cashier2.example.test on ${server} (zone example.test): check the name, or set create: true to create it`,
    );
    expect(await dig(server, 'cashier2.example.test', 'A')).toEqual([]);
    expect(await soaSerial(server, 'example.test')).toBe(serial);
  });

  it('is conditional: an update built on a stale observation is refused by the prerequisite', async () => {
    const ctx = makeKindContext();
    const p = params({ to: '127.0.0.30' });
    const stale = await kind.observe(p, ctx);
    const other = await runStepLife(kind, params({ to: '127.0.0.99' }), { skipRollback: true });
    expect(other.after?.values).toEqual(['127.0.0.99']);
    const d = kind.decide(p, stale);
    if (d.action !== 'change') throw new Error('expected a change');
    const e = await kind.apply(p, { current: stale, desired: d.desired }, ctx).catch((x: unknown) => x);
    expect(isStepError(e) && e.retryable).toBe(true);
    expect((e as Error).message).toMatch(/changed since it was observed .*prerequisite failed/);
    expect(await dig(server, 'cashier.example.test', 'A')).toEqual(['7 127.0.0.99']);
    await runStepLife(kind, params({ to: '127.0.0.10', ttl: 5 }), { skipRollback: true });
  });

  it('refuses a wrong key (not retryable) and leaves the record alone', async () => {
    const bad = new Secret(Buffer.alloc(32, 7).toString('base64'), 'WRONG');
    const p = params({ key: { name: 'ddns-key', secret: bad } });
    const ctx = makeKindContext();
    const s = await kind.observe(p, ctx);
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    const e = await kind.apply(p, { current: s, desired: d.desired }, ctx).catch((x: unknown) => x);
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect((e as Error).message).toContain(`dns ${server}: update of cashier.example.test A refused: TSIG verification failed`);
    expect((e as Error).message).not.toContain(bad.reveal());
    expect(await dig(server, 'cashier.example.test', 'A')).toEqual(['5 127.0.0.10']);
  });

  it('a secret key reaches nsupdate on its stdin: never on argv, never in a file', async () => {
    const base = makeKindContext({ timeoutMs: 20_000 });
    const spawned: { argv: readonly string[]; input: string }[] = [];
    const ctx: KindContext = { ...base, exec: (argv, o) => (spawned.push({ argv, input: o?.input ?? '' }), base.exec(argv, o)) };
    const p = params({ to: '127.0.0.21' });
    const s = await kind.observe(p, ctx);
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    await kind.apply(p, { current: s, desired: d.desired }, ctx);
    await kind.rollback?.(p, { current: await kind.observe(p, ctx), desired: s }, ctx);
    expect(spawned.map((x) => x.argv[0])).toEqual(['nsupdate', 'nsupdate']);
    for (const x of spawned) {
      expect(x.argv.join(' ')).not.toContain(secret.reveal());
      expect(x.argv).not.toContain('-k'); // no key file: nothing written to disk
      expect(x.input.split('\n')[0]).toBe(`key hmac-sha256:ddns-key ${secret.reveal()}`);
    }
    expect(await dig(server, 'cashier.example.test', 'A')).toEqual(['5 127.0.0.10']);
  });

  it('observe and plan change nothing: same zone serial, same answer and TTL', async () => {
    const before = [await soaSerial(server, 'example.test'), await dig(server, 'cashier.example.test', 'A')];
    const ctx = makeKindContext();
    const s = await kind.observe(params(), ctx);
    kind.decide(params(), s);
    await kind.observe(params({ type: 'TXT', name: 'note' }), ctx);
    expect([await soaSerial(server, 'example.test'), await dig(server, 'cashier.example.test', 'A')]).toEqual(before);
  });

  it('fails within the timeout, naming the server, when nothing answers (refused and silent)', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const silentSock = createSocket('udp4'); // a silent peer: takes the query, never answers (a frozen server)
    await new Promise<void>((r) => silentSock.bind(0, '127.0.0.1', r));
    const silent = `127.0.0.1:${silentSock.address().port}`;
    try {
      for (const [at, why] of [
        [closed, /unreachable \(ECONNREFUSED\)|no answer within 500ms/],
        [silent, /no answer within 500ms/],
      ] as const) {
        const ctx = makeKindContext({ timeoutMs: 10_000 });
        const e = await kind.observe(params({ server: at, queryTimeout: '500ms' }), ctx).catch((x: unknown) => x);
        expect(ctx.signal.aborted).toBe(false);
        expect((e as Error).message).toMatch(new RegExp(`^dns ${at}: ${why.source}`));
      }
    } finally {
      silentSock.close();
    }
  });

  it('names a zone the server does not serve', async () => {
    const e = await kind.observe(params({ zone: 'other.test', name: 'x' }), makeKindContext()).catch((x: unknown) => x);
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect((e as Error).message).toBe(`dns ${server}: refuses queries for x.other.test (not authoritative for the zone?)`);
  });
});

describe('dns.record deadlines: BIND frozen mid-step (SIGSTOP) never holds the step past its deadline', () => {
  // a query timeout of minutes (nsupdate's too): only the step's signal can end the calls
  const slow = (): DnsRecordParams => params({ queryTimeout: '10m' });
  const port = (): number => Number(server.split(':')[1]);

  it('observe waiting on a frozen server stops at once when the signal aborts', async () => {
    const r = await whileFrozen([namedPid], () => abortMidStep((ctx) => kind.observe(slow(), ctx), { port: port() }));
    expectStoppedInGrace(r);
  });

  it('apply (nsupdate waiting on a frozen server) stops within the grace when the signal aborts: the command is killed', async () => {
    // a record of its own: the update left in the frozen server's socket may still be applied once thawed
    const p = params({ name: 'deadline', to: '127.0.0.30', create: true, queryTimeout: '10m' });
    const s = await kind.observe(p, makeKindContext());
    const d = kind.decide(p, s);
    if (d.action !== 'change') throw new Error('expected a change');
    const r = await whileFrozen([namedPid], () =>
      abortMidStep((ctx) => kind.apply(p, { current: s, desired: d.desired }, ctx), { port: port(), anyProcess: true }),
    );
    expectStoppedInGrace(r);
  });
});
