import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../../util/diagnostic.js';
import { isDrctlError } from '../../util/errors.js';
import type { LoadedRunbook } from '../load.js';

interface RawSpec {
  readonly topology?: unknown;
  readonly scenarios?: unknown;
  readonly steps?: unknown;
  readonly fault?: { readonly lost?: unknown };
}

const namesAt = (v: unknown): { name: string; index: number | undefined }[] =>
  typeof v === 'string'
    ? [{ name: v, index: undefined }]
    : Array.isArray(v)
      ? v.flatMap((x, i) => (typeof x === 'string' ? [{ name: x, index: i }] : []))
      : [];

/**
 * Async (it reads spec.topology): every data center or city a scenario's `lost` or the fault's `lost`
 * names, and every step's `dc:`, exists in the topology (did-you-mean otherwise). A topology that cannot be read or is invalid is
 * reported at spec.topology.
 */
export async function checkScenarioNames(loaded: Pick<LoadedRunbook, 'file' | 'data' | 'sourceMap'>): Promise<Diagnostic[]> {
  const spec = (loaded.data as { spec?: RawSpec } | undefined)?.spec;
  const scenarios = Array.isArray(spec?.scenarios) ? (spec.scenarios as { lost?: unknown }[]) : [];
  const steps = Array.isArray(spec?.steps) ? (spec.steps as { dc?: unknown }[]) : [];
  const uses = [
    ...scenarios.flatMap((s, i) => namesAt(s?.lost).map((n) => ({ ...n, path: ['spec', 'scenarios', i, 'lost'], dcOnly: false }))),
    ...steps.flatMap((s, i) => namesAt(s?.dc).map((n) => ({ ...n, path: ['spec', 'steps', i, 'dc'], dcOnly: true }))),
    ...namesAt(spec?.fault?.lost).map((n) => ({ ...n, path: ['spec', 'fault', 'lost'], dcOnly: false })),
  ];
  if (typeof spec?.topology !== 'string' || uses.length === 0) return [];
  const at = loaded.sourceMap.locate(['spec', 'topology']);
  // the rules modules are loaded only for a runbook that names a topology
  const { loadTopologyFile } = await import('../../rules/load-topology.js');
  const { resolveLost } = await import('../../rules/scopes.js');
  let topology;
  try {
    const t = await loadTopologyFile(resolve(dirname(loaded.file), spec.topology));
    if (!t.topology)
      return [
        {
          severity: 'error',
          code: 'topology-invalid',
          message: `spec.topology ${spec.topology} is not a valid topology (drctl rules show --topology ${spec.topology} says why)`,
          ...at,
        },
      ];
    topology = t.topology;
  } catch (e) {
    if (!isDrctlError(e)) throw e;
    return [{ severity: 'error', code: 'file-not-found', message: (e as Error).message, ...at }];
  }
  const dcNames = topology.dcs.map((d) => d.name);
  const out: Diagnostic[] = [];
  for (const u of uses) {
    const where = loaded.sourceMap.locate(u.index === undefined ? u.path : [...u.path, u.index]);
    if (u.dcOnly && !dcNames.includes(u.name)) {
      const r = resolveLost(topology, [u.name]);
      const message = r.ok
        ? `"${u.name}" is a city: a step's dc names data centers (${r.value.join(', ')})`
        : r.error.message.replace('data center or city', 'data center');
      out.push({ severity: 'error', code: 'unknown-dc', message, ...where });
    } else if (!u.dcOnly) {
      const r = resolveLost(topology, [u.name]);
      if (!r.ok) out.push({ severity: 'error', code: 'unknown-dc', message: r.error.message, ...where });
    }
  }
  return out;
}
