import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopologyFile } from '../../../src/rules/load-topology.js';
import type { Topology } from '../../../src/rules/topology.js';

export const LAB_TOPOLOGY_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../runbooks/lab/topology.yaml');

export async function labTopology(): Promise<Topology> {
  const loaded = await loadTopologyFile(LAB_TOPOLOGY_FILE);
  if (!loaded.topology) throw new Error(`lab topology invalid: ${JSON.stringify(loaded.diagnostics)}`);
  return loaded.topology;
}
