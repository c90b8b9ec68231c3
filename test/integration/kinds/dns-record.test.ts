import { promises as dnsPromises } from 'node:dns';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsRecordKind as kind, type DnsRecordParams } from '../../../src/kinds/dns-record/index.js';
import { isStepError } from '../../../src/kinds/types.js';
import { readTsigSecret, startBind } from '../../../src/lab/bind.js';
import { runCommand } from '../../../src/util/exec.js';
import { Secret } from '../../../src/util/secret.js';
import { freePort } from '../../helpers/free-port.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { processTracker } from '../../helpers/lab-processes.js';
import { runStepLife } from '../../helpers/step-life.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

// One real BIND9 (zone example.test, $TTL 5, cashier → 127.0.0.10) accepting TSIG-signed updates.
const procs = processTracker();
let cleanup: () => Promise<void> = async () => undefined;
let server = '';
let keyFile = '';
let secret: Secret;

beforeAll(async () => {
  const tmp = await makeTmpDir('drctl-dns-kind-');
  cleanup = tmp.cleanup;
  const port = await freePort();
  const b = await startBind({ dir: path.join(tmp.dir, 'dns'), port, zone: 'example.test', keyName: 'ddns-key', ttlSeconds: 5, records: { cashier: '127.0.0.10' } });
  procs.add(b.pid);
  server = `127.0.0.1:${port}`;
  keyFile = b.keyFile;
  secret = new Secret(await readTsigSecret(b.keyFile), 'DRCTL_LAB_TSIG');
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  await cleanup();
});

const params = (over: Partial<DnsRecordParams> = {}): DnsRecordParams => ({
  server, zone: 'example.test', name: 'cashier', type: 'A', to: '127.0.0.20', ttl: 5, key: { name: 'ddns-key', secret }, ...over,
});

async function ask(name: string): Promise<string[]> {
  const r = new dnsPromises.Resolver({ timeout: 1000, tries: 1 });
  r.setServers([server]);
  return r.resolve4(name).catch(() => []);
}

describe('dns.record', () => {
  it('updates the record (TSIG secret), is a skip when run again, and restores the old answer', async () => {
    const r = await runStepLife(kind, params(), { timeoutMs: 20_000 });
    expect(r.before.values).toEqual(['127.0.0.10']);
    expect(r.after?.values).toEqual(['127.0.0.20']);
    expect(r.again?.action).toBe('noop');
    expect(r.ctx.notes['ttlSeconds']).toBe(5);
    expect(r.describe).toBe('dns cashier.example.test A: 127.0.0.10 → 127.0.0.20 (clients may keep the old answer up to 5s)');
    expect(r.restored?.values).toEqual(['127.0.0.10']);
    expect(await ask('cashier.example.test')).toEqual(['127.0.0.10']);
  });

  it('creates and deletes a TXT rrset with a key file; observe changes nothing', async () => {
    const { key: _key, ...rest } = params({ name: 'note', type: 'TXT', to: ['switched to "sh"', 'v2'] });
    const p: DnsRecordParams = { ...rest, keyFile };
    const ctx = makeKindContext();
    const first = await kind.observe(p, ctx);
    expect((await kind.observe(p, ctx)).values).toEqual(first.values);
    const r = await runStepLife(kind, p, { timeoutMs: 20_000 });
    expect(r.before.values).toEqual([]);
    expect(r.after?.values).toEqual(['switched to "sh"', 'v2']);
    expect(r.restored?.values).toEqual([]);
  });

  it('is conditional: an update built on a stale observation is refused by the prerequisite', async () => {
    const ctx = makeKindContext();
    const p = params({ to: '127.0.0.30' });
    const stale = await kind.observe(p, ctx);
    // someone else changes the record between observe and apply
    const other = await runStepLife(kind, params({ to: '127.0.0.99' }), { skipRollback: true });
    expect(other.after?.values).toEqual(['127.0.0.99']);
    const d = kind.decide(p, stale);
    if (d.action !== 'change') throw new Error('expected a change');
    const e = await kind.apply(p, { current: stale, desired: d.desired }, ctx).catch((x: unknown) => x);
    expect(isStepError(e) && e.retryable).toBe(true);
    expect((e as Error).message).toMatch(/changed since it was observed .*prerequisite failed/);
    expect(await ask('cashier.example.test')).toEqual(['127.0.0.99']);
    await runStepLife(kind, params({ to: '127.0.0.10' }), { skipRollback: true });
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
    expect(await ask('cashier.example.test')).toEqual(['127.0.0.10']);
  });

  it('never leaves the key on argv or on disk', async () => {
    const ps = await runCommand(['ps', '-eo', 'args']);
    expect(ps.stdout).not.toContain(secret.reveal());
    const leftovers = await runCommand(['sh', '-c', 'ls -d /tmp/drctl-tsig-* 2>/dev/null | wc -l']);
    expect(leftovers.stdout.trim()).toBe('0');
  });

  it('fails within the timeout, naming the server, when nothing answers', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const ctx = makeKindContext({ timeoutMs: 10_000 });
    const e = await kind.observe(params({ server: closed, queryTimeout: '500ms' }), ctx).catch((x: unknown) => x);
    expect(ctx.signal.aborted).toBe(false);
    expect((e as Error).message).toMatch(new RegExp(`^dns ${closed}: (unreachable|no answer)`));
  });

  it('names a zone the server does not serve', async () => {
    const p = params({ zone: 'other.test', name: 'x' });
    const ctx = makeKindContext();
    const e = await (async () => {
      const s = await kind.observe(p, ctx);
      const d = kind.decide(p, s);
      if (d.action === 'change') await kind.apply(p, { current: s, desired: d.desired }, ctx);
    })().catch((x: unknown) => x);
    expect(isStepError(e) && !e.retryable).toBe(true);
    expect((e as Error).message).toMatch(new RegExp(`dns ${server}: (refuses queries for x.other.test|update of x.other.test A refused)`));
  });
});
