import { loadTopologyFile } from '../rules/load-topology.js';
import { resolveLost } from '../rules/scopes.js';
import type { Topology } from '../rules/topology.js';
import { didYouMean, suggestionSuffix } from '../util/did-you-mean.js';
import { DrctlError, ExitCode, usageError } from '../util/errors.js';
import type { Runbook } from './types.js';

/**
 * --lost NAMES (run, drill, respond): comma-separated names → the lost data centers, or a usage error
 * (exit 3) naming --lost. With a topology a name is one of its data centers or cities (a city stands for
 * its data centers), as everywhere the topology is read. Without one, a name must be a data center the
 * runbook names as one: see runbookDcs.
 */
export function resolveLostNames(text: string, known: { readonly topology: Topology } | { readonly dcs: readonly string[] }): string[] {
  const names = text.split(',').map((d) => d.trim());
  if (names.every((d) => d === '')) throw usageError('--lost names no data center or city', 'e.g. --lost hz-a,hz-b or --lost hz');
  if (names.some((d) => d === '')) throw usageError(`--lost "${text}": data center names, comma-separated (e.g. --lost hz-a,hz-b)`);
  if ('topology' in known) {
    const lost = resolveLost(known.topology, names);
    if (!lost.ok) throw usageError(`--lost ${lost.error.message}`);
    return lost.value;
  }
  for (const name of names) {
    if (known.dcs.includes(name)) continue;
    throw usageError(
      `--lost ${name}: no data center of that name in the runbook${suggestionSuffix(didYouMean(name, known.dcs))} (its data centers: ${known.dcs.join(', ') || 'none'})`,
      "without spec.topology a data center is one the runbook names as one: a step's dc:, a value of a dc/dcs/…Dcs/cut/lost field or param",
    );
  }
  return [...new Set(names)];
}

/** Fields whose values name data centers: `dc`, `dcs`, `cut`, `lost`, and any `…Dcs` (expectDcs). */
const DC_FIELD = /^(dc|dcs|cut|lost)$|Dcs$/;

/**
 * The data centers a runbook without a topology names as such: a step's `dc:`, and every plain value of a
 * field (in a step's `with:`, the fault, or a param's value) named `dc`, `dcs`, `cut`, `lost` or `…Dcs` —
 * a string, a list of strings, or a map's values (`dcs: {addr: dc}`). Templates (`${…}`) are not names:
 * the params they read are walked with their values.
 */
export function runbookDcs(runbook: Runbook, params: Readonly<Record<string, unknown>>): string[] {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v !== '' && !v.includes('${')) out.add(v);
    } else if (Array.isArray(v)) v.forEach(add);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(add);
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (DC_FIELD.test(k)) add(x);
        else walk(x);
      }
  };
  for (const s of runbook.steps) {
    (s.dcs ?? []).forEach(add);
    walk(s.with);
  }
  walk(runbook.fault);
  walk(params);
  return [...out];
}

/** run/drill --lost NAMES: against the runbook's spec.topology when it has one, else the data centers it names. */
export async function lostOfRunbook(text: string, runbook: Runbook, params: Readonly<Record<string, unknown>>): Promise<string[]> {
  if (runbook.topology === undefined) return resolveLostNames(text, { dcs: runbookDcs(runbook, params) });
  const loaded = await loadTopologyFile(runbook.topology);
  if (!loaded.topology)
    throw new DrctlError('topology-invalid', ExitCode.invalidInput, `${runbook.topology} is not a valid topology`, {
      diagnostics: loaded.diagnostics,
    });
  return resolveLostNames(text, { topology: loaded.topology });
}

/**
 * The runbook with its fault's `lost` read through spec.topology as --lost is (a city stands for its data
 * centers: `lost: [hz]` → hz-a, hz-b); validate has checked the names (checks/scenario-names.ts). Without a
 * topology, or without fault.lost (the fault kind's dcs then), the runbook as it is.
 */
export async function withFaultLostExpanded(runbook: Runbook): Promise<Runbook> {
  const fault = runbook.fault;
  if (fault?.lost === undefined || fault.lost.length === 0 || runbook.topology === undefined) return runbook;
  return { ...runbook, fault: { ...fault, lost: await lostOfRunbook(fault.lost.join(','), runbook, {}) } };
}
