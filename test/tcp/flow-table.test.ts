import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/decode/types.js';
import { createFlowTable } from '../../src/tcp/flow-table.js';
import { flowKey, formatIp } from '../../src/tcp/flow-key.js';
import * as keyMod from '../../src/tcp/flow-key.js';
import { seqAdd, seqDiff, seqLe, seqLt } from '../../src/tcp/seq.js';
import type { StreamEvent } from '../../src/tcp/events.js';
import { run, type Step } from './helpers.js';

const syn = (cport: number, t: number, seq = 100): Step => ({ d: 'c', seq, f: 'S', cport, t });
const data = (cport: number, t: number, text: string, off = 0): Step => ({ d: 'c', seq: 101 + off, ack: 1, f: 'PA', data: text, cport, t });

describe('seq arithmetic', () => {
  it('wraps at 2^32', () => {
    expect(seqAdd(4294967295, 1)).toBe(0);
    expect(seqAdd(4294967290, 10)).toBe(4);
    expect(seqDiff(4, 4294967290)).toBe(10);
    expect(seqDiff(4294967290, 4)).toBe(-10);
    expect(seqLt(4294967290, 4)).toBe(true);
    expect(seqLt(4, 4294967290)).toBe(false);
    expect(seqLe(7, 7)).toBe(true);
    expect(seqAdd(1, 2 ** 40)).toBe(1);
  });
});

describe('flow keys', () => {
  it('is the same for both directions and differs by port and address', () => {
    const a = Buffer.from([192, 168, 1, 2]);
    const b = Buffer.from([10, 0, 0, 1]);
    const k1 = flowKey(a, 1000, b, 25);
    expect(keyMod.srcIsA).toBe(false);
    const k2 = flowKey(b, 25, a, 1000);
    expect(keyMod.srcIsA).toBe(true);
    expect(k1).toBe(k2);
    expect(flowKey(a, 1001, b, 25)).not.toBe(k1);
    expect(flowKey(a, 25, b, 1000)).not.toBe(k1);
    const a6 = Buffer.alloc(16, 0);
    a6[15] = 1;
    const b6 = Buffer.alloc(16, 0);
    b6[0] = 0x20;
    b6[1] = 0x01;
    expect(flowKey(a6, 1, b6, 2)).toBe(flowKey(b6, 2, a6, 1));
    expect(flowKey(a6, 1, b6, 2)).not.toBe(flowKey(a6, 1, b6, 3));
  });

  it('formats addresses once per flow, IPv6 per RFC 5952', () => {
    expect(formatIp(Buffer.from([10, 0, 0, 1]))).toBe('10.0.0.1');
    expect(formatIp(Buffer.from('20010db8000000000000000000000001', 'hex'))).toBe('2001:db8::1');
    expect(formatIp(Buffer.alloc(16))).toBe('::');
    expect(formatIp(Buffer.from('20010db8000000010000000000000000', 'hex'))).toBe('2001:db8:0:1::');
    expect(formatIp(Buffer.from('20010db8000100000001000000000001', 'hex'))).toBe('2001:db8:1:0:1::1');
  });

  it('IPv6 flows reassemble like IPv4 ones', () => {
    const events: StreamEvent[] = [];
    const table = createFlowTable((e) => events.push(e), { isServerPort: (p) => p === 25 });
    const c = Buffer.from('20010db8000000000000000000000001', 'hex');
    const s = Buffer.from('20010db8000000000000000000000002', 'hex');
    const seg = (fromC: boolean, seq: number, flags: number, payload: string, frame: number): Segment => ({
      frame,
      time: { sec: frame, nsec: 0 },
      ipVersion: 6,
      src: fromC ? c : s,
      dst: fromC ? s : c,
      srcPort: fromC ? 50000 : 25,
      dstPort: fromC ? 25 : 50000,
      seq,
      ack: 0,
      flags,
      window: 100,
      payload: Buffer.from(payload),
      payloadLength: payload.length,
    });
    table.segment(seg(true, 10, 0x02, '', 1));
    table.segment(seg(false, 99, 0x12, '', 2));
    table.segment(seg(true, 14, 0x18, 'def', 3));
    table.segment(seg(true, 11, 0x18, 'abc', 4));
    table.end(4, { sec: 4, nsec: 0 });
    const text = events.flatMap((e) => (e.type === 'data' ? [e.bytes.toString()] : [])).join('');
    expect(text).toBe('abcdef');
    expect(events[0]!.flow.client).toEqual({ ip: '2001:db8::1', port: 50000 });
  });
});

describe('flow limits, idle timeout, tombstones', () => {
  it('evicts the least recently seen flow at maxFlows, closing it as timeout/evicted', () => {
    const r = run([syn(1, 1), syn(2, 2), data(1, 3, 'a'), syn(3, 4)], { limits: { maxFlows: 2 } });
    // Flow of port 2 was seen least recently (port 1 spoke at t=3).
    const close = r.events.find((e) => e.type === 'close');
    expect(close).toEqual({ type: 'close', stream: 1, reason: 'timeout', cause: 'evicted', frame: 2 });
    expect(r.events.filter((e) => e.type === 'open').map((e) => e.stream)).toEqual([0, 1, 2]);
    expect(r.table.stats()).toMatchObject({ evicted: 1, streams: 3 });
  });

  it('an evicted flow that speaks again keeps its tcp.stream and reopens mid-stream', () => {
    const r = run([syn(1, 1), syn(2, 2), syn(3, 3), data(1, 4, 'late')], { limits: { maxFlows: 2 } });
    const opens = r.events.filter((e) => e.type === 'open').map((e) => e.stream);
    // Port 1 was evicted by port 3's SYN, then reopened under its old number 0, evicting port 2.
    expect(opens).toEqual([0, 1, 2, 0]);
    expect(r.text(0, 'c2s')).toBe('late');
    expect(r.raw.find((e) => e.type === 'data')!.flow.roleBy).toBe('syn');
    expect(r.table.stats()).toMatchObject({ reopened: 1, evicted: 2 });
  });

  it('closes flows idle longer than idleTimeoutSec in capture time, with their last frame', () => {
    // t=120 jumps past the idle timeout; t=121 confirms the jump (see the next test).
    const r = run([syn(1, 100), data(1, 105, 'x'), syn(2, 106), syn(3, 120), syn(4, 121)], { limits: { idleTimeoutSec: 10 } });
    const closes = r.events.filter((e) => e.type === 'close');
    expect(closes[0]).toEqual({ type: 'close', stream: 0, reason: 'timeout', cause: 'idle', frame: 2 });
    // Port 2 (t=106) is idle 15 s at t=121: closed too; ports 3 and 4 end with the capture.
    expect(closes.map((e) => e.type === 'close' && [e.stream, e.reason])).toEqual([
      [0, 'timeout'],
      [1, 'timeout'],
      [2, 'capture-end'],
      [3, 'capture-end'],
    ]);
    expect(r.table.stats()).toMatchObject({ idleClosed: 2, live: 0 });
  });

  it('one packet with a corrupt far-future timestamp does not close idle flows', () => {
    // wireshark-notes smtp-ssl.pcapng frame 2 says 2063 between two 2015 packets.
    const r = run([syn(1, 100), syn(2, 2_000_000_000), data(1, 101, 'x'), syn(3, 102)], { limits: { idleTimeoutSec: 10 } });
    const closes = r.events.filter((e) => e.type === 'close');
    expect(closes.map((e) => e.type === 'close' && e.reason)).toEqual(['capture-end', 'capture-end', 'capture-end']);
    expect(r.table.stats()).toMatchObject({ idleClosed: 0 });
  });

  it('a late packet on a closed flow keeps its stream, does not reopen it, and is counted', () => {
    const steps: Step[] = [
      { d: 'c', seq: 100, f: 'S', t: 1 },
      { d: 's', seq: 500, ack: 101, f: 'SA', t: 1 },
      { d: 'c', seq: 101, ack: 501, f: 'FA', t: 2 },
      { d: 's', seq: 501, ack: 102, f: 'FA', t: 2 },
      { d: 'c', seq: 102, ack: 502, f: 'A', t: 3 },
      // Past the linger: the flow is a tombstone now. A retransmitted FIN, a stray data segment.
      { d: 's', seq: 501, ack: 102, f: 'FA', t: 500 },
      { d: 's', seq: 502, ack: 102, f: 'PA', data: 'zz', t: 501 },
      // Then a real new connection on the same 4-tuple.
      { d: 'c', seq: 7000, f: 'S', t: 502 },
    ];
    const r = run(steps, { closedLingerSec: 60 });
    expect(r.events.filter((e) => e.type === 'open').map((e) => [e.stream, e.frame])).toEqual([
      [0, 1],
      [1, 8],
    ]);
    expect(r.events.filter((e) => e.type === 'data')).toEqual([]);
    expect(r.table.stats()).toMatchObject({ packetsAfterClose: 3, streams: 2, tombstones: 0, live: 0, closed: 1 });
    expect(r.raw[0]!.flow.frames).toBe(5); // the final ACK counted while lingering
  });

  it('a new SYN on an open flow closes it (port-reuse) before opening the next stream', () => {
    const r = run([syn(1, 1), data(1, 2, 'ab', 0), data(1, 3, 'd', 3), syn(1, 4, 9000)]);
    expect(r.events.slice(2, 6)).toEqual([
      { type: 'gap', stream: 0, dir: 'c2s', off: 2, length: 1, frame: 3 },
      expect.objectContaining({ type: 'data', stream: 0, text: 'd' }),
      { type: 'close', stream: 0, reason: 'timeout', cause: 'port-reuse', frame: 3 },
      { type: 'open', stream: 1, frame: 4 },
    ]);
    expect(r.table.stats().portReused).toBe(1);
  });

  it('tombstones are bounded: the oldest is dropped and counted', () => {
    const steps: Step[] = [];
    for (let p = 1; p <= 4; p++) steps.push({ d: 'c', seq: 1, f: 'R', cport: p, t: p });
    steps.push({ d: 'c', seq: 1, f: 'R', cport: 999, t: 200 }); // sweeps the lingering closed flows
    const r = run(steps, { closedLingerSec: 1, limits: { maxTombstones: 2 } });
    expect(r.table.stats()).toMatchObject({ tombstones: 2, tombstonesDropped: 2, streams: 5 });
  });

  it('lingering closed flows are bounded by count too: the oldest becomes a tombstone early', () => {
    const steps: Step[] = [];
    for (let p = 1; p <= 5; p++) steps.push({ d: 'c', seq: 1, f: 'R', cport: p, t: 1 });
    // A late packet for the oldest flow (within the 60 s linger, but pushed out by count).
    steps.push({ d: 's', seq: 9, ack: 1, f: 'A', cport: 1, t: 2 });
    const r = run(steps, { limits: { maxLingeringClosedFlows: 3 } });
    expect(r.table.stats()).toMatchObject({ closed: 3, tombstones: 2, streams: 5, packetsAfterClose: 1 });
    expect(r.raw[0]!.flow.frames).toBe(1); // a tombstone does not count frames
    const whole = run(steps, {});
    expect(whole.table.stats()).toMatchObject({ closed: 5, tombstones: 0 });
    expect(whole.raw[0]!.flow.frames).toBe(2);
  });

  it('capture end closes open flows in tcp.stream order, gaps first', () => {
    const r = run([syn(2, 1), syn(1, 2), data(1, 3, 'b', 1), data(2, 4, 'x')]);
    // Stream 1's hole at offset 0 never filled: a gap, then the held byte, then the close.
    const tail = r.events.slice(-4);
    expect(tail).toEqual([
      { type: 'close', stream: 0, reason: 'capture-end', frame: 4 },
      { type: 'gap', stream: 1, dir: 'c2s', off: 0, length: 1, frame: 3 },
      expect.objectContaining({ type: 'data', stream: 1, text: 'b', frame: 3 }),
      { type: 'close', stream: 1, reason: 'capture-end', frame: 4 },
    ]);
    expect([...r.table.flows()]).toEqual([]);
  });

  it('flows() lists open flows', () => {
    const r = run([syn(1, 1), syn(2, 2)], {}, false);
    expect([...r.table.flows()].map((f) => f.tcpStream)).toEqual([0, 1]);
  });
});
