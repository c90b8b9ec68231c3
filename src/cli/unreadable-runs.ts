import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunMeta } from '../model/records.js';
import { runDirOf } from '../state/run-store.js';
import type { StateStore } from '../state/store.js';
import { parseStoreSpec } from '../state/store-url.js';

export interface UnreadableRun {
  readonly runId: string;
  /** The run's folder (for messages and JSON diagnostics). */
  readonly dir: string;
  readonly message: string;
}

/**
 * The runs of a folder store that `listRuns` leaves out because their record (run.json) is missing or
 * cannot be read, each with the store's own error: `history` must not silently hide them.
 */
export async function unreadableRuns(state: string, store: StateStore, listed: readonly RunMeta[]): Promise<UnreadableRun[]> {
  const spec = parseStoreSpec(state);
  if (spec.kind !== 'file') return [];
  let ids: string[];
  try {
    ids = await readdir(path.dirname(runDirOf(spec.dir, '-')));
  } catch {
    return [];
  }
  const known = new Set(listed.map((r) => r.runId));
  const out: UnreadableRun[] = [];
  for (const runId of ids.filter((id) => !known.has(id)).sort()) {
    const dir = runDirOf(spec.dir, runId);
    const message = await store.readRunMeta(runId).then(
      (meta) => (meta ? undefined : `run ${runId} has no record: ${path.join(dir, 'run.json')} is missing`),
      (e: unknown) => (e as Error).message,
    );
    if (message !== undefined) out.push({ runId, dir, message });
  }
  return out;
}
