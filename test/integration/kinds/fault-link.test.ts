import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faultLinkKind } from '../../../src/kinds/fault/link.js';
import { isStepError } from '../../../src/model/kind.js';
import { makeKindContext } from '../../helpers/kind-context.js';
import { netnsUnavailable, startNetnsPair, type NetnsPair } from '../../helpers/netns-pair.js';
import { rollbackTo, runStepLife } from '../../helpers/step-life.js';

const run = promisify(execFile);
const unavailable = await netnsUnavailable();

describe.skipIf(unavailable !== undefined)(
  `fault.link on real network namespaces${unavailable ? ` (SKIPPED: ${unavailable})` : ''}`,
  () => {
    let pair: NetnsPair | undefined;
    const net = (): NetnsPair => {
      if (!pair) throw new Error('no namespace pair');
      return pair;
    };
    beforeAll(async () => {
      pair = await startNetnsPair();
    });
    afterAll(async () => {
      await pair?.stop();
    });
    beforeEach(async () => {
      await net().heal();
    });

    it('cuts the veth for real: PONG before, no answer while cut, a second apply is a noop, PONG after rollback', async () => {
      const { a, devA, b, devB } = net();
      const params = {
        links: [
          { netns: b, dev: devB },
          { netns: a, dev: devA },
        ],
      };
      expect(await net().ping()).toBe('PONG');

      const life = await runStepLife(faultLinkKind, params, { skipRollback: true });
      expect(life.before).toEqual({
        links: [
          { netns: b, dev: devB, up: true },
          { netns: a, dev: devA, up: true },
        ],
      });
      expect(life.describe).toBe(`cut links ${b}:${devB}, ${a}:${devA} (2 links)`);
      expect(life.after).toEqual({
        links: [
          { netns: b, dev: devB, up: false },
          { netns: a, dev: devA, up: false },
        ],
      });
      expect(life.again).toEqual({ action: 'noop', reason: 'already cut (2 links down)' });
      expect(await net().ping()).toMatch(/^no answer \(exit \d+\)/);

      const restored = await rollbackTo(faultLinkKind, params, life.before, life.ctx, 50);
      expect(restored).toEqual(life.before);
      expect(await net().ping()).toBe('PONG');
    });

    it('cutting only the data center side leaves the client side up but silent: PING times out, then answers after rollback', async () => {
      const { b, devB } = net();
      const params = { links: [{ netns: b, dev: devB }] };
      const life = await runStepLife(faultLinkKind, params, { skipRollback: true });
      expect(life.describe).toBe(`cut link ${b}:${devB} (1 link)`);
      expect(await net().ping()).toMatch(/^no answer \(exit 124\)/); // `timeout 2` killed redis-cli: no answer at all
      await rollbackTo(faultLinkKind, params, life.before, life.ctx, 50);
      expect(await net().ping()).toBe('PONG');
    });

    it('rollback sets up exactly the links that were up before the cut', async () => {
      const { a, devA, b, devB } = net();
      await run('ip', ['-n', a, 'link', 'set', 'dev', devA, 'down']);
      const params = {
        links: [
          { netns: b, dev: devB },
          { netns: a, dev: devA },
        ],
      };
      const life = await runStepLife(faultLinkKind, params, { intervalMs: 50 });
      expect(life.before).toEqual({
        links: [
          { netns: b, dev: devB, up: true },
          { netns: a, dev: devA, up: false },
        ],
      });
      expect(life.describe).toBe(`cut links ${b}:${devB}, ${a}:${devA} (2 links, 1 already down)`);
      expect(life.restored).toEqual(life.before); // B's end up again, A's end still down as it was
      expect(life.ctx.progressLog).toContain(`set up ${b}:${devB}`);
    });

    it('a missing namespace or device is a clear error that is not retried', async () => {
      const ctx = makeKindContext();
      const missingNs = `drctl-t-${process.pid}-missing`;
      const noNs = await faultLinkKind.observe({ links: [{ netns: missingNs, dev: 'eth0' }] }, ctx).catch((e: unknown) => e);
      expect(isStepError(noNs) && [noNs.message, noNs.retryable]).toEqual([
        `fault.link ${missingNs}:eth0: network namespace "${missingNs}" does not exist (see ip netns list)`,
        false,
      ]);
      const { a } = net();
      const noDev = await faultLinkKind.observe({ links: [{ netns: a, dev: 'nope0' }] }, ctx).catch((e: unknown) => e);
      expect(isStepError(noDev) && [noDev.message, noDev.retryable]).toEqual([
        `fault.link ${a}:nope0: device "nope0" does not exist in network namespace "${a}" (see ip -n ${a} link)`,
        false,
      ]);
      const applyNoDev = await faultLinkKind
        .apply({ links: [{ netns: a, dev: 'nope0' }] }, { current: { links: [] }, desired: { links: [] } }, ctx)
        .catch((e: unknown) => e);
      expect(isStepError(applyNoDev) && applyNoDev.message).toBe(
        `fault.link ${a}:nope0: device "nope0" does not exist in network namespace "${a}" (see ip -n ${a} link)`,
      );
    });
  },
);
