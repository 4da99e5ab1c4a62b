/**
 * Packets that come as offsets into a reader's chunk (Packet.chunk/dataStart/dataEnd,
 * what the pcap reader hands out) decode exactly like the same bytes given as `data`:
 * every link type, IPv4/IPv6, fragments, and every truncation point of each frame.
 */
import { describe, expect, it } from 'vitest';
import type { Packet } from '../../src/capture/types.js';
import { ethernet, ipv4, ipv6, loop, nullLink, packet, sll, sll2, tcp } from './helpers/build.js';
import { decodeAll } from './helpers/collect.js';

const seg = (i: number, payload: Buffer = Buffer.from(`line ${i}\r\n`)): Buffer =>
  tcp({ srcPort: 40000 + i, dstPort: 25, seq: 1000 * i, ack: 7 * i, flags: 0x18, payload });

/** The same packet, its bytes placed at an odd offset inside a larger buffer. */
function inChunk(p: Packet, lead: number): Packet {
  const chunk = Buffer.alloc(lead + p.data.length + 11, 0xee);
  p.data.copy(chunk, lead);
  return { frame: p.frame, time: p.time, linkType: p.linkType, data: chunk.subarray(lead, lead + p.data.length), origLength: p.origLength, fileOffset: 0, chunk, dataStart: lead, dataEnd: lead + p.data.length };
}

const big = seg(99, Buffer.from('x'.repeat(1400)));
const frags = [0, 480, 960].map((from, i, a) => ipv4(big.subarray(from, a[i + 1] ?? big.length), { id: 9, fragOffset: from, more: i < 2 }));
const FRAMES: [number, Buffer][] = [
  [1, ethernet(0x0800, ipv4(seg(1)))],
  [1, ethernet(0x86dd, ipv6(seg(2)), [[0x8100, 7]])],
  [1, ethernet(0x86dd, ipv6(seg(3), { exts: [{ type: 0 }, { type: 60 }] }))],
  [1, ethernet(0x0800, ipv4(seg(4), { options: Buffer.from([1, 1, 1, 0]) }))],
  [113, sll(0x0800, ipv4(seg(5)))],
  [276, sll2(0x86dd, ipv6(seg(6)))],
  [0, nullLink(2, ipv4(seg(7)))],
  [108, loop(24, ipv6(seg(8)))],
  ...frags.map((f): [number, Buffer] => [1, ethernet(0x0800, f)]),
];

describe('decoding from chunk offsets', () => {
  it('equals decoding from data, whole and cut at every length', () => {
    const packets: Packet[] = [];
    for (const [lt, f] of FRAMES) {
      for (let n = f.length; n >= 0; n -= n > 80 ? 37 : 1) packets.push(packet(lt, f.subarray(0, n), packets.length + 1));
    }
    const viaData = decodeAll(packets);
    expect(viaData.segments.length).toBeGreaterThan(10);
    expect(viaData.anomalies.length).toBeGreaterThan(10);
    for (const lead of [1, 24, 1000]) expect(decodeAll(packets.map((p) => inChunk(p, lead)))).toEqual(viaData);
  });
});
