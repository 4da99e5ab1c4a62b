/**
 * One direction of a TCP connection as an ordered byte stream.
 *
 * - Stream offset 0 is the byte after the SYN (RFC 9293 §3.4: the SYN occupies the ISN);
 *   without a SYN, the first sequence number seen (the start is then unknown and a
 *   `gap` of length 'unknown' at offset 0 says so, like gopacket's Skip = -1).
 * - Retransmissions and overlaps: FIRST COPY WINS. Bytes already delivered are dropped
 *   (they can no longer be compared); bytes that overlap held out-of-order data are
 *   compared and differences counted in `conflictingBytes` (the evasion case of
 *   Ptacek & Newsham 1998; Wireshark's reassembly also keeps the first copy).
 * - Out-of-order segments are copied (Segment payloads are borrowed views) into a sorted,
 *   non-overlapping list bounded by maxHeldBytesPerDir / maxHeldSegmentsPerDir. Each held
 *   piece is delivered as its own `data` event with the frame and time that carried it.
 * - A hole is never filled or skipped silently: when a limit is hit, or the flow closes
 *   with a hole, a `gap` event (offset, length) is emitted and delivery continues after it.
 * - In-order segments (the common case) are delivered as the borrowed payload view itself:
 *   no copy, no allocation beyond the event object.
 */
import type { Time } from '../util/time.js';
import type { Dir, Flow, HalfStats, StreamListener } from './events.js';
import { seqAdd, seqDiff } from './seq.js';
import { rangeView } from '../util/range.js';

export interface HalfStreamLimits {
  readonly maxHeldBytesPerDir: number;
  readonly maxHeldSegmentsPerDir: number;
}

/** An out-of-order piece waiting for the hole before it. Owned bytes (a copy). */
interface Held {
  off: number;
  end: number;
  bytes: Buffer;
  /**
   * End of the bytes the sender claimed for this piece; greater than `end` when the snap
   * length cut the segment: [end, claimEnd) is known to be missing from the capture.
   */
  claimEnd: number;
  frame: number;
  time: Time;
}

export function newHalfStats(): HalfStats {
  return {
    segments: 0,
    dataSegments: 0,
    bytes: 0,
    retransmissions: 0,
    outOfOrder: 0,
    conflictingBytes: 0,
    gaps: 0,
    gapBytes: 0,
    zeroWindow: 0,
    keepAlives: 0,
    ignoredAfterFin: 0,
    synFrame: null,
    finFrame: null,
    rstFrame: null,
  };
}

export class HalfStream {
  started = false;
  /** Sequence number of the byte at nextOffset (mod 2^32). */
  nextSeq = 0;
  /** Bytes delivered (or skipped as gaps) so far: the stream offset of the next byte. */
  nextOffset = 0;
  /** Stream offset the FIN occupies, or -1 before a FIN was seen. */
  finOffset = -1;
  /** Sequence number the FIN occupies. */
  finSeq = 0;
  /** The peer acknowledged our FIN: nothing before it will be retransmitted. */
  finAcked = false;
  private held: Held[] = [];
  private heldBytes = 0;

  constructor(
    private readonly flow: Flow,
    readonly dir: Dir,
    private readonly emit: StreamListener,
    private readonly limits: HalfStreamLimits,
    readonly stats: HalfStats,
  ) {}

  /**
   * Sets where offset 0 is. `known` false (mid-stream) emits a gap of unknown length at 0:
   * bytes sent before the capture started may be missing.
   */
  startAt(seq: number, known: boolean, frame: number, time: Time): void {
    this.started = true;
    this.nextSeq = seq;
    if (!known) this.emit({ type: 'gap', flow: this.flow, dir: this.dir, streamOffset: 0, length: 'unknown', frame, time });
  }

  /** All bytes up to the FIN were delivered or reported as gaps. */
  get done(): boolean {
    return this.finOffset >= 0 && this.nextOffset >= this.finOffset;
  }

  /** FIN seen and acknowledged (or done): this direction is finished. */
  get finished(): boolean {
    return this.finOffset >= 0 && (this.finAcked || this.nextOffset >= this.finOffset);
  }

  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Payload of one segment, buf[start, end). `seq` is the sequence number of its first
   * data byte (SYN already accounted for); `claimed` the length the IP header claims
   * (>= end - start). `buf` is borrowed.
   */
  data(seq: number, buf: Buffer, start: number, end: number, claimed: number, frame: number, time: Time): void {
    const off = this.nextOffset + seqDiff(seq, this.nextSeq);
    const captured = end - start;
    let clEnd = off + claimed;
    let capEnd = off + Math.min(captured, claimed);
    if (this.finOffset >= 0 && clEnd > this.finOffset) {
      // RFC 9293 §3.10.7.4: nothing after the FIN's sequence number belongs to the stream.
      this.stats.ignoredAfterFin++;
      clEnd = this.finOffset;
      if (capEnd > clEnd) capEnd = clEnd;
      if (clEnd <= off) return;
    }
    if (clEnd <= this.nextOffset) {
      this.stats.retransmissions++;
      return;
    }
    const h = this.held[0];
    // Fast path: exactly the next bytes, fully captured, not overlapping anything held (no view made).
    if (off === this.nextOffset && capEnd === clEnd && (h === undefined || h.off >= capEnd)) {
      this.deliver(buf, start, start + (capEnd - off), off, frame, time);
      if (h !== undefined && h.off === this.nextOffset) this.releaseContiguous();
      return;
    }
    const payload = rangeView(buf, start, end);
    if (off > this.nextOffset) {
      this.hold(payload, off, capEnd, clEnd, frame, time);
      return;
    }
    let cursor = this.nextOffset;
    while (cursor < capEnd) {
      const first = this.held[0];
      if (first !== undefined && first.off <= cursor) {
        // Held bytes arrived first: they win; count what this copy disagrees on.
        this.compare(payload, off, first, cursor, Math.min(first.end, capEnd));
        this.releaseOne();
        cursor = this.nextOffset;
        continue;
      }
      const pieceEnd = first === undefined ? capEnd : Math.min(capEnd, first.off);
      this.deliver(payload, cursor - off, pieceEnd - off, cursor, frame, time);
      cursor = pieceEnd;
    }
    // The snap length cut this segment: the rest is missing from the capture.
    this.missingUntil(clEnd, frame, time);
    this.releaseContiguous();
  }

  /** The FIN, occupying sequence number `seq` (after the segment's data). */
  fin(seq: number): void {
    if (this.finOffset >= 0) return; // a retransmitted FIN changes nothing
    this.finSeq = seq;
    this.finOffset = Math.max(this.nextOffset, this.nextOffset + seqDiff(seq, this.nextSeq));
    // Held bytes past the FIN were never part of the stream.
    while (this.held.length > 0) {
      const last = this.held[this.held.length - 1]!;
      if (last.end <= this.finOffset) break;
      this.stats.ignoredAfterFin++;
      if (last.off >= this.finOffset) {
        this.held.pop();
        this.heldBytes -= last.bytes.length;
      } else {
        const keep = this.finOffset - last.off;
        this.heldBytes -= last.bytes.length - keep;
        last.bytes = last.bytes.subarray(0, keep);
        last.end = this.finOffset;
        last.claimEnd = this.finOffset;
      }
    }
  }

  /**
   * The peer acknowledged everything before `ack`. With segments held behind a hole, the
   * hole's bytes reached the peer but not the capture (Wireshark's "ACKed unseen segment"),
   * so they will never arrive: report the gap now and release what was held, instead of
   * waiting for the close (Zeek does the same; zeek bdat-gap.pcap). Without held data a
   * lone ACK ahead of the data is left alone: on a multi-interface capture the data may
   * still come, just recorded later.
   */
  acked(ack: number): void {
    if (!this.started || this.held.length === 0) return;
    const ahead = seqDiff(ack, this.nextSeq);
    if (ahead <= 0 || ahead > MAX_ACK_AHEAD) return;
    let target = this.nextOffset + ahead;
    if (this.finOffset >= 0 && target > this.finOffset) target = this.finOffset;
    // The gap is stamped, like every gap, with the frame after the hole: the held segment's.
    const h = this.held[0]!;
    this.missingUntil(target, h.frame, h.time);
    this.releaseContiguous();
  }

  /**
   * The flow is closing: report every hole before held data as a gap and deliver the
   * held data; then a gap up to the FIN if bytes before it never arrived.
   */
  flush(frame: number, time: Time): void {
    for (let h = this.held[0]; h !== undefined; h = this.held[0]) {
      if (h.off > this.nextOffset) this.gap(h.off - this.nextOffset, h.frame, h.time);
      this.releaseContiguous();
    }
    if (this.finOffset > this.nextOffset) this.gap(this.finOffset - this.nextOffset, frame, time);
  }

  private hold(payload: Buffer, off: number, capEnd: number, clEnd: number, frame: number, time: Time): void {
    const held = this.held;
    // First held piece that ends after `off` (binary search: held is sorted and disjoint).
    let lo = 0;
    let hi = held.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (held[mid]!.end <= off) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    let cursor = off;
    let added = false;
    let last: Held | null = null;
    while (cursor < capEnd) {
      const h = held[i];
      if (h !== undefined && h.off <= cursor) {
        if (h.end > cursor) {
          this.compare(payload, off, h, cursor, Math.min(h.end, capEnd));
          cursor = h.end;
        }
        i++;
        continue;
      }
      const pieceEnd = h === undefined ? capEnd : Math.min(capEnd, h.off);
      // Copy: the payload is a borrowed view into the packet buffer.
      const bytes = Buffer.from(payload.subarray(cursor - off, pieceEnd - off));
      last = { off: cursor, end: pieceEnd, bytes, claimEnd: pieceEnd, frame, time };
      held.splice(i, 0, last);
      this.heldBytes += bytes.length;
      added = true;
      i++;
      cursor = pieceEnd;
    }
    if (clEnd > capEnd) {
      // Truncated by the snap length: remember the claimed tail so it becomes a gap in place.
      if (last !== null && last.end === capEnd) {
        last.claimEnd = clEnd;
      } else if (held[i] === undefined || held[i]!.off >= capEnd) {
        const marker: Held = { off: capEnd, end: capEnd, bytes: EMPTY, claimEnd: clEnd, frame, time };
        held.splice(i, 0, marker);
        added = true;
      }
    }
    if (added) this.stats.outOfOrder++;
    else this.stats.retransmissions++;
    this.enforceLimits();
  }

  /** Limits hit: give up on the first hole, report it, and deliver what follows it. */
  private enforceLimits(): void {
    while (this.held.length > this.limits.maxHeldSegmentsPerDir || this.heldBytes > this.limits.maxHeldBytesPerDir) {
      const h = this.held[0]!;
      if (h.off > this.nextOffset) this.gap(h.off - this.nextOffset, h.frame, h.time);
      this.releaseContiguous();
    }
  }

  private releaseContiguous(): void {
    for (let h = this.held[0]; h !== undefined && h.off <= this.nextOffset; h = this.held[0]) this.releaseOne();
  }

  /** Deliver held[0], which starts at or before nextOffset. */
  private releaseOne(): void {
    const h = this.held.shift()!;
    this.heldBytes -= h.bytes.length;
    if (h.end > this.nextOffset) {
      const skip = this.nextOffset - h.off;
      this.deliver(h.bytes, skip > 0 ? skip : 0, h.bytes.length, this.nextOffset, h.frame, h.time);
    }
    if (h.claimEnd > this.nextOffset) this.missingUntil(h.claimEnd, h.frame, h.time);
  }

  /** Bytes up to `target` were sent but not captured: gaps, around any held data in between. */
  private missingUntil(target: number, frame: number, time: Time): void {
    while (this.nextOffset < target) {
      const h = this.held[0];
      if (h !== undefined && h.off <= this.nextOffset) {
        this.releaseOne();
        continue;
      }
      const end = h === undefined ? target : Math.min(target, h.off);
      this.gap(end - this.nextOffset, frame, time);
    }
  }

  private compare(payload: Buffer, payloadOff: number, h: Held, from: number, to: number): void {
    if (to <= from) return;
    const a = payload.subarray(from - payloadOff, to - payloadOff);
    const b = h.bytes.subarray(from - h.off, to - h.off);
    if (a.equals(b)) return;
    // Rare (conflicting retransmission): a byte loop is fine here.
    let n = 0;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) n++;
    this.stats.conflictingBytes += n;
  }

  /** buf[start, end) is the next part of the stream. */
  private deliver(buf: Buffer, start: number, end: number, streamOffset: number, frame: number, time: Time): void {
    const n = end - start;
    this.nextOffset = streamOffset + n;
    this.nextSeq = seqAdd(this.nextSeq, n);
    this.stats.bytes += n;
    this.emit(new DataDelivery(this.flow, this.dir, buf, start, end, streamOffset, frame, time));
  }

  private gap(length: number, frame: number, time: Time): void {
    const streamOffset = this.nextOffset;
    this.nextOffset += length;
    this.nextSeq = seqAdd(this.nextSeq, length);
    this.stats.gaps++;
    this.stats.gapBytes += length;
    this.emit({ type: 'gap', flow: this.flow, dir: this.dir, streamOffset, length, frame, time });
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * A 'data' StreamEvent whose bytes are buf[start, end): the `bytes` view is built only
 * when a listener asks for it (smtp/ reads buf/start/end and never does), so a delivery
 * costs one small object, not a Buffer view too (events.ts).
 */
class DataDelivery {
  readonly type = 'data' as const;
  constructor(
    readonly flow: Flow,
    readonly dir: Dir,
    readonly buf: Buffer,
    readonly start: number,
    readonly end: number,
    readonly streamOffset: number,
    readonly frame: number,
    readonly time: Time,
  ) {}

  get bytes(): Buffer {
    return rangeView(this.buf, this.start, this.end);
  }
}

/** An ACK further ahead than this is not believed (a corrupt or unrelated ack number). */
const MAX_ACK_AHEAD = 1 << 30;
