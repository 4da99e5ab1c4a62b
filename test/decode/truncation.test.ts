import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, ipv6, loop, nullLink, packet, pppoe, sll, sll2, tcp } from './helpers/build.js';
import { decodeAll, outcomeSum } from './helpers/collect.js';

const seg = tcp({ options: Buffer.from('020405b4', 'hex'), payload: Buffer.from('DATA\r\n') });
const ip4 = ipv4(seg, { options: Buffer.from([0x94, 4, 0, 0]) }); // router alert
const ip6 = ipv6(seg, { exts: [{ type: 0 }, { type: 60 }, { type: 51 }] });

/** [name, link type, frame, offset where the TCP header ends (the segment needs at least this much)] */
const CASES: [string, number, Buffer, number][] = [
  ['Ethernet QinQ IPv4', 1, ethernet(0x0800, ip4, [[0x88a8, 1], [0x8100, 2]], false), 22 + 24 + 20],
  ['Ethernet IPv6 + extensions', 1, ethernet(0x86dd, ip6, [], false), 14 + 40 + 8 + 8 + 16 + 20],
  ['PPPoE IPv4', 1, ethernet(0x8864, pppoe(0x21, ip4), [], false), 14 + 8 + 24 + 20],
  ['SLL IPv6', 113, sll(0x86dd, ip6), 16 + 40 + 32 + 20],
  ['SLL2 IPv4', 276, sll2(0x0800, ip4), 20 + 24 + 20],
  ['null IPv4', 0, nullLink(2, ip4), 4 + 24 + 20],
  ['loop IPv6', 108, loop(24, ip6), 4 + 40 + 32 + 20],
  ['raw IPv4', 101, ip4, 24 + 20],
  ['raw IPv6', 229, ip6, 40 + 32 + 20],
];

describe('truncated at every length: never throws, every packet accounted for', () => {
  for (const [name, linkType, frame, fixedTcpEnd] of CASES) {
    it(name, () => {
      const full = decodeAll([packet(linkType, frame)]);
      expect(full.segments).toHaveLength(1);
      const fullSeg = full.segments[0]!;
      for (let len = 0; len <= frame.length; len++) {
        const r = decodeAll([packet(linkType, frame.subarray(0, len), 1, 0, frame.length)]);
        expect(outcomeSum(r.stats), `length ${len}`).toBe(1);
        if (len >= fixedTcpEnd) {
          // The 20-byte TCP header is in: the segment comes out, with what was captured of the payload.
          expect(r.segments, `length ${len}`).toHaveLength(1);
          const s = r.segments[0]!;
          expect({ ...s, payload: '' }).toEqual({ ...fullSeg, payload: '' });
          expect(fullSeg.payload.startsWith(s.payload)).toBe(true);
          // Options cut (between the fixed header and the data offset) is reported; a cut payload is not.
          const optionsEnd = frame.length - 6;
          expect(r.anomalies.map((a) => a.kind), `length ${len}`).toEqual(len < optionsEnd ? ['tcp-truncated-header'] : []);
        } else {
          expect(r.segments, `length ${len}`).toEqual([]);
          expect(r.stats.truncated, `length ${len}`).toBe(1);
          expect(r.anomalies, `length ${len}`).toHaveLength(1);
          expect(['link-truncated', 'ip-truncated-header', 'tcp-truncated-header']).toContain(r.anomalies[0]!.kind);
        }
      }
    });
  }

  it('garbage of every length on every link type never throws', () => {
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const junk = Buffer.from(Array.from({ length: 200 }, rand));
    // Make the garbage look like IP often enough to reach the deeper parsers.
    junk[0] = 0x45;
    for (const linkType of [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]) {
      for (let len = 0; len <= junk.length; len++) {
        const r = decodeAll([packet(linkType, junk.subarray(0, len))]);
        expect(outcomeSum(r.stats)).toBe(1);
      }
    }
  });
});
