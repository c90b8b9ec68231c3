import type { ShardFence, StoredFence } from './fence.js';
import type { RuleMap, ShardMap } from './shard-map.js';

/** What a change did; published with every new version. */
export const CHANGE_KINDS = ['init', 'fence', 'map', 'unfence', 'rollback'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One notification: the version a change created and what kind of change it was. */
export interface RuleChange {
  readonly version: number;
  readonly kind: ChangeKind;
  readonly atIso: string;
}

/** A stored version: the rules plus how they came to be (kept as history, so rollback is exact). */
export interface RuleVersion extends RuleMap {
  readonly kind: ChangeKind;
  readonly atIso: string;
}

export interface RuleUpdate {
  readonly kind: ChangeKind;
  readonly map: ShardMap;
  readonly fence: ShardFence | null;
  /** The data centers cut in this version (default: none). */
  readonly cut?: readonly string[];
}

export type CasOutcome =
  | { readonly ok: true; readonly version: number }
  /** Someone else changed the rules first. currentVersion is 0 when the store is empty. */
  | { readonly ok: false; readonly reason: 'conflict'; readonly currentVersion: number };

export interface Subscription {
  close(): Promise<void>;
}

/**
 * The configuration centre holding the routing rules. Versions start at 1 (0 = empty store) and go
 * up by one with every change; a write succeeds only if the version is still the one the writer read
 * (compare-and-set), so two concurrent flips cannot both win. Every version is kept.
 */
export interface RuleStore {
  /** For messages: "redis://127.0.0.1:7100/0?prefix=drctl:rules:", "file:/path/rules.json". */
  readonly label: string;
  /** The current rules; undefined when nothing was published yet. */
  read(): Promise<RuleVersion | undefined>;
  /** An exact past version (for rollback and diff); undefined if unknown. */
  readVersion(version: number): Promise<RuleVersion | undefined>;
  /** Write `next` as version expectedVersion+1 if the current version is expectedVersion. */
  compareAndSet(expectedVersion: number, next: RuleUpdate): Promise<CasOutcome>;
  /**
   * Called for every version after the one current when the returned promise resolves, in order,
   * each once (gaps, e.g. a lost message, are filled from the history).
   */
  subscribe(onChange: (change: RuleChange) => void, onError?: (e: Error) => void): Promise<Subscription>;
  close(): Promise<void>;
}

/** Lift the write fence (CAS on the version read); the map and the cut set are unchanged. */
export function clearFence(store: RuleStore, current: RuleMap): Promise<CasOutcome> {
  return store.compareAndSet(current.version, { kind: 'unfence', map: current.map, fence: null, cut: current.cut });
}

/** Stored JSON of one version (map in compact runs). Shared by the file and Redis stores. */
export interface VersionDocument {
  readonly version: number;
  readonly kind: ChangeKind;
  readonly atIso: string;
  readonly map: { readonly shardCount: number; readonly runs: readonly (readonly [string, number, number])[] };
  readonly fence: StoredFence | null;
  readonly cut: readonly string[];
}
