import type { Diagnostic, SourcePosition } from '../util/diagnostic.js';
import { DiagnosticSink, type DataPath } from './diagnostics.js';
import { computeFlip, type FlipProblem } from './flip.js';
import { loadTopologyFile } from './load-topology.js';
import { initialMap } from './shard-map.js';
import type { Topology } from './topology.js';

/**
 * Static check for `validate`: would cutting these data centers strand a shard (no surviving owner,
 * a partner loop) or push a zone over capacity, starting from the topology's own map? Diagnostics
 * point into the topology file; an unknown data center points at `cutAt` (the runbook's `cut`) when
 * given. Invalid topology files return their own diagnostics.
 */
export async function checkStrandedShards(
  topologyFile: string,
  cut: readonly string[],
  cutAt?: SourcePosition,
): Promise<readonly Diagnostic[]> {
  const loaded = await loadTopologyFile(topologyFile);
  if (!loaded.topology) return loaded.diagnostics;
  const topology = loaded.topology;
  const plan = computeFlip(topology, initialMap(topology), cut);
  if (plan.ok) return [];
  const sink = new DiagnosticSink((path, part) => (path.length === 0 && cutAt ? cutAt : loaded.locate(path, part)));
  for (const p of plan.error.problems) {
    const path = problemPath(topology, p);
    sink.error(`flip-${p.reason}`, path, `cutting ${[...new Set(cut)].join(', ')}: ${p.message}`, path.length === 0 ? {} : { part: 'key' });
  }
  return sink.diagnostics;
}

function problemPath(topology: Topology, p: FlipProblem): DataPath {
  if (p.reason === 'unknown-dc' || p.reason === 'shard-count-mismatch') return [];
  const zone = topology.zones.find((z) => z.name === p.zone);
  if (!zone) return [];
  const base = ['spec', 'cities', zone.city, 'dcs', zone.dc, 'zones', zone.name];
  return p.reason === 'over-capacity' ? [...base, 'capacity'] : [...base, 'partners'];
}
