import { execa } from 'execa';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStore } from '../../../src/state/file-store.js';
import { mutexAbandoned, withFsMutex } from '../../../src/infra/fs-mutex.js';
import { hostIdentity } from '../../../src/infra/process-identity.js';
import { lockFileOf } from '../../../src/state/lock-file.js';
import { livenessOf } from '../../../src/state/store.js';
import { JOURNAL_SCHEMA_VERSION, type JournalRecord } from '../../../src/model/records.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function tmp(): Promise<string> {
  const t = await makeTmpDir('drctl-fslock-');
  cleanups.push(t.cleanup);
  return t.dir;
}
/** The pid of a process that existed and is gone (SIGKILLed): what a crashed holder leaves behind. */
async function deadPid(): Promise<number> {
  const child = execa('sleep', ['60'], { reject: false });
  const pid = child.pid ?? 0;
  child.kill('SIGKILL');
  await child;
  return pid;
}
const holder = (runId: string) => ({ runId, mode: 'run', user: 'u', host: 'elsewhere', pid: 1, since: new Date().toISOString() });
const record = (runId: string, seq: number): JournalRecord =>
  ({ type: 'step.queued', stepId: 'a', runId, at: new Date().toISOString(), schemaVersion: JOURNAL_SCHEMA_VERSION, seq }) as JournalRecord;

describe("the folder store's mutex", () => {
  it('is abandoned only when its owner is gone on this machine, or after 30 s when it cannot be checked', async () => {
    const now = Date.now();
    const here = { host: os.hostname(), hostId: hostIdentity(), nonce: 'n' };
    const gone = await deadPid();
    expect(mutexAbandoned({ ...here, pid: gone }, now, now)).toBe(true);
    // a live owner is never broken by age: the old rule broke any mutex older than 2 s
    expect(mutexAbandoned({ ...here, pid: process.pid }, now - 10_000, now)).toBe(false);
    // a process stuck (stopped) inside a few-ms critical section for over 30 s does not block everyone forever
    expect(mutexAbandoned({ ...here, pid: process.pid }, now - 31_000, now)).toBe(true);
    // same hostname, another machine or container (host identity differs): its pid means nothing here
    expect(mutexAbandoned({ ...here, hostId: 'other-machine', pid: gone }, now - 10_000, now)).toBe(false);
    expect(mutexAbandoned({ ...here, hostId: 'other-machine', pid: gone }, now - 31_000, now)).toBe(true);
    expect(mutexAbandoned(undefined, now - 10_000, now)).toBe(false);
  });

  it('left by a killed process, it is broken at once, and the waiters then enter one at a time', async () => {
    const dir = await tmp();
    const target = path.join(dir, 'x.lock');
    const owner = { pid: await deadPid(), host: os.hostname(), hostId: hostIdentity(), nonce: 'dead' };
    await writeFile(`${target}.mutex`, JSON.stringify(owner));
    let inside = 0;
    let most = 0;
    const entered: number[] = [];
    const critical = (n: number) =>
      withFsMutex(target, async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 5));
        entered.push(n);
        inside--;
      });
    await Promise.all([1, 2, 3, 4, 5].map(critical));
    expect(entered.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(1);
    await expect(readFile(`${target}.mutex`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('fencing in the folder store', () => {
  it("tokens never repeat, even when the scope's counter was lost", async () => {
    const store = createFileStore(await tmp());
    const first = await store.acquireLock('scope', holder('r1'), 60_000);
    await store.forceUnlock('scope');
    await rm(`${lockFileOf(store.label, 'scope').slice(0, -'.lock'.length)}.fence`); // as if read by a racer before the write
    const second = await store.acquireLock('scope', holder('r2'), 60_000);
    expect(second.token).toBeGreaterThan(first.token);
    await second.release();
  });

  it("a write is fenced on the token and the holder's run: a lock with the same token for another run refuses it", async () => {
    const state = await tmp();
    const store = createFileStore(state);
    const lease = await store.acquireLock('scope', holder('r1'), 60_000);
    await store.createRun(
      {
        schemaVersion: 2,
        runId: 'r1',
        mode: 'run',
        runbook: { name: 'x', file: '/x', hash: 'h' },
        status: 'running',
        startedAt: new Date().toISOString(),
        endedAt: undefined,
        durationMs: undefined,
        host: 'h',
        user: 'u',
        pid: 1,
        summary: undefined,
      },
      'text',
    );
    const journal = await store.openJournal('r1', lease);
    await journal.append(record('r1', 1));
    // another acquisition that got the same token (what a broken mutex let happen before)
    const file = lockFileOf(state, 'scope');
    const other = { ...JSON.parse(await readFile(file, 'utf8')), runId: 'r2' };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(other));
    await expect(journal.append(record('r1', 2))).rejects.toMatchObject({
      code: 'fenced-out',
      message: expect.stringContaining('now belongs to run r2'),
    });
    await expect(lease.renew()).rejects.toMatchObject({ code: 'fenced-out' });
    await journal.close();
    expect((await store.readJournal('r1')).records.map((r) => r.seq)).toEqual([1]);
  });
});

describe('judging a lock holder dead (folder and Redis stores alike)', () => {
  it('needs the same hostname AND the same machine/boot/PID namespace: a dead pid in another container with the same hostname is not a dead holder', async () => {
    const gone = await deadPid();
    const base = {
      runId: 'r',
      mode: 'run',
      user: 'u',
      host: os.hostname(),
      pid: gone,
      since: '',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      token: 3,
    };
    expect(livenessOf({ ...base, hostId: hostIdentity() })).toBe('dead');
    expect(livenessOf({ ...base, hostId: 'another-machine/boot/pid:[1]' })).toBe('live');
    expect(livenessOf(base)).toBe('live'); // a holder recorded without a host identity: only its lease can expire
    expect(livenessOf({ ...base, hostId: 'another-machine/boot/pid:[1]', expiresAt: new Date(Date.now() - 1).toISOString() })).toBe(
      'expired',
    );
  });
});
