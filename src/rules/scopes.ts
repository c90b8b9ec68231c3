import { didYouMean, suggestionSuffix } from '../util/did-you-mean.js';
import { err, ok, type Result } from '../util/result.js';
import type { Topology } from './topology.js';

/** dc: one data center; city: all of a city's; pair: two data centers in different cities; custom: any other set. */
export type FailureScopeClass = 'dc' | 'city' | 'pair' | 'custom';

/** A set of data centers lost together: what `drctl assess` asks the estate about. */
export interface FailureScope {
  /** "hz-a", "hz" (a city), "hz-a+sh-b". */
  readonly id: string;
  readonly class: FailureScopeClass;
  /** "hz-a", "city hz (hz-a, hz-b)", "hz-a + sh-b". */
  readonly label: string;
  /** The data centers lost, in topology order. */
  readonly lost: readonly string[];
}

/** The data centers of each city, in topology order. */
export function citiesOf(topology: Topology): { readonly name: string; readonly dcs: readonly string[] }[] {
  return topology.cities.map((name) => ({ name, dcs: topology.dcs.filter((d) => d.city === name).map((d) => d.name) }));
}

const inOrder = (topology: Topology, dcs: Iterable<string>): string[] => {
  const set = new Set(dcs);
  return topology.dcs.map((d) => d.name).filter((d) => set.has(d));
};

/**
 * Names of data centers or cities (a city stands for all its data centers) → the data centers, in
 * topology order. An unknown name is refused naming it, with a did-you-mean.
 */
export function resolveLost(
  topology: Topology,
  names: readonly string[],
): Result<string[], { readonly name: string; readonly message: string }> {
  const cities = new Map(citiesOf(topology).map((c) => [c.name, c.dcs]));
  const dcNames = topology.dcs.map((d) => d.name);
  const out = new Set<string>();
  for (const name of names) {
    const city = cities.get(name);
    if (city) city.forEach((d) => out.add(d));
    else if (dcNames.includes(name)) out.add(name);
    else {
      const suggestion = didYouMean(name, [...dcNames, ...cities.keys()]);
      return err({
        name,
        message: `unknown data center or city "${name}" in topology ${topology.name}${suggestionSuffix(suggestion)} (data centers: ${dcNames.join(', ')}; cities: ${[...cities.keys()].join(', ')})`,
      });
    }
  }
  return ok(inOrder(topology, out));
}

/** The scope of a set of data centers: its class and id (a whole city is named by the city). */
export function scopeOf(topology: Topology, lost: readonly string[]): FailureScope {
  const dcs = inOrder(topology, lost);
  const cities = citiesOf(topology);
  const city = cities.find((c) => c.dcs.length > 1 && c.dcs.length === dcs.length && c.dcs.every((d) => dcs.includes(d)));
  if (city) return { id: city.name, class: 'city', label: `city ${city.name} (${dcs.join(', ')})`, lost: dcs };
  if (dcs.length === 1) return { id: dcs[0] ?? '', class: 'dc', label: dcs[0] ?? '', lost: dcs };
  const cityOf = (dc: string): string | undefined => topology.dcs.find((d) => d.name === dc)?.city;
  const pair = dcs.length === 2 && cityOf(dcs[0] ?? '') !== cityOf(dcs[1] ?? '');
  return { id: dcs.join('+'), class: pair ? 'pair' : 'custom', label: dcs.join(' + '), lost: dcs };
}

/**
 * Every failure scope the estate is assessed against, in this order: each data center, each city (of
 * more than one data center: a one-DC city is its DC's scope), each pair of data centers in different cities.
 */
export function enumerateScopes(topology: Topology): FailureScope[] {
  const dcs = topology.dcs.map((d) => d.name);
  const single = dcs.map((d) => scopeOf(topology, [d]));
  const cities = citiesOf(topology)
    .filter((c) => c.dcs.length > 1)
    .map((c) => scopeOf(topology, c.dcs));
  const pairs: FailureScope[] = [];
  topology.dcs.forEach((a, i) => {
    for (const b of topology.dcs.slice(i + 1)) if (a.city !== b.city) pairs.push(scopeOf(topology, [a.name, b.name]));
  });
  return [...single, ...cities, ...pairs];
}
