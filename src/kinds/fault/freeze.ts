import { labFreeze } from '../../lab/freeze.js';
import { isDrctlError } from '../../util/errors.js';
import { defineKind } from '../define-kind.js';
import { HOLDS, notYet, stepError } from '../../model/kind.js';
import { dcProcesses, resolveLabDir, signalProcesses } from './lab-processes.js';

export interface FreezeParams {
  /** Lab folder (holds lab.json), relative to the runbook. */
  readonly labDir: string;
  /** Data centers to cut: every lab process in them is frozen. */
  readonly dcs: readonly string[];
}

/** Names of the live processes of the data centers, split by state. */
export interface FreezeState {
  readonly frozen: readonly string[];
  readonly running: readonly string[];
}

const sorted = (xs: readonly string[]): readonly string[] => [...xs].sort();

/**
 * A lab network cut: SIGSTOP every process of the data centers, so clients and peers see silent
 * servers (timeouts), not refused connections. Rollback SIGCONTs the processes that were running.
 */
export const faultFreezeKind = defineKind<FreezeParams, FreezeState>({
  name: 'fault.freeze',
  description: 'Cut lab data centers: freeze (SIGSTOP) every process in them; rollback thaws them (SIGCONT).',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['labDir', 'dcs'],
    properties: {
      labDir: { type: 'string', description: 'Lab folder holding lab.json (drctl lab up --dir).' },
      dcs: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string' },
        description: 'Data centers to freeze, e.g. [hz-a, hz-b].',
      },
    },
  },
  async observe(p, ctx) {
    const list = await dcProcesses(resolveLabDir(p.labDir, ctx.baseDir), p.dcs);
    return {
      frozen: sorted(list.filter((x) => x.frozen).map((x) => x.name)),
      running: sorted(list.filter((x) => !x.frozen).map((x) => x.name)),
    };
  },
  decide(_p, current) {
    if (current.running.length === 0 && current.frozen.length > 0)
      return { action: 'noop', reason: `already frozen (${current.frozen.length} processes)` };
    return { action: 'change', desired: { frozen: sorted([...current.frozen, ...current.running]), running: [] } };
  },
  async apply(p, _change, ctx) {
    const dir = resolveLabDir(p.labDir, ctx.baseDir);
    for (const dc of p.dcs) {
      try {
        const done = await labFreeze(dir, dc);
        ctx.progress(`froze ${dc}: ${done.map((x) => x.name).join(', ') || 'no live process'}`);
      } catch (e) {
        throw isDrctlError(e) ? stepError(e.message, { retryable: false, cause: e }) : e;
      }
    }
  },
  async rollback(p, change, ctx) {
    const wanted = new Set(change.desired.running);
    const list = await dcProcesses(resolveLabDir(p.labDir, ctx.baseDir), p.dcs);
    signalProcesses(
      list.filter((x) => x.frozen && wanted.has(x.name)),
      'SIGCONT',
    );
  },
  holds(_p, desired, current) {
    const frozen = new Set(current.frozen);
    const stillRunning = desired.frozen.filter((n) => !frozen.has(n));
    if (stillRunning.length > 0) return notYet(`not frozen yet: ${stillRunning.join(', ')}`);
    const stillFrozen = desired.running.filter((n) => frozen.has(n));
    if (stillFrozen.length > 0) return notYet(`still frozen: ${stillFrozen.join(', ')}`);
    return HOLDS;
  },
  describe(p, before, after) {
    const n = before.frozen.length + before.running.length;
    const processes = (k: number): string => `${k} process${k === 1 ? '' : 'es'}`;
    // the way back (restore, rollback): from frozen to the processes that ran before
    const thawing = after === undefined ? [] : after.running.filter((x) => before.frozen.includes(x));
    if (thawing.length > 0) return `thaw ${p.dcs.join(', ')} (${processes(thawing.length)})`;
    return `freeze ${p.dcs.join(', ')} (${processes(n)})`;
  },
  outputs(_p, state) {
    return { frozen: state.frozen, running: state.running };
  },
  // a rehearsal's switch knows these are lost (ctx.lost): its steps do not wait on them
  lostDcs: (p) => p.dcs,
  verifyIntervalMs: 50,
});
