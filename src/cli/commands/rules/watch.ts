import { describeMoves, diffMaps } from '../../../rules/diff.js';
import { renderFence } from '../../../rules/fence.js';
import type { RuleChange, RuleVersion } from '../../../rules/store.js';
import { JSON_SCHEMA_VERSION } from '../../output/json.js';
import { ExitCode, DrctlError } from '../../../util/errors.js';
import type { CliIO } from '../../io.js';
import { requireStore, runSubcommand, withRuleStore, type StoreFlag } from './common.js';

export interface WatchFlags extends StoreFlag {
  /** Stop after this many changes (default: run until interrupted). */
  readonly count?: number;
}

/** Subscribe like an application would: one line (or one NDJSON object) per new version, in order. */
export function rulesWatch(io: CliIO, flags: WatchFlags): Promise<ExitCode> {
  return runSubcommand(io, 'rules watch', () =>
    withRuleStore(requireStore(flags), async (store) => {
      const start = await store.read();
      let seen = 0;
      let failure: Error | undefined;
      let previous = start;
      let queue: Promise<void> = Promise.resolve();
      let stop = (): void => undefined;
      const stopped = new Promise<void>((resolve) => {
        stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
      });
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const fail = (e: unknown): void => {
        failure ??= e instanceof Error ? e : new Error(String(e));
        stop();
      };
      const onChange = (c: RuleChange): void => {
        queue = queue
          .then(async () => {
            if (flags.count !== undefined && seen >= flags.count) return;
            const v = await store.readVersion(c.version);
            io.out(io.json ? JSON.stringify(changeJson(c, v, previous)) : changeLine(c, v, previous));
            previous = v ?? previous;
            if (flags.count !== undefined && ++seen >= flags.count) stop();
          })
          .catch(fail);
      };
      const sub = await store.subscribe(onChange, fail).catch((e: unknown) => {
        fail(e);
        return undefined;
      });
      if (sub && !io.json) io.err(`watching ${store.label} (version ${start?.version ?? 0}); Ctrl-C to stop`);
      await stopped;
      await sub?.close();
      await queue;
      if (failure) throw new DrctlError('watch-failed', ExitCode.failed, failure.message, { cause: failure });
      return ExitCode.ok;
    }),
  );
}

function changeLine(c: RuleChange, v: RuleVersion | undefined, previous: RuleVersion | undefined): string {
  return `${c.atIso} v${c.version} ${c.kind.padEnd(8)} ${detail(c, v, previous)}`;
}

function detail(c: RuleChange, v: RuleVersion | undefined, previous: RuleVersion | undefined): string {
  if (!v) return '(version no longer in the store)';
  const n = v.map.owners.length;
  if (c.kind === 'fence') {
    const shards = v.fence ? renderFence(v.fence, n) : '';
    const renewed = v.fence?.owner && previous?.fence?.owner?.id === v.fence.owner.id;
    if (renewed)
      return `shards ${shards} still write-forbidden by "${v.fence?.by ?? '?'}": lease renewed until ${v.fence?.owner?.leaseUntilIso ?? '?'}`;
    const taken = previous?.fence && previous.fence.by === v.fence?.by ? ' (taken over)' : '';
    return `shards ${shards} write-forbidden by "${v.fence?.by ?? '?'}"${taken}`;
  }
  if (c.kind === 'unfence') return 'fence lifted: all shards writable';
  if (c.kind === 'init') return `map of ${n} shards published`;
  const cut = previous && previous.cut.join(',') !== v.cut.join(',') ? `; cut: ${v.cut.join(', ') || 'none'}` : '';
  if (!previous || previous.map.owners.length !== n) return `map of ${n} shards published${cut}`;
  return `${describeMoves(diffMaps(previous.map, v.map))}${cut}`;
}

function changeJson(c: RuleChange, v: RuleVersion | undefined, previous: RuleVersion | undefined): Record<string, unknown> {
  const n = v?.map.owners.length ?? 0;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    type: 'rules.change',
    ...c,
    fence: v?.fence ? { shards: renderFence(v.fence, n), by: v.fence.by, owner: v.fence.owner } : null,
    cut: v?.cut ?? null,
    detail: detail(c, v, previous),
  };
}
