/**
 * One probe sample. `failure` = the target answered, wrongly; `error` = no usable answer
 * (unreachable, refused, timeout). A runbook chooses whether errors count as failures.
 */
export type ProbeOutcome =
  | { readonly kind: 'ok'; readonly detail: string }
  | { readonly kind: 'failure'; readonly detail: string }
  | { readonly kind: 'error'; readonly detail: string };

export const okOutcome = (detail = 'holds'): ProbeOutcome => ({ kind: 'ok', detail });
export const failureOutcome = (detail: string): ProbeOutcome => ({ kind: 'failure', detail });
export const errorOutcome = (detail: string): ProbeOutcome => ({ kind: 'error', detail });
