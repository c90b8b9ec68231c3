import { describe, expect, it } from 'vitest';
import { canonicalIpv6, decodeMessage, encodeQuery, formatIpv6, readName, recordText, TYPE } from '../../../src/kinds/dns-record/wire.js';

describe('dns wire format', () => {
  it.each([
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:DB8::0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ['::', '::'],
  ])('IPv6 %s in canonical form is %s (RFC 5952)', (input, canonical) => {
    expect(canonicalIpv6(input)).toBe(canonical);
  });

  it('formats 16 bytes as an address', () => {
    expect(formatIpv6(Buffer.from('20010db8000000000000000000000001', 'hex'))).toBe('2001:db8::1');
  });

  it("reads a reply with compressed names, TTLs and each type's data", () => {
    const q = encodeQuery(0x1234, 'app.example.test', TYPE.CNAME);
    expect(q.readUInt16BE(0)).toBe(0x1234);
    expect(readName(q, 12)).toEqual({ name: 'app.example.test', end: 12 + 18 });
    // reply: the question, then one CNAME whose name and target point back into it
    const header = Buffer.from([0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0]);
    const rr = Buffer.concat([Buffer.from([0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 42, 0, 6, 3, ...Buffer.from('www'), 0xc0, 16])]);
    const m = decodeMessage(Buffer.concat([header, q.subarray(12), rr]));
    expect(m).toMatchObject({ id: 0x1234, rcode: 0, authoritative: true, truncated: false });
    expect(m.answers.map((a) => [a.name, a.type, a.ttl, recordText(a)])).toEqual([
      ['app.example.test', TYPE.CNAME, 42, 'www.example.test'],
    ]);
  });
});
