import { describe, expect, it } from 'vitest';
import { untilAborted } from '../../../src/util/abortable.js';

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('untilAborted: a client call that cannot hang a step past its signal', () => {
  it('settles with the work when it wins', async () => {
    await expect(untilAborted(Promise.resolve('answer'), new AbortController().signal)).resolves.toBe('answer');
    await expect(untilAborted(Promise.reject(new Error('refused')), new AbortController().signal)).rejects.toThrow('refused');
  });

  it("rejects with the signal's reason at once when it aborts, though the work never settles", async () => {
    const stop = new AbortController();
    const raced = untilAborted(never(), stop.signal);
    stop.abort(new Error('deadline'));
    await expect(raced).rejects.toThrow('deadline');
    const born = new AbortController();
    born.abort(new Error('already'));
    await expect(untilAborted(never(), born.signal)).rejects.toThrow('already');
  });

  it('with a grace, work that finishes its cleanup after the abort still settles as itself', async () => {
    const stop = new AbortController();
    let finish: (v: string) => void = () => undefined;
    const raced = untilAborted(new Promise<string>((r) => (finish = r)), stop.signal, 60_000);
    stop.abort(new Error('deadline'));
    finish('fence lifted');
    await expect(raced).resolves.toBe('fence lifted');
  });

  it('with a grace, work that never settles is given up once the grace is over', async () => {
    const stop = new AbortController();
    const raced = untilAborted(never(), stop.signal, 5);
    stop.abort(new Error('deadline'));
    await expect(raced).rejects.toThrow('deadline');
  });
});
