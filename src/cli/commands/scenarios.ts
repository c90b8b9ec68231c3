import type { Command } from 'commander';
import { canonicalJson } from '../../plan/build-plan.js';
import type { Catalog } from '../../runbook/catalog.js';
import { ExitCode } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { envelope } from '../output/json.js';
import { createStyle } from '../output/style.js';
import { catalogOf, type CatalogFlags } from './catalog-inputs.js';

/** The catalog as data: every scenario with the data centers it loses and the runbooks (with params) that answer it. */
export function scenariosJson(catalog: Catalog) {
  return {
    topology: { name: catalog.topology.name, file: catalog.topologyFile },
    scenarios: catalog.scenarios.map((s) => ({
      name: s.name,
      description: s.description ?? null,
      lost: s.lost,
      written: s.written,
      runbooks: s.parts.map((p) => ({ name: p.runbook.name, file: p.runbook.file, params: p.params })),
    })),
    runbooks: catalog.runbooks.map((r) => ({
      name: r.runbook.name,
      file: r.runbook.file,
      scenarios: (r.runbook.scenarios ?? []).map((s) => s.name),
    })),
    skipped: catalog.skipped,
  };
}

/** drctl scenarios [PATH...]: the catalog of recovery plans: which disaster each runbook answers. Exit 0, 3 bad input. */
export async function scenariosCommand(io: CliIO, paths: string[], flags: CatalogFlags, _cmd: Command): Promise<ExitCode> {
  const catalog = await catalogOf(paths, flags);
  if (io.json) {
    io.out(envelope('scenarios', true, scenariosJson(catalog)));
    return ExitCode.ok;
  }
  const st = createStyle(io.color.out);
  const rows = catalog.scenarios.map((s) => [
    s.name,
    `${s.written.join(', ')}${s.written.join(',') === s.lost.join(',') ? '' : ` (${s.lost.join(', ')})`}`,
    s.parts.map((p) => `${p.runbook.name}${Object.keys(p.params).length > 0 ? ` ${canonicalJson(p.params)}` : ''}`).join('; '),
  ]);
  const head = ['SCENARIO', 'LOST', 'ANSWERED BY (params)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  io.out(`Catalog of ${catalog.runbooks.length} runbooks against topology ${st.bold(catalog.topology.name)} (${catalog.topologyFile})`);
  io.out('');
  if (rows.length === 0) io.out('no scenarios: give runbooks spec.scenarios (README "Assess")');
  else for (const l of [st.dim(line(head)), ...rows.map(line)]) io.out(l);
  const without = catalog.runbooks.filter((r) => (r.runbook.scenarios ?? []).length === 0);
  if (without.length > 0) io.out(`\nwithout scenarios (not in the catalog of plans): ${without.map((r) => r.runbook.name).join(', ')}`);
  if (catalog.skipped.length > 0) io.out(`not runbooks, left out: ${catalog.skipped.map((s) => `${s.file} (${s.kind})`).join(', ')}`);
  return ExitCode.ok;
}
