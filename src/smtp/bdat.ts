/**
 * One BDAT chunk (RFC 3030 §2): "exactly chunk-size octets" follow the command
 * line at once, with no 354, no dot-stuffing and no terminator; they may
 * contain `<CRLF>.<CRLF>` (data, not an end). BDAT may be pipelined (§4.2), so
 * the command stream resumes at the exact octet after the chunk.
 *
 * The chunk's octets are scanned by the transaction's BodyScanner in 'counted'
 * mode (line counts, 8-bit, headers, look-alikes) so that a message sent in
 * several chunks is one body. Ownership: buffers are BORROWED.
 */
import type { Time } from '../util/time.js';
import type { BdatArgs } from './commands.js';
import { CountedReader } from './counted.js';
import type { BodyScanner, FrameCount, Lookalike } from './data-body.js';
import type { Command } from './events.js';

export class BdatChunk {
  readonly reader: CountedReader;
  /** Segments of this chunk with octets > 127 (the shared scanner counts the whole message). */
  readonly eightBit: FrameCount = { count: 0, firstFrame: null };
  private readonly lookStart: number;

  constructor(
    readonly cmd: Command,
    readonly args: BdatArgs,
    readonly body: BodyScanner,
  ) {
    this.reader = new CountedReader(args.size);
    this.lookStart = body.stats.lookalikes.length;
  }

  get done(): boolean {
    return this.reader.done;
  }

  /** Consumes chunk octets from [pos, end); returns the new position. */
  push(buf: Buffer, pos: number, end: number, frame: number, time: Time): number {
    const stop = this.reader.take(pos, end);
    if (stop > pos) {
      const before = this.body.stats.eightBit.count;
      this.body.push(buf, pos, stop, frame, time);
      if (this.body.stats.eightBit.count !== before && this.eightBit.count++ === 0) this.eightBit.firstFrame = frame;
    }
    return stop;
  }

  /** Look-alikes found inside this chunk (kept ones). */
  lookalikes(): Lookalike[] {
    return this.body.stats.lookalikes.slice(this.lookStart);
  }
}
