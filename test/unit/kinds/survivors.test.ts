import { describe, expect, it } from 'vitest';
import { askAll } from '../../../src/kinds/survivors.js';
import { makeKindContext } from '../../helpers/kind-context.js';

interface Member {
  readonly name: string;
  readonly dc: string;
}

/** A question whose answer the test gives (or never gives: a cut member), and whether it was told to stop. */
function question() {
  let answer: (v: string) => void = () => undefined;
  let stoppedBy: AbortSignal | undefined;
  const asked = new Promise<string>((resolve) => {
    answer = resolve;
  });
  return {
    ask(signal: AbortSignal): Promise<string> {
      stoppedBy = signal;
      return new Promise((resolve, reject) => {
        void asked.then(resolve);
        signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
      });
    },
    answer: (v: string) => answer(v),
    stopped: () => stoppedBy?.aborted === true,
  };
}

/** One turn of the event loop: every settled promise's handlers have run. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

const hz: Member = { name: 'old-primary', dc: 'hz-a' };
const sh: Member = { name: 'standby', dc: 'sh-a' };

function setUp(lost: readonly string[], waitForLost = false) {
  const q = new Map([
    [hz.name, question()],
    [sh.name, question()],
  ]);
  const ctx = makeKindContext({ lost });
  const notWaited: string[] = [];
  const all = askAll({
    members: [hz, sh],
    ctx,
    dcOf: (m) => m.dc,
    waitForLost,
    ask: (m, c) => q.get(m.name)?.ask(c.signal) ?? Promise.reject(new Error('no question')),
    silent: (m, dc) => `${m.name}: lost in ${dc}`,
    onNotWaited: (ms) => notWaited.push(...ms.map((m) => m.name)),
  });
  let settled = false;
  void all.finally(() => (settled = true)).catch(() => undefined);
  return { q: (m: Member) => q.get(m.name) as ReturnType<typeof question>, all, settled: () => settled, notWaited };
}

describe('askAll: every member at once, the survivors decide, the lost side is not waited for', () => {
  it('answers once the survivors have, recording a silent lost member as not waited for, and stops asking it', async () => {
    const t = setUp(['hz-a']);
    t.q(sh).answer('standby at 0/5000');
    expect(await t.all).toEqual(['old-primary: lost in hz-a', 'standby at 0/5000']);
    expect(t.notWaited).toEqual(['old-primary']);
    expect(t.q(hz).stopped()).toBe(true);
  });

  it("uses a lost member's answer when it came before the survivors'", async () => {
    const t = setUp(['hz-a']);
    t.q(hz).answer('primary at 0/5000');
    await turn();
    t.q(sh).answer('standby at 0/5000');
    expect(await t.all).toEqual(['primary at 0/5000', 'standby at 0/5000']);
    expect(t.notWaited).toEqual([]);
  });

  it('waits for every member when nothing is lost', async () => {
    const t = setUp([]);
    t.q(sh).answer('standby');
    await turn();
    expect(t.settled()).toBe(false);
    t.q(hz).answer('primary');
    expect(await t.all).toEqual(['primary', 'standby']);
  });

  it('waits for the lost members too when their answer decides what is safe (waitForLost)', async () => {
    const t = setUp(['hz-a'], true);
    t.q(sh).answer('standby');
    await turn();
    expect(t.settled()).toBe(false);
    t.q(hz).answer('primary');
    expect(await t.all).toEqual(['primary', 'standby']);
    expect(t.notWaited).toEqual([]);
  });

  it('waits for every member when all of them are in lost data centers (no survivor to decide on)', async () => {
    const t = setUp(['hz-a', 'sh-a']);
    t.q(sh).answer('standby');
    await turn();
    expect(t.settled()).toBe(false);
    t.q(hz).answer('primary');
    expect(await t.all).toEqual(['primary', 'standby']);
  });

  it("rejects with a survivor's refusal and stops asking the lost side", async () => {
    const ctx = makeKindContext({ lost: ['hz-a'] });
    const lost = question();
    const all = askAll({
      members: [hz, sh],
      ctx,
      dcOf: (m) => m.dc,
      ask: (m, c) => (m === hz ? lost.ask(c.signal) : Promise.reject(new Error('authentication failed'))),
      silent: () => 'silent',
    });
    await expect(all).rejects.toThrow('authentication failed');
    expect(lost.stopped()).toBe(true);
  });

  it('keeps asking a lost member not waited for when the kind takes its late answer (late): never stopped, its answer handed over', async () => {
    const ctx = makeKindContext({ lost: ['hz-a'] });
    const q = { hz: question(), sh: question() };
    const late: { name: string; answer: Promise<string> }[] = [];
    const all = askAll({
      members: [hz, sh],
      ctx,
      dcOf: (m) => m.dc,
      ask: (m, c) => (m === hz ? q.hz : q.sh).ask(c.signal),
      silent: (m, dc) => `${m.name}: lost in ${dc}`,
      late: (m, answer) => late.push({ name: m.name, answer }),
    });
    q.sh.answer('standby');
    expect(await all).toEqual(['old-primary: lost in hz-a', 'standby']);
    expect(late.map((l) => l.name)).toEqual(['old-primary']);
    expect(q.hz.stopped()).toBe(false);
    q.hz.answer('primary, alive after all');
    expect(await late[0]?.answer).toBe('primary, alive after all');
  });
});
