import { fileURLToPath } from 'node:url';
import { loadTopologyFile } from '../../rules/load-topology.js';
import { openRuleStore } from '../../rules/open-store.js';
import { initialMap } from '../../rules/shard-map.js';
import { DrctlError, ExitCode } from '../../util/errors.js';

/** The lab's topology (three cities, five data centers, RZ01..RZ05), shipped with drctl. */
export const LAB_TOPOLOGY_FILE = fileURLToPath(new URL('../../../runbooks/lab/topology.yaml', import.meta.url));

/**
 * Publish the lab topology's own routing map into the lab's config centre as version 1, so the lab
 * runbooks' rules.flip steps find rules to flip. Returns the store URL.
 */
export async function publishLabRules(configCentre: string): Promise<string> {
  const loaded = await loadTopologyFile(LAB_TOPOLOGY_FILE);
  if (!loaded.topology)
    throw new DrctlError('lab-topology', ExitCode.failed, `the lab topology ${LAB_TOPOLOGY_FILE} is invalid`, {
      diagnostics: loaded.diagnostics,
    });
  const url = configCentre.startsWith('redis://') ? configCentre : `redis://${configCentre}`;
  const store = await openRuleStore(url, process.cwd());
  try {
    const current = await store.read();
    const r = await store.compareAndSet(current?.version ?? 0, { kind: 'init', map: initialMap(loaded.topology), fence: null });
    if (!r.ok)
      throw new DrctlError(
        'lab-rules',
        ExitCode.failed,
        `could not publish the lab rules to ${url}: version changed to ${r.currentVersion}`,
      );
    return url;
  } finally {
    await store.close();
  }
}
