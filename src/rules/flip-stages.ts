/** The stages of a safe rules change, in order (AppActive: forbid → wait for data → new map → allow). */
export const FLIP_STAGES = ['fence', 'catch-up', 'flip', 'unfence'] as const;
export type FlipStage = (typeof FLIP_STAGES)[number];

/** Reported as each stage runs: the kind turns these into ctx.progress / ctx.note, the CLI prints them. */
export type StageEvent =
  | { readonly type: 'started'; readonly stage: FlipStage; readonly detail: string }
  | { readonly type: 'waiting'; readonly stage: 'catch-up'; readonly detail: string; readonly elapsedMs: number }
  | {
      readonly type: 'finished';
      readonly stage: FlipStage;
      readonly durationMs: number;
      readonly version: number | undefined;
      readonly detail: string;
    }
  | { readonly type: 'failed'; readonly stage: FlipStage; readonly durationMs: number; readonly message: string };

/** One catch-up probe: ok, or not yet with the reason (replication lag 12 MB, exit code 1…). */
export type CatchUpResult = { readonly ok: true } | { readonly ok: false; readonly detail: string };
export type CatchUpCheck = (signal: AbortSignal) => Promise<CatchUpResult>;

export interface StageTiming {
  readonly stage: FlipStage;
  readonly durationMs: number;
}
