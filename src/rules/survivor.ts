import type { ZoneIndex } from './topology.js';

export type Survivor = { readonly ok: true; readonly zone: string } | { readonly ok: false; readonly loop: readonly string[] | undefined };

/**
 * The zone that takes over `zone`'s shards when it is cut: its first partner not cut; when every
 * partner is cut, their own partner lists in order (depth first). A walk that comes back to a zone
 * already on its path is a loop; it is reported only when no survivor is found at all.
 */
export function resolveSurvivor(zone: string, zones: ZoneIndex, isCut: (zone: string) => boolean): Survivor {
  const partners = zones.get(zone)?.partners ?? [];
  const direct = partners.find((p) => zones.has(p) && !isCut(p));
  if (direct !== undefined) return { ok: true, zone: direct };
  const visited = new Set<string>([zone]);
  let loop: string[] | undefined;
  const walk = (from: string, path: readonly string[]): string | undefined => {
    for (const p of zones.get(from)?.partners ?? []) {
      if (!zones.has(p)) continue;
      if (path.includes(p)) {
        loop ??= [...path, p];
        continue;
      }
      if (visited.has(p)) continue;
      visited.add(p);
      if (!isCut(p)) return p;
      const found = walk(p, [...path, p]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const found = walk(zone, [zone]);
  return found === undefined ? { ok: false, loop } : { ok: true, zone: found };
}
