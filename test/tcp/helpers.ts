/**
 * Test helpers: Segments from a script of (dir, seq, flags, payload), an event collector,
 * and invariant checks shared by the tcp/ tests.
 */
import { TCP_FLAGS, type Segment } from '../../src/decode/types.js';
import { createFlowTable, type FlowTable, type FlowTableOptions } from '../../src/tcp/flow-table.js';
import type { Dir, StreamEvent } from '../../src/tcp/events.js';
import { seqAdd, seqDiff } from '../../src/tcp/seq.js';

export interface Step {
  /** 'c': 10.0.0.1:cport → 10.0.0.2:sport; 's': the reverse. */
  d: 'c' | 's';
  seq: number;
  ack?: number;
  /** Letters among S A F R P, e.g. 'SA', 'PA', 'FA', 'R'. */
  f: string;
  data?: string | Buffer;
  /** Payload length the IP header claims (default: data length); more = snap-length cut. */
  len?: number;
  /** Capture time in seconds (default 1000 + index). */
  t?: number;
  win?: number;
  cport?: number;
  sport?: number;
  /** Client address, last octet (default 1). */
  chost?: number;
}

const FLAG: Record<string, number> = { S: TCP_FLAGS.SYN, A: TCP_FLAGS.ACK, F: TCP_FLAGS.FIN, R: TCP_FLAGS.RST, P: TCP_FLAGS.PSH };

export function flagsOf(f: string): number {
  let n = 0;
  for (const ch of f) n |= FLAG[ch] ?? 0;
  return n;
}

/**
 * `offsets`: each payload sits inside a larger buffer between junk octets and is given as
 * payloadBuf[payloadStart, payloadEnd) only, the way createDecoder hands it over; reading
 * `payload` throws (tcp/ must work on the offsets).
 */
export function toSegments(steps: readonly Step[], offsets = false): Segment[] {
  const segs = toPlainSegments(steps);
  if (!offsets) return segs;
  return segs.map((seg) => {
    const p = seg.payload;
    const buf = Buffer.concat([Buffer.from('#junk#'), p, Buffer.from('#junk#')]);
    const { payload: _unused, ...rest } = seg;
    return Object.defineProperty({ ...rest, payloadBuf: buf, payloadStart: 6, payloadEnd: 6 + p.length }, 'payload', {
      get(): never {
        throw new Error('tcp/ read Segment.payload although payloadBuf was given');
      },
      enumerable: true,
    }) as Segment;
  });
}

function toPlainSegments(steps: readonly Step[]): Segment[] {
  return steps.map((s, i) => {
    const c = Buffer.from([10, 0, 0, s.chost ?? 1]);
    const srv = Buffer.from([10, 0, 0, 2]);
    const cport = s.cport ?? 40000;
    const sport = s.sport ?? 25;
    const payload = typeof s.data === 'string' ? Buffer.from(s.data, 'latin1') : (s.data ?? Buffer.alloc(0));
    const fromClient = s.d === 'c';
    return {
      frame: i + 1,
      time: { sec: s.t ?? 1000 + i, nsec: 0 },
      ipVersion: 4,
      src: fromClient ? c : srv,
      dst: fromClient ? srv : c,
      srcPort: fromClient ? cport : sport,
      dstPort: fromClient ? sport : cport,
      seq: s.seq >>> 0,
      ack: (s.ack ?? 0) >>> 0,
      flags: flagsOf(s.f),
      window: s.win ?? 65535,
      payload,
      payloadLength: s.len ?? payload.length,
    } satisfies Segment;
  });
}

/** Event with `bytes` copied (they are borrowed views) and the flow reduced to its stream. */
export type Ev =
  | { type: 'open'; stream: number; frame: number }
  | { type: 'data'; stream: number; dir: Dir; text: string; off: number; frame: number; bytes: Buffer }
  | { type: 'gap'; stream: number; dir: Dir; off: number; length: number | 'unknown'; frame: number }
  | { type: 'close'; stream: number; reason: string; cause?: string; frame: number };

export interface Run {
  events: Ev[];
  raw: StreamEvent[];
  table: FlowTable;
  segments: Segment[];
  steps: readonly Step[];
  /** Concatenated delivered text per stream and direction, gaps shown as [gap n]. */
  text(stream: number, dir: Dir): string;
}

export const SMTP_PORTS = (p: number): boolean => p === 25 || p === 587 || p === 465;

export function run(steps: readonly Step[], opts: Partial<FlowTableOptions> = {}, end = true, offsets = false): Run {
  const events: Ev[] = [];
  const raw: StreamEvent[] = [];
  const table = createFlowTable(
    (ev) => {
      raw.push(ev);
      const stream = ev.flow.tcpStream;
      switch (ev.type) {
        case 'open':
          events.push({ type: 'open', stream, frame: ev.frame });
          break;
        case 'data':
          events.push({ type: 'data', stream, dir: ev.dir, text: ev.bytes.toString('latin1'), off: ev.streamOffset, frame: ev.frame, bytes: ev.bytes });
          break;
        case 'gap':
          events.push({ type: 'gap', stream, dir: ev.dir, off: ev.streamOffset, length: ev.length, frame: ev.frame });
          break;
        case 'close':
          events.push(
            ev.cause === undefined
              ? { type: 'close', stream, reason: ev.reason, frame: ev.frame }
              : { type: 'close', stream, reason: ev.reason, cause: ev.cause, frame: ev.frame },
          );
          break;
      }
    },
    { isServerPort: SMTP_PORTS, ...opts },
  );
  const segments = toSegments(steps, offsets);
  for (const s of segments) table.segment(s);
  if (end && segments.length > 0) {
    const last = segments[segments.length - 1]!;
    table.end(last.frame, last.time);
  }
  return {
    events,
    raw,
    table,
    segments,
    steps,
    text(stream, dir) {
      let out = '';
      for (const e of events) {
        if (e.stream !== stream || e.type === 'open' || e.type === 'close' || e.dir !== dir) continue;
        out += e.type === 'data' ? e.text : e.length === 'unknown' ? '' : `[gap ${e.length}]`;
      }
      return out;
    },
  };
}

/** Stream offsets are contiguous per direction: each data/gap starts where the previous ended. */
export function expectContiguous(r: Run): void {
  const next = new Map<string, number>();
  for (const e of r.events) {
    if (e.type !== 'data' && e.type !== 'gap') continue;
    const k = `${e.stream}/${e.dir}`;
    const at = next.get(k) ?? 0;
    if (e.off !== at) throw new Error(`${k}: event at offset ${e.off}, expected ${at}`);
    next.set(k, e.off + (e.type === 'data' ? e.text.length : e.length === 'unknown' ? 0 : e.length));
  }
}

/**
 * Every data event's frame is the frame of a segment that carried exactly those bytes at
 * that offset. `start` gives each direction's sequence number at stream offset 0.
 */
export function expectFramesCarryBytes(r: Run, start: Record<Dir, number>, clientIs: 'c' | 's' = 'c'): void {
  for (const e of r.events) {
    if (e.type !== 'data') continue;
    const seg = r.segments[e.frame - 1]!;
    const dir: Dir = r.steps[e.frame - 1]!.d === clientIs ? 'c2s' : 's2c';
    if (dir !== e.dir) throw new Error(`frame ${e.frame} is ${dir}, event says ${e.dir}`);
    const dataSeq = (seg.flags & TCP_FLAGS.SYN) !== 0 ? seqAdd(seg.seq, 1) : seg.seq;
    const segOff = seqDiff(dataSeq, start[dir]);
    const at = e.off - segOff;
    const carried = seg.payload.subarray(at, at + e.text.length).toString('latin1');
    if (at < 0 || carried !== e.text) throw new Error(`frame ${e.frame} does not carry ${JSON.stringify(e.text)} at offset ${e.off}`);
  }
}
