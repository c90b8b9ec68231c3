import type { JournalRecord } from '../model/records.js';

/**
 * A fault a rehearsal's journal says was being injected and never restored (the controller died, or
 * restoring failed): what `drctl rollback RUN_ID` must put back first.
 */
export function unrestoredFault(records: readonly JournalRecord[]): { readonly describe: string; readonly before: unknown } | undefined {
  let pending: { describe: string; before: unknown } | undefined;
  for (const r of records) {
    if (r.type === 'fault.intent') pending = { describe: r.describe, before: r.before };
    else if (r.type === 'fault.restored' && r.ok) pending = undefined;
  }
  return pending;
}
