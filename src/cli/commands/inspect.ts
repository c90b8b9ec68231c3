import type { Command } from 'commander';
import os from 'node:os';
import { DEFAULT_MIN_HEADROOM_PCT } from '../../assess/estate.js';
import { inspectCatalog } from '../../assess/inspect.js';
import type { Plan } from '../../plan/types.js';
import { openStateStore } from '../../state/open-store.js';
import { readLever, readPause } from '../../state/safety.js';
import { newRunId } from '../../state/run-store.js';
import { ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { renderInspection } from '../output/inspection-text.js';
import { envelope } from '../output/json.js';
import { createStyle } from '../output/style.js';
import { catalogOf, historyOf, partMaker, type CatalogFlags } from './catalog-inputs.js';
import { loadSavedPlan } from './saved-plan.js';

export interface InspectFlags extends CatalogFlags {
  readonly plan?: string[];
  readonly minHeadroom?: number;
  readonly acceptCoverage?: boolean;
}

/**
 * drctl inspect [PATH...] (巡检, for cron): every catalogued runbook's readiness and steady-state probes and
 * plan, saved plans (--plan), and the assessment of every scope the catalog covers; recorded in the state
 * store as an inspection with its findings and the drift since the previous one. Exit 0 clean, 1 findings.
 */
export async function inspectCommand(io: CliIO, paths: string[], flags: InspectFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const catalog = await catalogOf(paths, flags);
  const savedPlans: { file: string; plan: Plan }[] = [];
  for (const file of flags.plan ?? []) savedPlans.push({ file, plan: await loadSavedPlan(file) });
  const store = await openStateStore(state);
  try {
    const [{ runs, rehearsalParams }, list, lever, pauses] = await Promise.all([
      historyOf(store),
      store.listInspections(),
      readLever(store),
      Promise.all([...new Set(catalog.runbooks.map((r) => r.runbook.name))].map((name) => readPause(store, name))),
    ]);
    const previous = list[0] ? await store.readInspection(list[0].id) : undefined;
    const started = new Date();
    const record = await inspectCatalog({
      catalog,
      partOf: partMaker(catalog, flags),
      runs,
      rehearsalParams,
      now: () => new Date(),
      signal: new AbortController().signal,
      minHeadroomPct: flags.minHeadroom ?? DEFAULT_MIN_HEADROOM_PCT,
      id: newRunId('inspect', started),
      host: os.hostname(),
      user: os.userInfo().username,
      savedPlans,
      previous,
      acceptCoverage: flags.acceptCoverage === true,
      safety: { lever: lever ?? null, paused: pauses.filter((p) => p !== undefined) },
    });
    await store.saveInspection(record);
    if (io.json) io.out(envelope('inspect', record.findings === 0, record));
    else io.out(renderInspection(record, createStyle(io.color.out), store.label));
    return record.findings === 0 ? ExitCode.ok : ExitCode.failed;
  } finally {
    await store.close();
  }
}
