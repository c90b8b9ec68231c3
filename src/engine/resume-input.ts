import { assumeApplied, type ReplayedRun } from '../state/journal-replay.js';
import type { RunMeta } from '../model/records.js';
import type { EventInput } from '../model/events.js';

/** Continue a run an earlier process left (drctl resume): what its journal says happened. */
export interface ResumeInput {
  readonly meta: RunMeta;
  readonly replay: ReplayedRun;
  readonly forced: boolean;
  readonly runbookChanges: readonly string[];
  readonly journalWarning: string | undefined;
  /** The operator's decisions for in-flight steps that cannot be observed (resume --assume-applied / --reapply). */
  readonly decisions?: { readonly assumeApplied: readonly string[]; readonly reapply: readonly string[] };
}

/** Journal what a resumption starts from (and the operator's decisions); the replay the steps go on from. */
export async function journalResumption(resume: ResumeInput, emit: (e: EventInput) => Promise<void>): Promise<ResumeInput> {
  const r = resume.replay;
  const decisions = resume.decisions ?? { assumeApplied: [], reapply: [] };
  await emit({
    type: 'run.resumed',
    mode: resume.meta.mode,
    fromSeq: r.lastSeq,
    forced: resume.forced,
    runbookChanges: resume.runbookChanges,
    journalWarning: resume.journalWarning,
    done: [...r.prior.keys()],
    inFlight: [...r.intents.keys()],
    decisions,
  });
  for (const stepId of decisions.assumeApplied) {
    await emit({
      type: 'step.recovered',
      stepId,
      before: r.intents.get(stepId),
      outputs: {},
      reason: 'recorded as applied by the operator (resume --assume-applied): not applied again',
    });
  }
  return { ...resume, replay: assumeApplied(r, decisions.assumeApplied) };
}
