import { describe, expect, it } from 'vitest';
import { createDecoder, SUPPORTED_LINK_TYPES } from '../../src/decode/index.js';
import { ethernet, ipv4, ipv6, loop, nullLink, packet, pppoe, sll, sll2, tcp } from './helpers/build.js';
import { decodeAll, outcomeSum } from './helpers/collect.js';

const payload = Buffer.from('EHLO client.example\r\n');
const seg = tcp({ srcPort: 51000, dstPort: 25, seq: 0xfffffff0, ack: 7, flags: 0x18, window: 513, payload });
const ip4 = ipv4(seg, { src: '10.1.2.3', dst: '10.4.5.6' });
const ip6 = ipv6(seg, { src: 'fe80::1', dst: '2001:db8:0:0:1::25' });

const expected4 = {
  frame: 1,
  ipVersion: 4,
  src: '10.1.2.3',
  dst: '10.4.5.6',
  srcPort: 51000,
  dstPort: 25,
  seq: 0xfffffff0,
  ack: 7,
  flags: 0x18,
  window: 513,
  payload: payload.toString('latin1'),
  payloadLength: payload.length,
};
const expected6 = { ...expected4, ipVersion: 6, src: 'fe80::1', dst: '2001:db8::1:0:0:25' };

/** [name, link type, frame carrying IPv4, frame carrying IPv6] */
const CASES: [string, number, Buffer, Buffer][] = [
  ['Ethernet', 1, ethernet(0x0800, ip4), ethernet(0x86dd, ip6)],
  ['Ethernet 802.1Q', 1, ethernet(0x0800, ip4, [[0x8100, 100]]), ethernet(0x86dd, ip6, [[0x8100, 100]])],
  ['Ethernet QinQ 802.1ad+802.1Q', 1, ethernet(0x0800, ip4, [[0x88a8, 10], [0x8100, 20]]), ethernet(0x86dd, ip6, [[0x88a8, 10], [0x8100, 20]])],
  ['Ethernet QinQ 0x9100 x3', 1, ethernet(0x0800, ip4, [[0x9100, 1], [0x9100, 2], [0x8100, 3]]), ethernet(0x86dd, ip6, [[0x9100, 1], [0x8100, 3]])],
  ['Ethernet PPPoE session', 1, ethernet(0x8864, pppoe(0x0021, ip4)), ethernet(0x8864, pppoe(0x0057, ip6))],
  ['Ethernet 802.1Q + PPPoE', 1, ethernet(0x8864, pppoe(0x0021, ip4), [[0x8100, 7]]), ethernet(0x8864, pppoe(0x0057, ip6), [[0x8100, 7]])],
  ['Linux SLL', 113, sll(0x0800, ip4), sll(0x86dd, ip6)],
  ['Linux SLL with a VLAN tag', 113, sll(0x8100, Buffer.concat([Buffer.from([0, 5, 8, 0]), ip4])), sll(0x86dd, ip6)],
  ['Linux SLL2', 276, sll2(0x0800, ip4), sll2(0x86dd, ip6)],
  ['raw IP (101)', 101, ip4, ip6],
  ['raw IP (DLT 12)', 12, ip4, ip6],
  ['raw IP (DLT 14)', 14, ip4, ip6],
  ['IPv4 (228) / IPv6 (229)', 228, ip4, ip6],
  ['BSD null, little-endian host, AF_INET6 = 30 (Darwin)', 0, nullLink(2, ip4), nullLink(30, ip6)],
  ['BSD null, big-endian host, AF_INET6 = 24 (NetBSD/OpenBSD)', 0, nullLink(2, ip4, 'be'), nullLink(24, ip6, 'be')],
  ['BSD null, AF_INET6 = 28 (FreeBSD)', 0, nullLink(2, ip4), nullLink(28, ip6)],
  ['OpenBSD loop (108)', 108, loop(2, ip4), loop(24, ip6)],
];

describe('link types', () => {
  for (const [name, linkType, f4, f6] of CASES) {
    it(`${name}: TCP over IPv4 and IPv6`, () => {
      const r4 = decodeAll([packet(linkType, f4)]);
      expect(r4.segments).toEqual([expected4]);
      expect(r4.anomalies).toEqual([]);
      const r6 = decodeAll([packet(linkType === 228 ? 229 : linkType, f6)]);
      expect(r6.segments).toEqual([expected6]);
      expect(r6.anomalies).toEqual([]);
    });
  }

  it('every supported link type is exercised above', () => {
    const covered = new Set(CASES.map((c) => c[1]).concat([229]));
    expect([...SUPPORTED_LINK_TYPES].sort((a, b) => a - b)).toEqual([...covered].sort((a, b) => a - b));
  });

  it('payload and addresses are views into the packet buffer, not copies', () => {
    const frame = ethernet(0x0800, ip4, [[0x8100, 1]]);
    let seen = false;
    createDecoder({
      segment(s) {
        seen = true;
        expect(s.payload.buffer).toBe(frame.buffer);
        expect(s.src.buffer).toBe(frame.buffer);
        expect(s.payload.byteOffset - frame.byteOffset).toBe(14 + 4 + 20 + 20);
      },
    }).packet(packet(1, frame));
    expect(seen).toBe(true);
  });

  it('non-IP frames (ARP, LLDP, 802.3 LLC, SLL non-IP protocol, null AF 7) count as non-ip', () => {
    const frames = [
      packet(1, ethernet(0x0806, Buffer.alloc(28))),
      packet(1, ethernet(0x88cc, Buffer.alloc(30))),
      packet(1, ethernet(46, Buffer.alloc(46))),
      packet(1, ethernet(0x8864, pppoe(0xc021, Buffer.alloc(10)))),
      packet(113, sll(0x0004, Buffer.alloc(30))),
      packet(0, nullLink(7, ip4)),
      packet(108, loop(0x1000, ip4)),
    ];
    const r = decodeAll(frames);
    expect(r.segments).toEqual([]);
    expect(r.anomalies).toEqual([]);
    expect(r.stats.nonIp).toBe(frames.length);
    expect(outcomeSum(r.stats)).toBe(frames.length);
  });

  it('an unknown link type is one anomaly per link type, every packet counted', () => {
    const r = decodeAll([packet(105, ip4, 1), packet(105, ip4, 2), packet(127, ip4, 3), packet(105, ip4, 4), packet(1, ethernet(0x0800, ip4), 5)]);
    expect(r.anomalies.map((a) => [a.kind, a.frame])).toEqual([
      ['unsupported-link-type', 1],
      ['unsupported-link-type', 3],
    ]);
    expect(r.stats.unsupportedLink).toBe(4);
    expect(r.stats.unsupportedLinkTypes).toEqual([105, 127]);
    expect(r.stats.tcp).toBe(1);
    expect(outcomeSum(r.stats)).toBe(5);
  });

  it('tags stacked beyond any real frame end the walk as non-ip, without looping', () => {
    const tags = Array.from({ length: 12 }, (_, i): [number, number] => [0x8100, i]);
    const r = decodeAll([packet(1, ethernet(0x0800, ip4, tags))]);
    expect(r.stats.nonIp).toBe(1);
  });
});
