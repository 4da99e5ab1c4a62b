import { describe, expect, it } from 'vitest';
import type { Packet } from '../../src/capture/types.js';
import { ethernet, ipv4, ipv6, packet, tcp } from './helpers/build.js';
import { decodeAll, outcomeSum } from './helpers/collect.js';

const body = Buffer.from(Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')}\r\n`).join('')); // 1000 bytes
const datagram = tcp({ srcPort: 2525, dstPort: 25, seq: 1000, payload: body }); // 1020 bytes

/** Cuts the TCP datagram into IPv4 fragments at the given byte offsets (multiples of 8). */
function v4Fragments(cuts: number[], id = 0x4242, data = datagram): Buffer[] {
  const bounds = [0, ...cuts, data.length];
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    out.push(ethernet(0x0800, ipv4(data.subarray(from, to), { id, fragOffset: from, more: to < data.length })));
  }
  return out;
}

function frames(bufs: Buffer[], startSec = 100, step = 1): Packet[] {
  return bufs.map((b, i) => packet(1, b, i + 1, startSec + i * step));
}

const whole = { srcPort: 2525, dstPort: 25, seq: 1000, payload: body.toString('latin1'), payloadLength: 1000 };
const pick = (s: { srcPort: number; dstPort: number; seq: number; payload: string; payloadLength: number; frame: number }) => ({
  srcPort: s.srcPort,
  dstPort: s.dstPort,
  seq: s.seq,
  payload: s.payload,
  payloadLength: s.payloadLength,
});

describe('IPv4 fragment reassembly', () => {
  it('in order: one segment, at the frame of the last fragment', () => {
    const r = decodeAll(frames(v4Fragments([8, 400, 800])));
    expect(r.segments.map(pick)).toEqual([whole]);
    expect(r.segments[0]!.frame).toBe(4);
    expect(r.anomalies).toEqual([]);
    expect(r.stats).toMatchObject({ packets: 4, fragmentHeld: 3, tcp: 1, reassembled: 1 });
    expect(outcomeSum(r.stats)).toBe(4);
  });

  it('reversed: the first fragment arrives last and completes the datagram', () => {
    const r = decodeAll(frames(v4Fragments([16, 512]).reverse()));
    expect(r.segments.map(pick)).toEqual([whole]);
    expect(r.segments[0]!.frame).toBe(3);
  });

  it('every arrival order of four fragments gives the same datagram', () => {
    const f = v4Fragments([200, 400, 600]);
    const orders = permutations([0, 1, 2, 3]);
    for (const o of orders) {
      const r = decodeAll(frames(o.map((i) => f[i]!)));
      expect(r.segments.map(pick)).toEqual([whole]);
      expect(r.segments[0]!.frame).toBe(4);
    }
  });

  it('overlapping fragments with equal bytes reassemble without an anomaly', () => {
    const d = datagram;
    const a = ethernet(0x0800, ipv4(d.subarray(0, 600), { fragOffset: 0, more: true }));
    const b = ethernet(0x0800, ipv4(d.subarray(400, 1016), { fragOffset: 400, more: true }));
    const c = ethernet(0x0800, ipv4(d.subarray(1000), { fragOffset: 1000, more: false }));
    const r = decodeAll(frames([b, c, a]));
    expect(r.segments.map(pick)).toEqual([whole]);
    expect(r.anomalies).toEqual([]);
  });

  it('conflicting overlap: the lower offset wins, then the earlier arrival; reported once', () => {
    const d = datagram;
    const tampered = Buffer.from(d.subarray(400, 1016));
    tampered.fill(0x58, 0, 200); // bytes 400..600 say XXXX in the second fragment
    const a = ethernet(0x0800, ipv4(d.subarray(0, 600), { more: true }));
    const b = ethernet(0x0800, ipv4(tampered, { fragOffset: 400, more: true }));
    const c = ethernet(0x0800, ipv4(d.subarray(1000), { fragOffset: 1000 }));
    // Lower offset wins even when it arrives last.
    const r1 = decodeAll(frames([b, c, a]));
    expect(r1.segments.map(pick)).toEqual([whole]);
    expect(r1.anomalies.map((x) => [x.kind, x.frame])).toEqual([['ip-fragment-overlap-conflict', 3]]);
    // Same offset twice: the earlier arrival wins.
    const a2 = ethernet(0x0800, ipv4(d.subarray(0, 400), { more: true }));
    const b2 = ethernet(0x0800, ipv4(d.subarray(400, 1000), { fragOffset: 400, more: true }));
    const r2 = decodeAll(frames([a2, b, b2, c]));
    expect(r2.segments[0]!.payload).toBe(body.subarray(0, 380).toString('latin1') + 'X'.repeat(200) + body.subarray(580).toString('latin1'));
    expect(r2.anomalies.map((x) => x.kind)).toEqual(['ip-fragment-overlap-conflict']);
  });

  it('missing last piece: held, then a timeout anomaly once fragmentTimeoutSec of capture time passed', () => {
    const f = v4Fragments([400, 800]);
    const later = packet(1, ethernet(0x0800, ipv4(tcp())), 3, 100 + 61);
    const r = decodeAll([...frames([f[0]!, f[1]!]), later], {}, false);
    expect(r.anomalies.map((a) => [a.kind, a.frame])).toEqual([['ip-fragment-timeout', 1]]);
    expect(r.anomalies[0]!.detail).toContain('0-400,400-800');
    expect(r.stats.fragmentTrainsDropped).toBe(1);
    expect(r.segments.map((s) => s.frame)).toEqual([3]);
  });

  it('the last piece arriving after the timeout does not complete anything', () => {
    const f = v4Fragments([400, 800]);
    const r = decodeAll([packet(1, f[0]!, 1, 100), packet(1, f[1]!, 2, 101), packet(1, f[2]!, 3, 170)]);
    expect(r.segments).toEqual([]);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['ip-fragment-timeout', 'ip-fragment-incomplete']);
  });

  it('still incomplete at flush: ip-fragment-incomplete', () => {
    const f = v4Fragments([400]);
    const r = decodeAll(frames([f[1]!]));
    expect(r.anomalies.map((a) => [a.kind, a.frame])).toEqual([['ip-fragment-incomplete', 1]]);
  });

  it('trains are kept apart by id, source, destination and protocol', () => {
    const a = v4Fragments([504], 1);
    const b = v4Fragments([504], 2);
    const r = decodeAll(frames([a[0]!, b[1]!, b[0]!, a[1]!]));
    expect(r.segments.map((s) => s.frame)).toEqual([3, 4]);
    expect(r.segments.map(pick)).toEqual([whole, whole]);
  });

  it('fragments of non-TCP protocols are counted as non-TCP and never held', () => {
    const r = decodeAll(frames([ethernet(0x0800, ipv4(Buffer.alloc(16), { proto: 17, more: true }))]));
    expect(r.stats).toMatchObject({ nonTcp: 1, fragmentHeld: 0 });
    expect(r.anomalies).toEqual([]);
  });

  it('more trains than maxTrains: the oldest is dropped with ip-fragment-overflow', () => {
    const heads = [1, 2, 3].map((id) => v4Fragments([504], id)[0]!);
    const r = decodeAll(frames([...heads, v4Fragments([504], 1)[1]!]), { fragments: { maxTrains: 2 } });
    expect(r.anomalies.map((a) => [a.kind, a.frame])).toEqual([
      ['ip-fragment-overflow', 3], // train 1 (frame 1) makes room for train 3
      ['ip-fragment-overflow', 4], // the tail of train 1 starts a new train; train 2 goes
      ['ip-fragment-incomplete', 3],
      ['ip-fragment-incomplete', 4],
    ]);
    expect(r.segments).toEqual([]);
  });

  it('a train beyond maxBytes is dropped with ip-fragment-too-big', () => {
    const r = decodeAll(frames(v4Fragments([504])), { fragments: { maxBytes: 800 } });
    // The second fragment would end at 1020 > 800: the whole train goes, nothing is left for flush.
    expect(r.anomalies.map((a) => [a.kind, a.frame])).toEqual([['ip-fragment-too-big', 2]]);
    expect(r.stats.fragmentTrainsDropped).toBe(1);
    expect(r.segments).toEqual([]);
  });

  it('a fragment cut by the snap length is not reassembled', () => {
    const f = v4Fragments([504]);
    const r = decodeAll(frames([f[0]!.subarray(0, 100), f[1]!]));
    expect(r.anomalies.map((a) => a.kind)).toEqual(['ip-fragment-truncated', 'ip-fragment-incomplete']);
    expect(r.stats.truncated).toBe(1);
  });

  it('two different last fragments: the first end wins, the second is reported', () => {
    const f = v4Fragments([504]);
    const bogusTail = ethernet(0x0800, ipv4(datagram.subarray(504, 900), { id: 0x4242, fragOffset: 504 }));
    const r = decodeAll(frames([f[1]!, bogusTail, f[0]!]));
    expect(r.segments.map(pick)).toEqual([whole]);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['ip-fragment-bad-length']);
  });
});

describe('IPv6 fragment reassembly', () => {
  function v6Fragments(cuts: number[], id = 77): Buffer[] {
    const bounds = [0, ...cuts, datagram.length];
    return bounds.slice(0, -1).map((from, i) => {
      const to = bounds[i + 1]!;
      return ethernet(0x86dd, ipv6(datagram.subarray(from, to), { exts: [{ type: 0 }, { type: 44, frag: { offset: from, more: to < datagram.length, id } }] }));
    });
  }

  it('reassembles in any order, at the frame of the completing fragment', () => {
    const f = v6Fragments([16, 600]);
    for (const o of permutations([0, 1, 2])) {
      const r = decodeAll(frames(o.map((i) => f[i]!)));
      expect(r.segments.map(pick)).toEqual([whole]);
      expect(r.segments[0]!.frame).toBe(3);
      expect(r.segments[0]!.ipVersion).toBe(6);
    }
  });

  it('extension headers inside the fragmentable part are walked after reassembly', () => {
    const inner = Buffer.concat([Buffer.from([6, 0, 1, 4, 0, 0, 0, 0]), datagram]); // destination options, then TCP
    const f = [0, 504].map((from, i) =>
      ethernet(0x86dd, ipv6(inner.subarray(from, i === 0 ? 504 : inner.length), { exts: [{ type: 44, frag: { offset: from, more: i === 0, id: 5 } }], next: 60 })),
    );
    const r = decodeAll(frames(f));
    expect(r.segments.map(pick)).toEqual([whole]);
  });

  it('a missing piece times out', () => {
    const f = v6Fragments([504]);
    const r = decodeAll([packet(1, f[0]!, 1, 0), packet(1, ethernet(0x86dd, ipv6(tcp())), 2, 1000)], {}, false);
    expect(r.anomalies.map((a) => [a.kind, a.frame])).toEqual([['ip-fragment-timeout', 1]]);
  });
});

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
