import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, ipv6, packet, tcp } from './helpers/build.js';
import { decodeAll, outcomeSum } from './helpers/collect.js';

const payload = Buffer.from('MAIL FROM:<a@b>\r\n');

describe('IPv4', () => {
  it('skips options by IHL (record route + NOPs, IHL 15)', () => {
    const options = Buffer.concat([Buffer.from([7, 39, 4]), Buffer.alloc(36), Buffer.from([1])]); // 40 bytes
    const ip = ipv4(tcp({ payload }), { options });
    expect(ip[0]! & 0x0f).toBe(15);
    const r = decodeAll([packet(1, ethernet(0x0800, ip))]);
    expect(r.segments.map((s) => [s.payload, s.payloadLength, s.srcPort])).toEqual([[payload.toString('latin1'), payload.length, 40000]]);
  });

  it('trims Ethernet padding by the total length', () => {
    const ip = ipv4(tcp({ payload: Buffer.from('Q') }));
    const frame = ethernet(0x0800, ip);
    expect(frame.length).toBe(60); // 14 + 41 + 5 bytes of padding
    frame.fill(0xee, 14 + ip.length);
    const r = decodeAll([packet(1, frame)]);
    expect(r.segments[0]!.payload).toBe('Q');
    expect(r.segments[0]!.payloadLength).toBe(1);
  });

  it('a snap length shorter than the datagram: payload is what was captured, payloadLength what the header claims', () => {
    const frame = ethernet(0x0800, ipv4(tcp({ payload: Buffer.alloc(1000, 0x41) })));
    const r = decodeAll([packet(1, frame.subarray(0, 14 + 40 + 100), 1, 0, frame.length)]);
    expect(r.segments[0]!.payload.length).toBe(100);
    expect(r.segments[0]!.payloadLength).toBe(1000);
    expect(r.anomalies).toEqual([]);
  });

  it('total length 0 (TSO on the capturing host) takes the captured length, as Wireshark does', () => {
    const ip = ipv4(tcp({ payload }), { totalLength: 0 });
    const r = decodeAll([packet(101, ip)]);
    expect(r.segments[0]!.payloadLength).toBe(payload.length);
  });

  it('non-TCP protocols are counted, not decoded', () => {
    const r = decodeAll([packet(101, ipv4(Buffer.alloc(8), { proto: 17 })), packet(101, ipv4(Buffer.alloc(8), { proto: 1 }))]);
    expect(r.segments).toEqual([]);
    expect(r.stats.nonTcp).toBe(2);
  });

  it('IHL below 5, total length below the header, and a bad version are malformed, with anomalies', () => {
    const badIhl = ipv4(tcp());
    badIhl[0] = 0x44;
    const shortTotal = ipv4(tcp(), { totalLength: 19 });
    const v5 = ipv4(tcp());
    v5[0] = 0x55;
    const r = decodeAll([packet(101, badIhl, 1), packet(101, shortTotal, 2), packet(228, v5, 3)]);
    expect(r.anomalies.map((a) => [a.frame, a.kind])).toEqual([
      [1, 'ip-bad-header'],
      [2, 'ip-bad-header'],
      [3, 'ip-bad-header'],
    ]);
    expect(r.stats.malformed).toBe(3);
    expect(outcomeSum(r.stats)).toBe(3);
  });

  it('EtherType 0x0800 carrying a version-6 header is decoded as IPv6 (as Wireshark does)', () => {
    const r = decodeAll([packet(1, ethernet(0x0800, ipv6(tcp({ payload }))))]);
    expect(r.segments.map((s) => [s.ipVersion, s.payload])).toEqual([[6, payload.toString('latin1')]]);
  });

  it('TCP data offset below 5 or beyond the claimed segment is tcp-bad-data-offset', () => {
    const low = tcp();
    low[12] = 0x40;
    const high = tcp();
    high[12] = 0xf0; // 60 bytes claimed, 20 present and claimed by IP
    const r = decodeAll([packet(101, ipv4(low), 1), packet(101, ipv4(high), 2)]);
    expect(r.anomalies.map((a) => [a.frame, a.kind])).toEqual([
      [1, 'tcp-bad-data-offset'],
      [2, 'tcp-bad-data-offset'],
    ]);
    expect(r.segments).toEqual([]);
    expect(r.stats.malformed).toBe(2);
  });

  it('TCP options cut by the snap length: the segment still counts, with a tcp-truncated-header anomaly', () => {
    const seg = tcp({ flags: 0x02, options: Buffer.from('020405b40402080a0000000100000000', 'hex') });
    const ip = ipv4(seg);
    const r = decodeAll([packet(101, ip.subarray(0, 20 + 30))]);
    expect(r.segments.map((s) => [s.flags, s.payload, s.payloadLength])).toEqual([[0x02, '', 0]]);
    expect(r.anomalies.map((a) => a.kind)).toEqual(['tcp-truncated-header']);
    expect(r.stats.tcp).toBe(1);
  });
});
