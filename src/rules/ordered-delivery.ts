import type { RuleChange, RuleStore } from './store.js';

/**
 * Turns "the store is now at version N" signals (pub/sub messages, file polls) into exactly one
 * callback per version, in order: gaps (a lost message, a poll that saw two writes) are filled from
 * the store's history; duplicates and versions before the start are dropped.
 */
export function createOrderedDelivery(
  store: Pick<RuleStore, 'readVersion'>,
  start: Promise<number>,
  onChange: (change: RuleChange) => void,
  onError: (e: Error) => void,
): (upTo: number, known?: RuleChange) => Promise<void> {
  let last = -1;
  let chain: Promise<void> = start.then((v) => {
    last = v;
  });
  return (upTo, known) => {
    chain = chain
      .then(async () => {
        for (let v = last + 1; v <= upTo; v++) {
          const change = known?.version === v ? known : await changeAt(store, v);
          last = v;
          if (change) onChange(change);
        }
      })
      .catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
    return chain;
  };
}

async function changeAt(store: Pick<RuleStore, 'readVersion'>, version: number): Promise<RuleChange | undefined> {
  const v = await store.readVersion(version);
  return v ? { version: v.version, kind: v.kind, atIso: v.atIso } : undefined;
}
