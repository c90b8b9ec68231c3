import type { Command } from 'commander';
import { resumeContinuation } from '../../engine/resume-rules.js';
import { openStateStore } from '../../state/open-store.js';
import type { ExitCode } from '../../util/errors.js';
import { assertApprovable } from '../approvals.js';
import type { CliIO } from '../io.js';
import { loadValidRunbook } from '../load-runbook.js';
import { leaseOf } from '../options.js';
import { runCommandSession } from '../run-session.js';

export interface ResumeFlags {
  readonly force?: boolean;
  readonly yes?: boolean;
  readonly runbook?: string;
  readonly plugin?: string[];
  readonly approve?: string[];
  readonly lease?: string;
  readonly assumeApplied?: string[];
  readonly reapply?: string[];
}

/**
 * drctl resume RUN_ID: continue a run an earlier process left (killed, interrupted, cut off, failed).
 * The session takes the run's lock, reads its journal and applies the resumability rules
 * (engine/resume-rules.ts); this command only names the runbook file and the operator's decisions.
 */
export async function resumeCommand(io: CliIO, runId: string, flags: ResumeFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const leaseMs = leaseOf(flags.lease, state);
  const store = await openStateStore(state);
  try {
    const approved = new Set(flags.approve ?? []);
    return await runCommandSession(io, {
      store,
      leaseMs,
      yes: flags.yes === true,
      approve: async (stepId, question) => approved.has(stepId) || (io.interactive && (await io.confirm(`[${stepId}] ${question}`))),
      target: {
        kind: 'recorded',
        runId,
        force: flags.force === true,
        continuation: resumeContinuation({ force: flags.force === true, assumeApplied: flags.assumeApplied, reapply: flags.reapply }),
        load: async (header) => {
          const loaded = await loadValidRunbook(flags.runbook ?? header.runbook.file, flags.plugin ?? []);
          assertApprovable(loaded.runbook, flags.approve ?? []);
          return loaded;
        },
      },
    });
  } finally {
    await store.close();
  }
}
