import type { KindRegistry } from '../kinds/registry.js';
import type { Runbook } from './types.js';

/**
 * Load the client libraries the runbook's kinds use now: they are imported lazily (validate and other
 * commands start without them), and a step — the RTO of a switch — must not include loading them. A
 * library that fails to load fails its step later, clearly.
 */
export async function preloadKinds(runbook: Runbook, registry: KindRegistry): Promise<void> {
  const kinds = new Set([...runbook.steps.map((s) => s.kind), ...(runbook.fault ? [runbook.fault.kind] : [])]);
  const loads = [...kinds].map((name) => registry.get(name)?.preload?.());
  await Promise.all(loads.map((p) => Promise.resolve(p).catch(() => undefined)));
}
