import { describe, expect, it } from 'vitest';
import { ipv6, packet, tcp, type Ext } from './helpers/build.js';
import { decodeAll } from './helpers/collect.js';

const payload = Buffer.from('RCPT TO:<x@y>\r\n');
const seg = tcp({ payload });

describe('IPv6 extension headers', () => {
  const chains: [string, Ext[]][] = [
    ['none', []],
    ['hop-by-hop', [{ type: 0 }]],
    ['routing', [{ type: 43, bodyLength: 22 }]],
    ['destination options', [{ type: 60, bodyLength: 14 }]],
    ['AH', [{ type: 51, bodyLength: 12 }]],
    ['atomic fragment (RFC 6946)', [{ type: 44, frag: { offset: 0, more: false, id: 9 } }]],
    ['all of them in order', [{ type: 0 }, { type: 60 }, { type: 43 }, { type: 44, frag: { offset: 0, more: false, id: 3 } }, { type: 51 }, { type: 60 }]],
  ];
  for (const [name, exts] of chains) {
    it(`${name} → TCP`, () => {
      const r = decodeAll([packet(229, ipv6(seg, { exts }))]);
      expect(r.anomalies).toEqual([]);
      expect(r.segments.map((s) => [s.ipVersion, s.srcPort, s.payload, s.payloadLength])).toEqual([[6, 40000, payload.toString('latin1'), payload.length]]);
    });
  }

  it('UDP, ICMPv6, ESP and No Next Header after extensions are non-TCP', () => {
    const r = decodeAll([17, 58, 50, 59].map((next) => packet(229, ipv6(Buffer.alloc(16), { exts: [{ type: 0 }], next }))));
    expect(r.segments).toEqual([]);
    expect(r.stats.nonTcp).toBe(4);
  });

  it('payload length trims trailing bytes', () => {
    const ip = Buffer.concat([ipv6(seg), Buffer.alloc(10, 0xee)]);
    const r = decodeAll([packet(229, ip)]);
    expect(r.segments[0]!.payload).toBe(payload.toString('latin1'));
  });

  it('an extension header longer than the payload length is ipv6-bad-extension-header', () => {
    const ip = ipv6(seg, { exts: [{ type: 60 }] });
    ip[41] = 200; // 1608 bytes claimed
    const r = decodeAll([packet(229, ip)]);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['ipv6-bad-extension-header']);
    expect(r.stats.malformed).toBe(1);
  });

  it('snap length cutting the TCP payload: payloadLength still says what the header claims', () => {
    const ip = ipv6(tcp({ payload: Buffer.alloc(500) }), { exts: [{ type: 0 }] });
    const r = decodeAll([packet(229, ip.subarray(0, 40 + 8 + 20 + 7))]);
    expect(r.segments.map((s) => [s.payload.length, s.payloadLength])).toEqual([[7, 500]]);
  });
});
