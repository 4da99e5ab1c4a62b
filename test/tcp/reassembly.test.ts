import { describe, expect, it } from 'vitest';
import { expectContiguous, expectFramesCarryBytes, run, type Step } from './helpers.js';

const C = 1000; // client ISN: client data starts at C + 1
const S = 5000; // server ISN
const START = { c2s: C + 1, s2c: S + 1 };
const hs: Step[] = [
  { d: 'c', seq: C, f: 'S' },
  { d: 's', seq: S, ack: C + 1, f: 'SA' },
  { d: 'c', seq: C + 1, ack: S + 1, f: 'A' },
];
/** Client data at stream offset `off`. */
const cd = (off: number, data: string, extra: Partial<Step> = {}): Step => ({ d: 'c', seq: C + 1 + off, ack: S + 1, f: 'PA', data, ...extra });
const sd = (off: number, data: string, extra: Partial<Step> = {}): Step => ({ d: 's', seq: S + 1 + off, ack: C + 1, f: 'PA', data, ...extra });
/** Both FINs and the last ACK, client data length cl, server data length sl. */
const close = (cl: number, sl: number): Step[] => [
  { d: 'c', seq: C + 1 + cl, ack: S + 1 + sl, f: 'FA' },
  { d: 's', seq: S + 1 + sl, ack: C + 2 + cl, f: 'FA' },
  { d: 'c', seq: C + 2 + cl, ack: S + 2 + sl, f: 'A' },
];

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('in-order delivery', () => {
  it('delivers each segment as its own borrowed payload view, in order, with its frame', () => {
    const r = run([...hs, sd(0, '220 hi\r\n'), cd(0, 'EHLO a\r\n'), cd(8, 'QUIT\r\n'), sd(8, '221 bye\r\n'), ...close(14, 17)]);
    expect(r.text(0, 'c2s')).toBe('EHLO a\r\nQUIT\r\n');
    expect(r.text(0, 's2c')).toBe('220 hi\r\n221 bye\r\n');
    const data = r.events.filter((e) => e.type === 'data');
    expect(data.map((e) => e.frame)).toEqual([4, 5, 6, 7]);
    // No copy on the hot path: the event carries the segment's own payload object.
    for (const e of data) expect(e.type === 'data' && e.bytes).toBe(r.segments[e.frame - 1]!.payload);
    // Both FINs delivered: closed at the second FIN; the last ACK is a packet after close.
    expect(r.events.at(-1)).toEqual({ type: 'close', stream: 0, reason: 'fin', frame: 9 });
    expect(r.table.stats().packetsAfterClose).toBe(1);
    expect(r.raw[0]!.flow.frames).toBe(10);
    expect(r.events[0]).toEqual({ type: 'open', stream: 0, frame: 1 });
    const st = r.raw[0]!.flow.stats;
    expect(st.c2s).toMatchObject({ segments: 5, dataSegments: 2, bytes: 14, retransmissions: 0, gaps: 0, synFrame: 1, finFrame: 8 });
    expect(st.s2c).toMatchObject({ segments: 4, dataSegments: 2, bytes: 17, synFrame: 2, finFrame: 9 });
    expectContiguous(r);
    expectFramesCarryBytes(r, START);
  });

  it('works on payloadBuf offsets as the decoder gives them: no view per segment, the same bytes', () => {
    const steps = [...hs, sd(0, '220 hi\r\n'), cd(0, 'EHLO a\r\n'), cd(8, 'QU'), cd(12, '\r\n'), cd(10, 'IT'), sd(8, '221 bye\r\n'), ...close(14, 17)];
    const plain = run(steps);
    const offs = run(steps, {}, true, true);
    expect(offs.events.map(({ bytes: _b, ...e }) => e)).toEqual(plain.events.map(({ bytes: _b, ...e }) => e));
    expect(offs.text(0, 'c2s')).toBe('EHLO a\r\nQUIT\r\n');
    // In-order deliveries point into the segment's own buffer (no copy, no view); the
    // held one (out of order) is delivered from its copy.
    const inOrder = offs.raw.filter((e) => e.type === 'data' && e.frame !== 7);
    expect(inOrder.length).toBeGreaterThan(0);
    for (const e of inOrder) {
      if (e.type !== 'data') continue;
      const seg = offs.segments[e.frame - 1]!;
      expect(e.buf).toBe(seg.payloadBuf);
      expect([e.start, e.end]).toEqual([seg.payloadStart, seg.payloadEnd]);
    }
  });

  it('gives the same bytes for every permutation of 4 segments, each from the frame that carried it', () => {
    const parts = ['MAIL', ' FROM:', '<a@b>', '\r\n'];
    const offs = [0, 4, 10, 15];
    for (const order of permutations([0, 1, 2, 3])) {
      const r = run([...hs, ...order.map((i) => cd(offs[i]!, parts[i]!)), ...close(17, 0)]);
      expect(r.text(0, 'c2s')).toBe('MAIL FROM:<a@b>\r\n');
      const st = r.raw[0]!.flow.stats.c2s;
      expect(st.gaps).toBe(0);
      expect(st.bytes).toBe(17);
      // A segment is held when it arrives while an earlier one is still missing.
      const held = order.filter((v, k) => order.slice(k + 1).some((w) => w < v)).length;
      expect(st.outOfOrder).toBe(held);
      expect(r.events.at(-1)).toMatchObject({ type: 'close', reason: 'fin' });
      expectContiguous(r);
      expectFramesCarryBytes(r, START);
    }
  });
});

describe('retransmissions and overlaps: first copy wins', () => {
  it('counts conflicting bytes when a retransmission of held data differs, and keeps the first', () => {
    const r = run([...hs, cd(0, 'HELLO'), cd(10, 'WORLD'), cd(10, 'WORXD'), cd(5, '12345'), ...close(15, 0)]);
    expect(r.text(0, 'c2s')).toBe('HELLO12345WORLD');
    const st = r.raw[0]!.flow.stats.c2s;
    expect(st.conflictingBytes).toBe(1);
    expect(st.retransmissions).toBe(1);
    expect(r.events.filter((e) => e.type === 'data').map((e) => e.frame)).toEqual([4, 7, 5]);
    expectFramesCarryBytes(r, START);
  });

  it('an in-order segment overlapping held bytes yields to the held copy there', () => {
    const r = run([...hs, cd(5, 'AAAAA'), cd(0, '0123456789'), ...close(10, 0)]);
    expect(r.text(0, 'c2s')).toBe('01234AAAAA');
    expect(r.raw[0]!.flow.stats.c2s.conflictingBytes).toBe(5);
    expect(r.events.filter((e) => e.type === 'data').map((e) => [e.frame, e.type === 'data' && e.off])).toEqual([[5, 0], [4, 5]]);
    expectFramesCarryBytes(r, START);
  });

  it('partial overlap with delivered data delivers only the new tail', () => {
    const r = run([...hs, cd(0, 'abcdef'), cd(4, 'efghij'), ...close(10, 0)]);
    expect(r.text(0, 'c2s')).toBe('abcdefghij');
    expect(r.events.filter((e) => e.type === 'data').map((e) => (e.type === 'data' ? [e.frame, e.off, e.text] : 0))).toEqual([
      [4, 0, 'abcdef'],
      [5, 6, 'ghij'],
    ]);
    expect(r.raw[0]!.flow.stats.c2s.retransmissions).toBe(0);
  });

  it('a segment inside delivered data is a retransmission', () => {
    const r = run([...hs, cd(0, '0123456789'), cd(3, '34'), ...close(10, 0)]);
    expect(r.text(0, 'c2s')).toBe('0123456789');
    expect(r.raw[0]!.flow.stats.c2s.retransmissions).toBe(1);
  });

  it('a segment covering a held piece fills around it, the held piece keeps its own frame', () => {
    // held [4,6) "XY"; then [2,10) arrives, still ahead of [0,2).
    const r = run([...hs, cd(4, 'XY'), cd(2, '23456789'), cd(0, '01'), ...close(10, 0)]);
    expect(r.text(0, 'c2s')).toBe('0123XY6789');
    const st = r.raw[0]!.flow.stats.c2s;
    expect(st.conflictingBytes).toBe(2);
    expect(st.outOfOrder).toBe(2);
    expect(r.events.filter((e) => e.type === 'data').map((e) => (e.type === 'data' ? [e.frame, e.text] : 0))).toEqual([
      [6, '01'],
      [5, '23'],
      [4, 'XY'],
      [5, '6789'],
    ]);
    expectFramesCarryBytes(r, START);
    expectContiguous(r);
  });

  it('a held retransmission inside held data adds nothing', () => {
    const r = run([...hs, cd(4, 'efgh'), cd(5, 'fg'), cd(0, 'abcd'), ...close(8, 0)]);
    expect(r.text(0, 'c2s')).toBe('abcdefgh');
    expect(r.raw[0]!.flow.stats.c2s).toMatchObject({ retransmissions: 1, outOfOrder: 1, conflictingBytes: 0 });
  });
});

describe('gaps', () => {
  it('a hole never filled becomes a gap at the FIN with exact offset and length', () => {
    const r = run([...hs, cd(0, 'HELO '), cd(10, 'WORLD'), ...close(15, 0)]);
    expect(r.text(0, 'c2s')).toBe('HELO [gap 5]WORLD');
    const gap = r.events.find((e) => e.type === 'gap');
    // The gap's frame is the frame after the hole: the held segment's.
    expect(gap).toEqual({ type: 'gap', stream: 0, dir: 'c2s', off: 5, length: 5, frame: 5 });
    expect(r.raw[0]!.flow.stats.c2s).toMatchObject({ gaps: 1, gapBytes: 5, bytes: 10 });
    // The hole stays open until the server acknowledges the client's FIN (its own FIN, frame 7
    // acks it): nothing before the FIN can be retransmitted after that, so the flow closes 'fin'.
    expect(r.events.at(-1)).toMatchObject({ type: 'close', reason: 'fin', frame: 7 });
    expectContiguous(r);
  });

  it('a hole the peer has acknowledged is a gap at once, and the held data is delivered then', () => {
    // The server's ACK of 15 (frame 6) says bytes 5..10 reached it: the capture lost them.
    const r = run([...hs, cd(0, 'HELO '), cd(10, 'WORLD'), { d: 's', seq: S + 1, ack: C + 1 + 15, f: 'A' }, sd(0, '250 ok\r\n')], {}, false);
    expect(r.text(0, 'c2s')).toBe('HELO [gap 5]WORLD');
    const i = r.events.findIndex((e) => e.type === 'gap');
    expect(r.events[i]).toEqual({ type: 'gap', stream: 0, dir: 'c2s', off: 5, length: 5, frame: 5 });
    // Delivered before the server's next data, not at the close.
    const world = r.events.findIndex((e) => e.type === 'data' && e.frame === 5);
    const reply = r.events.findIndex((e) => e.type === 'data' && e.frame === 7);
    expect(world).toBeGreaterThan(i);
    expect(world).toBeLessThan(reply);
  });

  it('an ACK ahead of the data with nothing held waits: the data may still come', () => {
    const r = run([...hs, cd(0, 'HELO '), { d: 's', seq: S + 1, ack: C + 1 + 10, f: 'A' }, cd(5, 'WORLD'), ...close(10, 0)]);
    expect(r.text(0, 'c2s')).toBe('HELO WORLD');
  });

  it('missing bytes right before the FIN are a gap ending at the FIN', () => {
    const r = run([...hs, cd(0, 'abc'), ...close(8, 0)]);
    expect(r.text(0, 'c2s')).toBe('abc[gap 5]');
  });

  it('a retransmission arriving after the FIN still fills the hole', () => {
    const r = run([...hs, cd(0, 'ab'), cd(4, 'ef'), { d: 'c', seq: C + 7, ack: S + 1, f: 'FA' }, cd(2, 'cd'), ...close(6, 0).slice(1)]);
    expect(r.text(0, 'c2s')).toBe('abcdef');
    expect(r.events.at(-1)).toMatchObject({ type: 'close', reason: 'fin' });
  });

  it('held-bytes limit reached: gap for the hole, held data delivered, later data continues', () => {
    const r = run([...hs, cd(0, 'a'), cd(5, '12345'), cd(10, '67890'), cd(15, 'XY'), ...close(17, 0)], {
      limits: { maxHeldBytesPerDir: 10 },
    });
    expect(r.text(0, 'c2s')).toBe('a[gap 4]1234567890XY');
    const gap = r.events.find((e) => e.type === 'gap');
    expect(gap).toMatchObject({ off: 1, length: 4, frame: 5 });
    // The gap was reported when the limit was hit (frame 6), before the flow closed.
    expect(r.events.findIndex((e) => e.type === 'gap')).toBeLessThan(r.events.findIndex((e) => e.type === 'data' && e.frame === 7));
    expectContiguous(r);
    expectFramesCarryBytes(r, START);
  });

  it('held-segments limit reached gives up on the first hole only', () => {
    const r = run([...hs, cd(2, 'c'), cd(4, 'e'), cd(6, 'g'), cd(0, 'ab'), cd(3, 'd'), cd(5, 'f'), ...close(7, 0)], {
      limits: { maxHeldSegmentsPerDir: 2 },
    });
    // Third held segment exceeds 2: hole [0,2) becomes a gap; 'c' is delivered; 'e','g' wait.
    expect(r.text(0, 'c2s')).toBe('[gap 2]cdefg');
    expect(r.raw[0]!.flow.stats.c2s).toMatchObject({ gaps: 1, gapBytes: 2, retransmissions: 1 });
  });

  it('snap-length cut in order: captured part, then a gap for the rest', () => {
    const r = run([...hs, cd(0, 'abcd', { len: 10 }), cd(10, 'KLM'), ...close(13, 0)]);
    expect(r.text(0, 'c2s')).toBe('abcd[gap 6]KLM');
    expect(r.events.find((e) => e.type === 'gap')).toMatchObject({ off: 4, length: 6, frame: 4 });
    expectContiguous(r);
  });

  it('snap-length cut out of order: the missing tail becomes a gap in place', () => {
    const r = run([...hs, cd(10, 'KLM'), cd(3, 'de', { len: 7 }), cd(0, 'abc'), ...close(13, 0)]);
    expect(r.text(0, 'c2s')).toBe('abcde[gap 5]KLM');
    expectContiguous(r);
    expectFramesCarryBytes(r, START);
  });

  it('data past a FIN that arrived first is cut at the FIN, in order too', () => {
    // The FIN (at offset 2) is captured before the data; the data segment then starts exactly
    // at the next offset but runs 2 octets past the FIN: only the octets before it are stream data.
    const r = run([...hs, cd(0, 'ab'), { d: 'c', seq: C + 5, ack: S + 1, f: 'FA' }, cd(2, 'cdzz'), { d: 's', seq: S + 1, ack: C + 6, f: 'FA' }]);
    expect(r.text(0, 'c2s')).toBe('abcd');
    expect(r.raw[0]!.flow.stats.c2s.ignoredAfterFin).toBe(1);
    expectContiguous(r);
  });

  it('data past the FIN sequence number is dropped and counted', () => {
    const r = run([...hs, cd(0, 'ab'), { d: 'c', seq: C + 3, ack: S + 1, f: 'FA' }, cd(2, 'zz'), ...close(2, 0).slice(1)]);
    expect(r.text(0, 'c2s')).toBe('ab');
    expect(r.raw[0]!.flow.stats.c2s.ignoredAfterFin).toBe(1);
  });
});

describe('sequence wraparound', () => {
  it('delivers across 2^32 in order and out of order', () => {
    const isn = 4294967290; // data starts at 2^32 - 5
    const h: Step[] = [
      { d: 'c', seq: isn, f: 'S' },
      { d: 's', seq: S, ack: isn + 1, f: 'SA' },
    ];
    const at = (off: number, data: string): Step => ({ d: 'c', seq: (isn + 1 + off) >>> 0, ack: S + 1, f: 'PA', data });
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
      const segs = [at(0, 'abc'), at(3, 'defg'), at(7, 'hij')];
      const r = run([...h, ...order.map((i) => segs[i]!), { d: 'c', seq: (isn + 11) >>> 0, ack: S + 1, f: 'FA' }, { d: 's', seq: S + 1, ack: (isn + 12) >>> 0, f: 'FA' }]);
      expect(r.text(0, 'c2s')).toBe('abcdefghij');
      expect(r.events.at(-1)).toMatchObject({ type: 'close', reason: 'fin' });
      expectFramesCarryBytes(r, { c2s: (isn + 1) >>> 0, s2c: S + 1 });
    }
  });
});

describe('mid-stream, keep-alives, RST', () => {
  it('no SYN: first seen seq is offset 0 after an unknown gap; roles by server port', () => {
    const r = run([
      { d: 's', seq: 700, ack: 300, f: 'PA', data: '250 ok\r\n' },
      { d: 'c', seq: 300, ack: 708, f: 'PA', data: 'DATA\r\n' },
      { d: 's', seq: 708, ack: 306, f: 'PA', data: '354 go\r\n' },
    ]);
    const flow = r.raw[0]!.flow;
    expect(flow).toMatchObject({ roleBy: 'port', sawSyn: false, client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 25 } });
    expect(r.events.filter((e) => e.type === 'gap')).toEqual([
      { type: 'gap', stream: 0, dir: 's2c', off: 0, length: 'unknown', frame: 1 },
      { type: 'gap', stream: 0, dir: 'c2s', off: 0, length: 'unknown', frame: 2 },
    ]);
    expect(r.text(0, 's2c')).toBe('250 ok\r\n354 go\r\n');
    expect(r.text(0, 'c2s')).toBe('DATA\r\n');
    expect(r.events.at(-1)).toEqual({ type: 'close', stream: 0, reason: 'capture-end', frame: 3 });
  });

  it('without a server port the lower port is the server', () => {
    const r = run([{ d: 's', seq: 1, ack: 1, f: 'A', sport: 2525, cport: 50000 }], { isServerPort: () => false });
    expect(r.raw[0]!.flow.server.port).toBe(2525);
    const r2 = run([{ d: 'c', seq: 1, ack: 1, f: 'A', sport: 60000, cport: 1025 }], { isServerPort: () => false });
    expect(r2.raw[0]!.flow.server.port).toBe(1025);
  });

  it('SYN+ACK receiver is the client when the SYN was not captured', () => {
    const r = run([{ d: 's', seq: S, ack: C + 1, f: 'SA', sport: 40001, cport: 25 }, { d: 'c', seq: C + 1, ack: S + 1, f: 'PA', data: 'x', sport: 40001, cport: 25 }]);
    const flow = r.raw[0]!.flow;
    expect(flow.roleBy).toBe('syn-ack');
    expect(flow.client.port).toBe(25);
    // The SYN+ACK's ack fixes where the client's bytes start: nothing unknown.
    expect(r.events.filter((e) => e.type === 'gap')).toEqual([]);
    expect(r.text(0, 'c2s')).toBe('x');
  });

  it('SYN+ACK lost: the client ACK says where server bytes start, so a missing first segment is a gap', () => {
    const r = run([{ d: 'c', seq: C, f: 'S' }, { d: 'c', seq: C + 1, ack: S + 1, f: 'A' }, sd(8, 'more\r\n'), ...close(0, 14)]);
    expect(r.text(0, 's2c')).toBe('[gap 8]more\r\n');
  });

  it('keep-alives are counted, not delivered', () => {
    const r = run([...hs, cd(0, 'abc'), { d: 'c', seq: C + 3, ack: S + 1, f: 'A', data: '\0' }, { d: 'c', seq: C + 3, ack: S + 1, f: 'A' }, cd(3, 'd')]);
    expect(r.text(0, 'c2s')).toBe('abcd');
    expect(r.raw[0]!.flow.stats.c2s).toMatchObject({ keepAlives: 2, retransmissions: 0 });
  });

  it('RST closes after reporting holes and delivering held data', () => {
    const r = run([...hs, cd(0, 'ab'), cd(4, 'ef'), { d: 's', seq: S + 1, f: 'R' }, cd(2, 'cd')]);
    expect(r.text(0, 'c2s')).toBe('ab[gap 2]ef');
    const tail = r.events.slice(-3);
    expect(tail).toEqual([
      { type: 'gap', stream: 0, dir: 'c2s', off: 2, length: 2, frame: 5 },
      expect.objectContaining({ type: 'data', text: 'ef', frame: 5 }),
      { type: 'close', stream: 0, reason: 'rst', frame: 6 },
    ]);
    expect(r.raw[0]!.flow.stats.s2c.rstFrame).toBe(6);
    // The late segment after the RST is counted, not delivered, and nothing reopens.
    expect(r.table.stats().packetsAfterClose).toBe(1);
    expect(r.raw[0]!.flow.frames).toBe(7);
  });

  it('zero-window segments are counted', () => {
    const r = run([...hs, { d: 's', seq: S + 1, ack: C + 1, f: 'A', win: 0 }]);
    expect(r.raw[0]!.flow.stats.s2c.zeroWindow).toBe(1);
  });
});
