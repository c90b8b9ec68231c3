import type { Etcd3, ICompare, IKeyValue, IRequestOp, IResponseOp } from 'etcd3';

/**
 * The few etcd v3 operations drctl builds transactions from, on the raw KV API (the same on every
 * member: each transaction is applied through Raft, atomically, or not at all).
 */
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

export const cmp = {
  /** The key exists and holds exactly `value` (false when the key is absent). */
  valueIs: (key: string, value: string): ICompare => ({ key: b(key), target: 'Value', result: 'Equal', value: b(value) }),
  /** The key was created at this revision (0: the key does not exist). */
  createdAt: (key: string, revision: string | number): ICompare => ({
    key: b(key),
    target: 'Create',
    result: 'Equal',
    create_revision: revision,
  }),
  /** The key was last changed at this revision (0: the key does not exist). */
  modifiedAt: (key: string, revision: string | number): ICompare => ({
    key: b(key),
    target: 'Mod',
    result: 'Equal',
    mod_revision: revision,
  }),
  /** The key is bound to this lease. */
  leaseIs: (key: string, lease: string): ICompare => ({ key: b(key), target: 'Lease', result: 'Equal', lease }),
};

export const op = {
  put: (key: string, value: string, lease?: string): IRequestOp => ({
    request_put: { key: b(key), value: b(value), ...(lease ? { lease } : {}) },
  }),
  del: (key: string): IRequestOp => ({ request_delete_range: { key: b(key) } }),
  get: (key: string): IRequestOp => ({ request_range: { key: b(key) } }),
};

export interface TxnResult {
  readonly succeeded: boolean;
  readonly revision: string;
  /** The key-values read by the branch that ran (its get ops, in order). */
  readonly reads: readonly (IKeyValue | undefined)[];
}

export async function txn(
  client: Etcd3,
  compare: readonly ICompare[],
  success: readonly IRequestOp[],
  failure: readonly IRequestOp[] = [],
): Promise<TxnResult> {
  const r = await client.kv.txn({ compare: [...compare], success: [...success], failure: [...failure] });
  const reads = (r.responses ?? []).flatMap((x: IResponseOp) => (x.response_range ? [x.response_range.kvs[0]] : []));
  return { succeeded: r.succeeded, revision: r.header.revision, reads };
}

export async function getKv(client: Etcd3, key: string): Promise<IKeyValue | undefined> {
  return (await client.kv.range({ key: b(key) })).kvs[0];
}

/** Keys per range call: a long journal must not exceed gRPC's 4 MiB message limit in one answer. */
const PAGE = 500;

/**
 * Every key under prefix, in key order, read in pages of PAGE keys (all at one revision, so a page
 * read later never sees a write the first page did not); `last` reads only the greatest key.
 */
export async function getPrefix(client: Etcd3, prefix: string, o: { readonly last?: boolean } = {}): Promise<IKeyValue[]> {
  const end = prefixEnd(b(prefix));
  if (o.last) return (await client.kv.range({ key: b(prefix), range_end: end, sort_order: 'Descend', sort_target: 'Key', limit: 1 })).kvs;
  const out: IKeyValue[] = [];
  let from = b(prefix);
  let revision: string | undefined;
  for (;;) {
    const r = await client.kv.range({
      key: from,
      range_end: end,
      sort_order: 'Ascend',
      sort_target: 'Key',
      limit: PAGE,
      ...(revision ? { revision } : {}),
    });
    revision ??= r.header.revision;
    out.push(...r.kvs);
    const last = r.kvs[r.kvs.length - 1];
    if (!r.more || !last) return out;
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
}

/** The first key after every key that starts with prefix. */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

export const text = (kv: IKeyValue | undefined): string | undefined => kv?.value.toString('utf8');
