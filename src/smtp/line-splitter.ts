/**
 * CRLF line splitter for the command and reply phases (RFC 5321 §2.3.8: lines
 * end in CRLF). A push parser in the pg-protocol shape: `next(buf, pos, end)`
 * returns the new position and leaves at most one complete line in `line`, so
 * the caller can switch mode (DATA, BDAT, TLS) at the exact byte after a line.
 *
 * Ownership: `buf` is BORROWED (tcp/ reuses it). A line that lies wholly in
 * `buf` is returned as a view; one that spans calls is assembled in the
 * splitter's own remainder buffer. Either way `line.bytes` is valid only until
 * the next call: decode what you keep.
 *
 * Bound: the remainder never exceeds LIMITS.maxBufferedLine. A longer line is
 * cut: the first maxBufferedLine bytes are kept, the rest counted until LF, and
 * the line is delivered with `cut: true` and its true `length`.
 */
import { LIMITS } from '../limits.js';
import type { Time } from '../util/time.js';

const LF = 0x0a;
const CR = 0x0d;

export type LineEnding = 'crlf' | 'lf' | 'none';

export interface Line {
  /** Content without the terminator. Borrowed or splitter-owned: valid until the next call. */
  bytes: Buffer;
  /** Octets on the wire including the terminator (more than bytes.length + 2 when cut). */
  length: number;
  /** 'lf' = bare LF (RFC 5321 §2.3.8 violation); 'none' = flushed at the end without a terminator. */
  ending: LineEnding;
  /** Longer than LIMITS.maxBufferedLine: bytes holds only the start. */
  cut: boolean;
  /** A CR not followed by LF inside the line (bare CR, RFC 5321 §2.3.8). */
  bareCr: boolean;
  /** Frame/time of the first byte and of the terminator. */
  firstFrame: number;
  firstTime: Time;
  frame: number;
  time: Time;
}

export class LineSplitter {
  /** The line completed by the last next() call, or null. */
  line: Line | null = null;

  private rem: Buffer | null = null;
  private remLen = 0;
  /** Bytes of the current partial line seen so far (kept or not). */
  private partLen = 0;
  private lastByte = -1;
  private firstFrame = 0;
  private firstTime: Time = { sec: 0, nsec: 0 };

  constructor(private readonly cap: number = LIMITS.maxBufferedLine) {}

  /** Bytes of a partial line waiting for its terminator. */
  get pending(): number {
    return this.partLen;
  }

  /**
   * Consume from buf[pos, end) up to and including the first LF. Returns the new
   * position; `this.line` is the completed line or null (then pos === end).
   */
  next(buf: Buffer, pos: number, end: number, frame: number, time: Time): number {
    this.line = null;
    if (pos >= end) return end;
    let lf = buf.indexOf(LF, pos);
    if (lf >= end) lf = -1;
    if (lf === -1) {
      if (this.partLen === 0) {
        this.firstFrame = frame;
        this.firstTime = time;
      }
      this.append(buf, pos, end);
      return end;
    }
    if (this.partLen === 0) {
      // Fast path: the whole line is in this buffer, deliver a view.
      const hasCr = lf > pos && buf[lf - 1] === CR;
      const contentEnd = hasCr ? lf - 1 : lf;
      const len = lf + 1 - pos;
      if (len - 1 <= this.cap) {
        const bytes = buf.subarray(pos, contentEnd);
        this.line = {
          bytes,
          length: len,
          ending: hasCr ? 'crlf' : 'lf',
          cut: false,
          bareCr: bytes.indexOf(CR) !== -1,
          firstFrame: frame,
          firstTime: time,
          frame,
          time,
        };
        return lf + 1;
      }
      this.firstFrame = frame;
      this.firstTime = time;
    }
    this.append(buf, pos, lf);
    const hasCr = this.lastByte === CR;
    const length = this.partLen + 1;
    const cut = this.partLen > this.cap;
    let keep = this.remLen;
    if (hasCr && !cut) keep -= 1;
    const bytes = (this.rem ?? Buffer.alloc(0)).subarray(0, keep);
    this.line = {
      bytes,
      length,
      ending: hasCr ? 'crlf' : 'lf',
      cut,
      // When cut, the terminator lies beyond the kept bytes, so any CR here is bare.
      bareCr: bytes.indexOf(CR) !== -1,
      firstFrame: this.firstFrame,
      firstTime: this.firstTime,
      frame,
      time,
    };
    this.remLen = 0;
    this.partLen = 0;
    this.lastByte = -1;
    return lf + 1;
  }

  /** At the end of the stream: a partial line, delivered with ending 'none', or null. */
  flush(frame: number, time: Time): Line | null {
    if (this.partLen === 0) return null;
    const bytes = (this.rem ?? Buffer.alloc(0)).subarray(0, this.remLen);
    const line: Line = {
      bytes,
      length: this.partLen,
      ending: 'none',
      cut: this.partLen > this.cap,
      bareCr: bytes.indexOf(CR) !== -1,
      firstFrame: this.firstFrame,
      firstTime: this.firstTime,
      frame,
      time,
    };
    this.reset();
    return line;
  }

  /** Forget a partial line (after a gap: its continuation is lost). */
  reset(): void {
    this.remLen = 0;
    this.partLen = 0;
    this.lastByte = -1;
    this.line = null;
  }

  private append(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.partLen += n;
    this.lastByte = buf[to - 1]!;
    const room = this.cap - this.remLen;
    if (room <= 0) return;
    const take = Math.min(room, n);
    if (!this.rem || this.rem.length < this.remLen + take) {
      const size = Math.min(this.cap, Math.max(256, (this.remLen + take) * 2));
      const next = Buffer.allocUnsafe(size);
      if (this.rem) this.rem.copy(next, 0, 0, this.remLen);
      this.rem = next;
    }
    buf.copy(this.rem, this.remLen, from, from + take);
    this.remLen += take;
  }
}
