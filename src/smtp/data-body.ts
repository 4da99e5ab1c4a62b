/**
 * The message body after `354` (DATA) or inside BDAT chunks: counted, scanned,
 * never kept (only the header block, up to LIMITS.maxHeaderBytes, is copied).
 *
 * 'dot' mode: RFC 5321 §4.1.1.4 — the data ends with `<CRLF>.<CRLF>`; the CRLF
 *   that ended the DATA command counts as the first CRLF (a body may be empty).
 *   §4.5.2: a leading "." is doubled by the sender and removed by the receiver, so
 *   the byte count drops one octet per stuffed line.
 * 'counted' mode (BDAT, RFC 3030 §2): no terminator, no stuffing; the caller
 *   decides where the bytes end. A `<CRLF>.<CRLF>` inside is just data and is
 *   recorded as a look-alike (kind 'CRLF.CRLF').
 *
 * End-of-data look-alikes (R-LINE-1: "`<LF>.<LF>` MUST NOT be treated as end of
 * data"; SMTP smuggling, CVE-2023-51764/-51765/-51766): LF.LF, LF.CRLF, CR.CRLF,
 * CRLF.LF and CRLF.CR not followed by LF. Each needs only the first three bytes
 * of a line, the last three before its LF and how the line before ended, so a
 * line split across segments costs a few integers of state, never a copy.
 *
 * Hot path: Buffer#indexOf for LF and CR (native, no allocation), one isAscii
 * per segment; JS touches at most six bytes of each line. Runs of ordinary lines
 * (CRLF-ended, no stray CR/LF, no leading dot, not over-long: nearly every body
 * line) take ordinaryLines(), two searches and a few comparisons per line; only
 * the other lines pay for absorb()/endLine(). (Measured alternatives, per GB of
 * 78-octet lines: LF and CR search per line 0.38 s; a latin1 string per segment
 * with String#indexOf 0.33 s for LF alone, but it feeds the GC; one regex test
 * per segment for the unusual sequences 1.5 s; counting CRs with replaceAll 0.5 s.)
 *
 * Where WebAssembly SIMD is available (every Node >= 20 unless --jitless), runs of
 * ordinary lines go to a 64-octets-a-step kernel instead (body-scan.ts, kernelLines()):
 * 1 GB bench capture, SMTP stage 1.75 s -> 1.37 s. The JS path stays the reference:
 * test/smtp/body-scan.test.ts compares the two on random bodies cut at random points.
 *
 * Ownership: `buf` is BORROWED; only header bytes are copied.
 */
import { isAscii } from 'node:buffer';
import { LIMITS } from '../limits.js';
import { detachOrNull } from '../util/detach.js';
import type { Time } from '../util/time.js';
import { bodyScanKernel, type BodyScanKernel } from './body-scan.js';
import { SMTP_LIMITS } from './limits.js';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

export const LOOKALIKE_KINDS = ['LF.LF', 'LF.CRLF', 'CR.CRLF', 'CRLF.LF', 'CRLF.CR', 'CRLF.CRLF'] as const;
export type LookalikeKind = (typeof LOOKALIKE_KINDS)[number];

export interface Lookalike {
  kind: LookalikeKind;
  frame: number;
  /** Octet offset within the body (raw, as on the wire) where the line with the dot starts. */
  offset: number;
}

export interface HeaderInfo {
  messageId: string | null;
  subject: string | null;
  from: string | null;
  to: string | null;
  date: string | null;
  /** Number of Received: fields (hops). */
  received: number;
  /** The header block was longer than LIMITS.maxHeaderBytes; fields after the cut are unknown. */
  truncated: boolean;
}

export interface FrameCount {
  count: number;
  firstFrame: number | null;
}

export interface BodyStats {
  /** Message octets: dot-stuffing undone, terminator excluded (RFC 1870 §3 counts CRLF as two). */
  bytes: number;
  /** Octets on the wire, terminator included (dot mode). */
  rawBytes: number;
  lines: number;
  /** Kept up to SMTP_LIMITS.maxLookalikes; lookalikeCount has them all. */
  lookalikes: Lookalike[];
  lookalikeCount: number;
  bareLf: FrameCount;
  bareCr: FrameCount;
  /** Segments carrying octets > 127. */
  eightBit: FrameCount;
  /** Lines over LIMITS.textLine octets including CRLF, not counting a stuffed dot (RFC 5321 §4.5.3.1.6). */
  longLines: FrameCount & { longest: number };
  headers: HeaderInfo | null;
  /** Dot mode: the terminator was seen. */
  complete: boolean;
  /**
   * Dot mode: what ended the body: 'CRLF.CRLF' (RFC 5321 §4.1.1.4), or the look-alike the
   * server took as the end of data (endAtLookalike); null while open or when cut.
   */
  terminator: LookalikeKind | null;
  /** Frame of the first body octet (terminator included), or null: no octet yet. */
  firstFrame: number | null;
}

function fc(): FrameCount {
  return { count: 0, firstFrame: null };
}

function bump(c: FrameCount, frame: number): void {
  if (c.count++ === 0) c.firstFrame = frame;
}

export class BodyScanner {
  readonly stats: BodyStats = {
    bytes: 0,
    rawBytes: 0,
    lines: 0,
    lookalikes: [],
    lookalikeCount: 0,
    bareLf: fc(),
    bareCr: fc(),
    eightBit: fc(),
    longLines: { ...fc(), longest: 0 },
    headers: null,
    complete: false,
    terminator: null,
    firstFrame: null,
  };
  /** Dot mode: the terminator was consumed. */
  done = false;
  /** Frame of the last octet consumed (for an end decided after the fact). */
  lastFrame = 0;
  lastTime: Time | null = null;
  /** The look-alike found on the last line ended, if any, and that line's counted octets. */
  private lastLook: Lookalike | null = null;
  private lastOctets = 0;

  // Current (partial) line: length so far (without LF), first three and last three bytes.
  private cur = 0;
  private h0 = -1;
  private h1 = -1;
  private h2 = -1;
  private t1 = -1;
  private t2 = -1;
  private t3 = -1;
  private prevEnding: 'crlf' | 'lf' = 'crlf';
  /** A CR was the last byte of the previous segment: bare unless the next byte is LF. */
  private crAtEnd = false;
  private lineStart = 0;

  /**
   * The partial line (cur > 0) is a clean start of an ordinary line: no CR or LF, no
   * leading '.', past the headers. Only the kernel path sets it; the kernel then goes
   * on scanning the line in the next push as if it had started there.
   */
  private clean = false;
  /** buf[winStart, winEnd) of the current push is in the kernel's window; -1: nothing. */
  private winStart = -1;
  private winEnd = -1;
  private readonly kernel: BodyScanKernel | null;
  /** This push: a kernel scan that consumed its window saw an octet > 127. */
  private eightBitSeen = false;

  private inHeaders = true;
  private header: Buffer = Buffer.alloc(0);
  private headerLen = 0;
  private headerCut = false;

  /** `kernel` false: the JS path only (the reference the kernel is tested against). */
  constructor(
    private readonly mode: 'dot' | 'counted',
    kernel = true,
  ) {
    this.kernel = kernel ? bodyScanKernel() : null;
  }

  /** Consume buf[pos, end). Returns the position after the terminator (dot mode, then `done`) or end. */
  push(buf: Buffer, pos: number, end: number, frame: number, time: Time): number {
    if (this.done || pos >= end) return pos;
    const start = pos;
    this.stats.firstFrame ??= frame;
    this.lastFrame = frame;
    this.lastTime = time;
    if (this.crAtEnd) {
      this.crAtEnd = false;
      if (buf[pos] !== LF) bump(this.stats.bareCr, frame);
    }
    let nextCr = -2; // lazily searched
    this.winEnd = -1; // the window held another push's octets
    this.eightBitSeen = false;
    let kernelOnly = this.kernel !== null; // every octet consumed went through the kernel
    while (pos < end) {
      if (!this.inHeaders && (this.cur === 0 || this.clean)) {
        const p = this.kernel !== null ? this.kernelLines(this.kernel, buf, pos, end) : this.ordinaryLines(buf, pos, end);
        if (p !== pos) {
          pos = p;
          nextCr = -2;
          if (pos >= end) break;
        }
      }
      kernelOnly = false;
      this.clean = false;
      let lf = buf.indexOf(LF, pos);
      if (lf >= end) lf = -1;
      const stop = lf === -1 ? end : lf;
      // Bare CR: a CR inside [pos, stop) not immediately before the LF.
      if (nextCr !== -1 && nextCr < pos) {
        nextCr = buf.indexOf(CR, pos);
        if (nextCr >= end) nextCr = -1;
      }
      while (nextCr !== -1 && nextCr < stop) {
        if (nextCr === end - 1) this.crAtEnd = true;
        else if (nextCr !== stop - 1 || lf === -1) bump(this.stats.bareCr, frame);
        nextCr = buf.indexOf(CR, nextCr + 1);
        if (nextCr >= end) nextCr = -1;
      }
      this.absorb(buf, pos, stop);
      if (lf === -1) {
        pos = end;
        break;
      }
      pos = lf + 1;
      if (this.endLine(frame)) {
        this.done = true;
        this.stats.complete = true;
        this.stats.terminator = 'CRLF.CRLF';
        break;
      }
    }
    this.stats.rawBytes += pos - start;
    // An octet > 127 the kernel saw is enough; when the kernel read every octet consumed its
    // answer is the whole answer; else isAscii (simdutf) on the octets consumed.
    if (this.eightBitSeen || (!kernelOnly && !isAscii(start === 0 && pos === buf.length ? buf : new Uint8Array(buf.buffer, buf.byteOffset + start, pos - start)))) {
      bump(this.stats.eightBit, frame);
    }
    return pos;
  }

  /**
   * Fast path from a line start (body, not header): consumes a run of ordinary lines
   * and returns where it stopped (`pos` when the first line is not ordinary). An
   * ordinary line ends in CRLF, holds no other CR or LF, does not start with '.',
   * and is at most LIMITS.textLine octets with its CRLF: no look-alike, bare CR/LF,
   * stuffing or long-line check can fire on it, so it only adds to the counts.
   * Cost per line: two native searches (LF, and the first CR, which must be the
   * one before that LF) and a few comparisons; the general path handles the rest.
   */
  private ordinaryLines(buf: Buffer, pos: number, end: number): number {
    const start = pos;
    const maxGap = LIMITS.textLine - 1; // lf - lineStart <= textLine - 1
    let lines = 0;
    while (pos < end && buf[pos] !== DOT) {
      const lf = buf.indexOf(LF, pos);
      if (lf === -1 || lf >= end || lf - pos > maxGap || lf === pos) break;
      if (buf.indexOf(CR, pos) !== lf - 1) break;
      lines++;
      pos = lf + 1;
    }
    if (lines > 0) {
      const n = pos - start;
      this.stats.bytes += n;
      this.stats.lines += lines;
      this.lineStart += n;
      this.prevEnding = 'crlf';
      this.lastLook = null;
    }
    return pos;
  }

  /**
   * ordinaryLines() by the WebAssembly kernel (body-scan.ts), from a line start or a
   * clean partial line: consumes the ordinary lines, and a clean tail (absorbed, the
   * line stays clean), window by window; returns the start of the first line that is
   * not ordinary (`pos` when it is the partial one), or `end`.
   */
  private kernelLines(k: BodyScanKernel, buf: Buffer, pos: number, end: number): number {
    const s = this.stats;
    while (pos < end) {
      if (pos < this.winStart || pos >= this.winEnd) {
        this.winStart = pos;
        this.winEnd = Math.min(end, pos + SMTP_LIMITS.bodyScanWindow);
        buf.copy(k.window, 0, pos, this.winEnd);
      }
      const base = this.winStart;
      const cur = this.cur;
      const stop = k.scan(pos - base, this.winEnd - base, cur) + base;
      const lines = k.result[0]!;
      if (lines > 0) {
        const n = cur + stop - pos;
        s.bytes += n;
        s.lines += lines;
        this.lineStart += n;
        this.prevEnding = 'crlf';
        this.lastLook = null;
        if (cur > 0) {
          this.cur = 0;
          this.h0 = this.h1 = this.h2 = this.t1 = this.t2 = this.t3 = -1;
        }
      }
      if (k.result[1] !== 0) return stop;
      if (k.result[2] !== 0) this.eightBitSeen = true;
      if (stop < this.winEnd) {
        this.absorb(buf, stop, this.winEnd);
        this.clean = true;
      }
      pos = this.winEnd;
    }
    return pos;
  }

  /** The final statistics (header block parsed if the body ended inside it). */
  finish(): BodyStats {
    if (this.stats.headers === null && (this.headerLen > 0 || this.headerCut)) this.parseHeaders();
    return this.stats;
  }

  /** Line bytes buf[from, to) without their LF. */
  private absorb(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.cur < 3) {
      for (let i = from; i < to && this.cur + (i - from) < 3; i++) {
        const k = this.cur + (i - from);
        if (k === 0) this.h0 = buf[i]!;
        else if (k === 1) this.h1 = buf[i]!;
        else this.h2 = buf[i]!;
      }
    }
    if (n >= 3) {
      this.t3 = buf[to - 3]!;
      this.t2 = buf[to - 2]!;
      this.t1 = buf[to - 1]!;
    } else if (n === 2) {
      this.t3 = this.t1;
      this.t2 = buf[to - 2]!;
      this.t1 = buf[to - 1]!;
    } else {
      this.t3 = this.t2;
      this.t2 = this.t1;
      this.t1 = buf[to - 1]!;
    }
    if (this.inHeaders) this.keepHeader(buf, from, to);
    this.cur += n;
  }

  /** A LF ended the current line. Returns true when it was the end-of-data line. */
  private endLine(frame: number): boolean {
    const s = this.stats;
    const cur = this.cur;
    const hasCr = cur >= 1 && this.t1 === CR;
    const dot = cur >= 1 && this.h0 === DOT;
    const lineOffset = this.lineStart;
    this.lineStart += cur + 1;
    const h1 = this.h1;
    const t2 = this.t2;
    const t3 = this.t3;
    const prev = this.prevEnding;
    this.prevEnding = hasCr ? 'crlf' : 'lf';
    this.lastLook = null;
    this.cur = 0;
    this.h0 = this.h1 = this.h2 = this.t1 = this.t2 = this.t3 = -1;

    const dotCrLf = dot && cur === 2 && hasCr; // the line ".\r\n"
    if (dotCrLf && prev === 'crlf') {
      if (this.mode === 'dot') {
        if (this.inHeaders) this.endHeaders(true);
        return true;
      }
      this.lookalike('CRLF.CRLF', frame, lineOffset);
    } else if (dot && cur === 1) {
      this.lookalike(prev === 'lf' ? 'LF.LF' : 'CRLF.LF', frame, lineOffset);
    } else if (dotCrLf) {
      this.lookalike('LF.CRLF', frame, lineOffset);
    } else if (dot && prev === 'crlf' && cur >= 3 && h1 === CR) {
      this.lookalike('CRLF.CR', frame, lineOffset);
    }
    if (cur >= 3 && t3 === CR && t2 === DOT && hasCr) this.lookalike('CR.CRLF', frame, lineOffset);

    const stuffed = this.mode === 'dot' && dot ? 1 : 0;
    const octets = cur + 1 - stuffed;
    s.bytes += octets;
    s.lines++;
    this.lastOctets = octets;
    if (!hasCr) bump(s.bareLf, frame);
    if (octets > LIMITS.textLine) {
      bump(s.longLines, frame);
      if (octets > s.longLines.longest) s.longLines.longest = octets;
    }
    if (this.inHeaders) {
      this.keepHeaderByte(LF);
      // RFC 5322 §2.1: the header section ends at the first empty line.
      if (cur === 0 || (cur === 1 && hasCr)) this.endHeaders(false);
    }
    return false;
  }

  private lookalike(kind: LookalikeKind, frame: number, offset: number): void {
    this.stats.lookalikeCount++;
    const l: Lookalike = { kind, frame, offset };
    this.lastLook = l;
    if (this.stats.lookalikes.length < SMTP_LIMITS.maxLookalikes) this.stats.lookalikes.push(l);
  }

  /**
   * Dot mode: the octets consumed so far end exactly with an end-of-data look-alike
   * (nothing after it), so a server that answered now took it as the end of data. The
   * look-alike on the last line ended, or a pending `<CRLF>.<CR>` (the CRLF.CR kind:
   * a line that is "." CR so far, after a CRLF). Null otherwise.
   */
  trailingLookalike(): { kind: LookalikeKind; frame: number } | null {
    if (this.mode !== 'dot' || this.done) return null;
    if (this.cur === 0) {
      // A CRLF.CR found on a finished line had more octets after its CR: it is not at the end.
      const l = this.lastLook;
      return l && l.kind !== 'CRLF.CR' ? { kind: l.kind, frame: l.frame } : null;
    }
    if (this.cur === 2 && this.h0 === DOT && this.h1 === CR && this.prevEnding === 'crlf') return { kind: 'CRLF.CR', frame: this.lastFrame };
    return null;
  }

  /**
   * Ends the body at the trailing look-alike (see trailingLookalike): the server's reply
   * shows it took that sequence as the end of data. The look-alike stays in `lookalikes`
   * (it is one); its dot line leaves the message counts, as the CRLF.CRLF terminator would.
   */
  endAtLookalike(kind: LookalikeKind): void {
    const s = this.stats;
    if (this.cur === 0 && kind !== 'CR.CRLF') {
      // The whole last line was the dot line (".", ".\r"): it is terminator, not message.
      s.bytes -= this.lastOctets;
      s.lines--;
    } else if (kind === 'CR.CRLF') {
      s.bytes -= 3; // the ".\r\n" after the CR that ended the text
    } else if (kind === 'CRLF.CR' && this.cur === 2) {
      // "<CRLF>.<CR>" with nothing after it: the look-alike is only now known not to be followed by LF.
      this.lookalike('CRLF.CR', this.lastFrame, this.lineStart);
    }
    if (this.inHeaders) this.endHeaders(true);
    this.done = true;
    s.complete = true;
    s.terminator = kind;
  }

  private keepHeader(buf: Buffer, from: number, to: number): void {
    const room = LIMITS.maxHeaderBytes - this.headerLen;
    const take = Math.min(room, to - from);
    if (take < to - from) this.headerCut = true;
    if (take <= 0) return;
    this.reserve(take);
    buf.copy(this.header, this.headerLen, from, from + take); // copy: buf is borrowed
    this.headerLen += take;
  }

  private keepHeaderByte(b: number): void {
    if (this.headerLen >= LIMITS.maxHeaderBytes) {
      this.headerCut = true;
      return;
    }
    this.reserve(1);
    this.header[this.headerLen++] = b;
  }

  /** One owned buffer, doubled as needed, never beyond LIMITS.maxHeaderBytes. */
  private reserve(n: number): void {
    if (this.headerLen + n <= this.header.length) return;
    const size = Math.min(LIMITS.maxHeaderBytes, Math.max(1024, (this.headerLen + n) * 2));
    const next = Buffer.allocUnsafe(size);
    this.header.copy(next, 0, 0, this.headerLen);
    this.header = next;
  }

  private endHeaders(_atEnd: boolean): void {
    this.inHeaders = false;
    this.parseHeaders();
  }

  private parseHeaders(): void {
    this.inHeaders = false;
    const text = this.header.toString('utf8', 0, this.headerLen);
    this.header = Buffer.alloc(0);
    this.stats.headers = parseHeaderBlock(text, this.headerCut);
  }
}

/** RFC 5322 §2.2, §2.2.3: fields `name: value`, folded lines start with WSP. */
export function parseHeaderBlock(text: string, truncated: boolean): HeaderInfo {
  const info: HeaderInfo = { messageId: null, subject: null, from: null, to: null, date: null, received: 0, truncated };
  const fields: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && fields.length > 0) fields[fields.length - 1] += ' ' + line.trim();
    else fields.push(line);
  }
  for (const f of fields) {
    const colon = f.indexOf(':');
    if (colon <= 0) continue;
    const name = f.slice(0, colon).trim().toLowerCase();
    const value = f.slice(colon + 1).trim();
    switch (name) {
      case 'message-id':
        info.messageId ??= value;
        break;
      case 'subject':
        info.subject ??= value;
        break;
      case 'from':
        info.from ??= value;
        break;
      case 'to':
        info.to ??= value;
        break;
      case 'date':
        info.date ??= value;
        break;
      case 'received':
        info.received++;
        break;
    }
  }
  // The values outlive the header text (ended sessions stay for the report): copies, not slices of it.
  info.messageId = detachOrNull(info.messageId);
  info.subject = detachOrNull(info.subject);
  info.from = detachOrNull(info.from);
  info.to = detachOrNull(info.to);
  info.date = detachOrNull(info.date);
  return info;
}
