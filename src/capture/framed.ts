import type { CaptureDamage, CaptureSummary } from './types.js';

/** What every capture parser offers to readCaptures. */
export interface CaptureParser {
  /** Feed the next bytes of the input; `chunk` may be reused by the caller after return. */
  push(chunk: Buffer): void;
  /** The input ended; a record left incomplete is damage. */
  end(): void;
  /** True once damage stopped the parser: further bytes are ignored. */
  readonly stopped: boolean;
  summary(): CaptureSummary;
}

/**
 * Push framing shared by the pcap and pcapng parsers: both formats are a sequence of
 * records whose total length is known once a fixed-size header has been seen.
 *
 * Ownership (habit 4): a record that lies wholly inside the pushed chunk is handed
 * to `record()` as a BORROWED view of the chunk; only a record split across chunks
 * is copied, into `rem`, an owned buffer reused from record to record (the packet
 * callback is synchronous, so reuse is safe). `offset` is the absolute file offset
 * of the next byte not yet consumed, so damage can name it.
 */
export abstract class FramedParser implements CaptureParser {
  protected offset = 0;
  protected damage: CaptureDamage | null = null;
  private rem: Buffer = Buffer.allocUnsafe(64);
  private remLen = 0;
  /** Total length of the record being gathered in `rem`, 0 while its header is incomplete. */
  private remNeed = 0;

  constructor(protected readonly file: string) {}

  get stopped(): boolean {
    return this.damage !== null;
  }

  /** Bytes needed before recordLength() can be called at the current position. */
  protected abstract headerBytes(): number;
  /**
   * Total record length (>= headerBytes()) from the header at buf[pos..], or -1 after
   * calling stop() with the reason the record is damaged.
   */
  protected abstract recordLength(buf: Buffer, pos: number): number;
  /** One whole record at buf[pos, pos+len); `this.offset` is its file offset. */
  protected abstract record(buf: Buffer, pos: number, len: number): void;
  /** Name of the record at the current position, for damage reports ('packet record 17'). */
  protected abstract blockName(): string;
  abstract summary(): CaptureSummary;

  protected stop(offset: number, block: string, reason: string): void {
    if (this.damage === null) this.damage = { file: this.file, offset, block, reason };
  }

  push(chunk: Buffer): void {
    if (this.damage !== null) return;
    let pos = 0;
    const n = chunk.length;
    if (this.remLen > 0) {
      // Finish the record split across the previous chunk boundary, in the owned buffer.
      if (this.remNeed === 0) {
        const hb = this.headerBytes();
        const take = Math.min(hb - this.remLen, n);
        chunk.copy(this.rem, this.remLen, 0, take);
        this.remLen += take;
        pos = take;
        if (this.remLen < hb) return;
        const len = this.recordLength(this.rem, 0);
        if (len < 0) return;
        this.remNeed = len;
        if (this.rem.length < len) {
          const grown = Buffer.allocUnsafe(len);
          this.rem.copy(grown, 0, 0, this.remLen);
          this.rem = grown;
        }
      }
      const take = Math.min(this.remNeed - this.remLen, n - pos);
      chunk.copy(this.rem, this.remLen, pos, pos + take);
      this.remLen += take;
      pos += take;
      if (this.remLen < this.remNeed) return;
      const len = this.remNeed;
      this.remLen = 0;
      this.remNeed = 0;
      this.record(this.rem, 0, len);
      this.offset += len;
    }
    pos = this.walk(chunk, pos, n);
    if (pos >= n || this.damage !== null) return;
    // What is left is the start of a record that the next chunk completes.
    const avail = n - pos;
    if (avail < this.headerBytes()) {
      this.stash(chunk, pos, 0);
      return;
    }
    const len = this.recordLength(chunk, pos);
    if (len >= 0) this.stash(chunk, pos, len);
  }

  /**
   * Consumes every whole record of buf[pos, n) and returns where the first incomplete
   * one starts (or n), advancing `offset`; stops early once damage is found. The
   * generic walk; a format with a fixed record header may override it with a tighter
   * loop (pcap.ts), which must keep exactly these semantics.
   */
  protected walk(buf: Buffer, pos: number, n: number): number {
    while (pos < n && this.damage === null) {
      const avail = n - pos;
      if (avail < this.headerBytes()) return pos;
      const len = this.recordLength(buf, pos);
      if (len < 0) return pos;
      if (avail < len) return pos;
      this.record(buf, pos, len);
      pos += len;
      this.offset += len;
    }
    return pos;
  }

  private stash(chunk: Buffer, pos: number, need: number): void {
    const avail = chunk.length - pos;
    const size = Math.max(need, avail);
    if (this.rem.length < size) this.rem = Buffer.allocUnsafe(Math.max(size, 64));
    chunk.copy(this.rem, 0, pos);
    this.remLen = avail;
    this.remNeed = need;
  }

  end(): void {
    if (this.damage !== null || this.remLen === 0) return;
    const need = this.remNeed > 0 ? `${this.remNeed} bytes` : `at least ${this.headerBytes()} bytes`;
    this.stop(
      this.offset,
      this.blockName(),
      `file ends in the middle of ${this.blockName()} at offset ${this.offset} (${this.remLen} of ${need} present)`,
    );
    this.remLen = 0;
  }
}
