import type { Command } from 'commander';
import { assessEstate, DEFAULT_MIN_HEADROOM_PCT } from '../../assess/estate.js';
import type { AssessmentDocument } from '../../model/assessment.js';
import { renderAssessmentHtml } from '../../report/assessment-html.js';
import { renderAssessmentMarkdown } from '../../report/assessment-md.js';
import { enumerateScopes, resolveLost, scopeOf, type FailureScope } from '../../rules/scopes.js';
import type { Catalog } from '../../runbook/catalog.js';
import { openStateStore } from '../../state/open-store.js';
import { ExitCode, usageError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';
import { renderAssessment } from '../output/assessment-text.js';
import { createStyle } from '../output/style.js';
import { writeUserFile } from '../user-files.js';
import { catalogOf, historyOf, partMaker, type CatalogFlags } from './catalog-inputs.js';

export interface AssessFlags extends CatalogFlags {
  readonly scope?: string;
  readonly minHeadroom?: number;
  readonly format: 'text' | 'md' | 'html';
  readonly out?: string;
}

/** --scope hz-a,sh-b (data centers or cities) → that one scope; else every scope of the topology. */
export function scopesOf(catalog: Catalog, scope: string | undefined): FailureScope[] {
  if (scope === undefined) return enumerateScopes(catalog.topology);
  const names = scope.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) throw usageError('--scope names no data center or city', 'e.g. --scope hz-a,sh-b or --scope hz');
  const lost = resolveLost(catalog.topology, names);
  if (!lost.ok) throw usageError(`--scope ${lost.error.message}`);
  return [scopeOf(catalog.topology, lost.value)];
}

/** Assess the catalog against scopes: the observation, the rehearsal history, the document. */
export async function assessCatalog(
  catalog: Catalog,
  scopes: readonly FailureScope[],
  flags: CatalogFlags & { minHeadroom?: number },
  state: string,
  ladder: boolean,
): Promise<AssessmentDocument> {
  const store = await openStateStore(state);
  try {
    const { runs, rehearsalParams } = await historyOf(store);
    return await assessEstate({
      catalog,
      scopes,
      partOf: partMaker(catalog, flags),
      runs,
      rehearsalParams,
      now: () => new Date(),
      ladder,
      minHeadroomPct: flags.minHeadroom ?? DEFAULT_MIN_HEADROOM_PCT,
      signal: new AbortController().signal,
    });
  } finally {
    await store.close();
  }
}

/**
 * drctl assess [PATH...] --topology T [--scope S]: which failure scopes the estate survives now, with which
 * plan, at what cost; the level and the score. Exit 0 every scope survives within budget, 1 a finding, 3 bad input.
 */
export async function assessCommand(io: CliIO, paths: string[], flags: AssessFlags, cmd: Command): Promise<ExitCode> {
  const { state } = cmd.optsWithGlobals<{ state: string }>();
  const catalog = await catalogOf(paths, flags);
  const scopes = scopesOf(catalog, flags.scope);
  const doc = await assessCatalog(catalog, scopes, flags, state, flags.scope === undefined);
  const code = doc.findings.length === 0 ? ExitCode.ok : ExitCode.failed;
  if (flags.format !== 'text') {
    const text = flags.format === 'md' ? renderAssessmentMarkdown(doc) : renderAssessmentHtml(doc);
    if (flags.out) {
      await writeUserFile('-o', flags.out, text);
      io.err(`wrote ${flags.out}`);
    } else io.out(text);
    return code;
  }
  if (io.json) io.out(envelope('assess', code === ExitCode.ok, doc));
  else io.out(renderAssessment(doc, createStyle(io.color.out)));
  if (flags.out) await writeUserFile('-o', flags.out, `${JSON.stringify(doc, null, 2)}\n`);
  return code;
}
