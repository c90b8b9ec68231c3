import { isIPv6 } from 'node:net';

/**
 * The DNS wire format, as much as dns.record needs (RFC 1035, 3596): a query, and the answer and
 * authority sections of a reply with each record's TTL (Node's resolver gives a TTL for A/AAAA only).
 */
export const TYPE = { A: 1, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28 } as const;
export const OPCODE = { QUERY: 0, NOTIFY: 4 } as const;
export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  /** The whole message and where this record's data starts (names in data may point back into it). */
  readonly msg: Buffer;
  readonly dataAt: number;
  readonly dataLength: number;
}

export interface DnsMessage {
  readonly id: number;
  readonly rcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly answers: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
}

function encodeName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '');
  const parts = labels.map((l) => {
    const b = Buffer.from(l, 'utf8');
    if (b.length > 63) throw new Error(`DNS label "${l}" is longer than 63 bytes`);
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  const out = Buffer.concat([...parts, Buffer.from([0])]);
  if (out.length > 255) throw new Error(`DNS name "${name}" is longer than 255 bytes`);
  return out;
}

/** A query (or, with opcode NOTIFY, a notify) for one name and type, class IN, no recursion wanted. */
export function encodeQuery(id: number, name: string, type: number, opcode: number = OPCODE.QUERY): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE((opcode << 11) | (opcode === OPCODE.NOTIFY ? 0x0400 : 0), 2); // NOTIFY carries AA
  header.writeUInt16BE(1, 4);
  const question = Buffer.alloc(4);
  question.writeUInt16BE(type, 0);
  question.writeUInt16BE(1, 2);
  return Buffer.concat([header, encodeName(name), question]);
}

/** A (possibly compressed) name at offset: the name without its final dot, and where the field ends. */
export function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  let end = -1;
  for (let hops = 0; hops < 128; hops++) {
    const len = msg.readUInt8(at);
    if (len === 0) return { name: labels.join('.'), end: end === -1 ? at + 1 : end };
    if ((len & 0xc0) === 0xc0) {
      if (end === -1) end = at + 2;
      at = msg.readUInt16BE(at) & 0x3fff;
      continue;
    }
    labels.push(msg.toString('utf8', at + 1, at + 1 + len));
    at += 1 + len;
  }
  throw new Error('DNS name compression loop');
}

function readRecords(msg: Buffer, at: number, count: number): { records: ResourceRecord[]; end: number } {
  const records: ResourceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const { name, end } = readName(msg, at);
    const type = msg.readUInt16BE(end);
    const ttl = msg.readUInt32BE(end + 4);
    const dataLength = msg.readUInt16BE(end + 8);
    records.push({ name, type, ttl, msg, dataAt: end + 10, dataLength });
    at = end + 10 + dataLength;
  }
  return { records, end: at };
}

export function decodeMessage(msg: Buffer): DnsMessage {
  if (msg.length < 12) throw new Error(`DNS reply too short (${msg.length} bytes)`);
  const flags = msg.readUInt16BE(2);
  let at = 12;
  for (let i = 0; i < msg.readUInt16BE(4); i++) at = readName(msg, at).end + 4;
  const answers = readRecords(msg, at, msg.readUInt16BE(6));
  const authority = readRecords(msg, answers.end, msg.readUInt16BE(8));
  return {
    id: msg.readUInt16BE(0),
    rcode: flags & 0x0f,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    answers: answers.records,
    authority: authority.records,
  };
}

/** A record's data as text: A/AAAA address, CNAME target (no final dot), TXT strings joined. */
export function recordText(rr: ResourceRecord): string {
  const data = rr.msg.subarray(rr.dataAt, rr.dataAt + rr.dataLength);
  switch (rr.type) {
    case TYPE.A:
      return [...data].join('.');
    case TYPE.AAAA:
      return formatIpv6(data);
    case TYPE.CNAME:
      return readName(rr.msg, rr.dataAt).name;
    case TYPE.TXT: {
      const chunks: string[] = [];
      for (let i = 0; i < data.length; i += 1 + (data[i] ?? 0)) chunks.push(data.toString('utf8', i + 1, i + 1 + (data[i] ?? 0)));
      return chunks.join('');
    }
    default:
      return data.toString('hex');
  }
}

/** SOA MINIMUM (the zone's negative-caching TTL). */
export function soaMinimum(rr: ResourceRecord): number {
  const rname = readName(rr.msg, readName(rr.msg, rr.dataAt).end);
  return rr.msg.readUInt32BE(rname.end + 16);
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
export function formatIpv6(bytes: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** An IPv6 address in the canonical text form (so "2001:db8:0:0::1" equals the server's "2001:db8::1"). */
export function canonicalIpv6(text: string): string {
  if (!isIPv6(text) || text.includes('.')) return text.toLowerCase();
  const [head = '', tail = ''] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = text.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const all = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const bytes = Buffer.alloc(16);
  all.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return formatIpv6(bytes);
}
