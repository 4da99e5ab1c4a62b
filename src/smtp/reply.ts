/**
 * Reply lines → one Reply (RFC 5321 §4.2, §4.2.1): `code SP text` ends a reply,
 * `code "-" text` continues it; "all lines of a multi-line reply carry the same
 * code". A bare `code` with no text is accepted as a last line (§4.2: "the
 * text ... MAY be omitted" in practice; §4.2.1 shows `Reply-code [ SP textstring ]`).
 * Enhanced status codes (RFC 3463, RFC 2034 §4) are read from the first line.
 */
import { LIMITS } from '../limits.js';
import type { Time } from '../util/time.js';
import { parseEnhancedCode } from './commands.js';

export interface Reply {
  readonly code: number;
  /** RFC 3463 class.subject.detail from the first line, or null. */
  readonly enhanced: string | null;
  /** Lines as sent, without CRLF (kept up to LIMITS.maxReplyLines). */
  readonly lines: readonly string[];
  /** The text after each code and separator, joined with '\n'. */
  readonly text: string;
  readonly firstFrame: number;
  readonly firstTime: Time;
  /** Frame and time of the last line: when the reply was complete. */
  readonly frame: number;
  readonly time: Time;
}

export type ReplyLine = { code: number; last: boolean; text: string; validCode: boolean };

/** One reply line, or why it is not one. */
export function parseReplyLine(s: string): { value: ReplyLine } | { error: string } {
  if (s.length < 3) return { error: 'too short' };
  const c0 = s.charCodeAt(0) - 48;
  const c1 = s.charCodeAt(1) - 48;
  const c2 = s.charCodeAt(2) - 48;
  if (c0 < 0 || c0 > 9 || c1 < 0 || c1 > 9 || c2 < 0 || c2 > 9) return { error: 'no reply code' };
  const sep = s.length > 3 ? s[3] : '';
  if (sep !== '' && sep !== ' ' && sep !== '-') return { error: 'no separator after code' };
  // RFC 5321 §4.2: `Reply-code = %x32-35 %x30-35 %x30-39`.
  const validCode = c0 >= 2 && c0 <= 5 && c1 <= 5;
  return { value: { code: c0 * 100 + c1 * 10 + c2, last: sep !== '-', text: s.slice(4), validCode } };
}

export type ReplyNote =
  | { kind: 'malformed-reply'; reason: string }
  | { kind: 'invalid-reply-code'; code: number }
  | { kind: 'reply-code-mismatch'; first: number; line: number }
  | { kind: 'reply-too-many-lines'; limit: number };

/** Assembles lines into replies. Not a byte parser: it is fed decoded lines. */
export class ReplyAssembler {
  private code = 0;
  private lines: string[] = [];
  private texts: string[] = [];
  private count = 0;
  private firstFrame = 0;
  private firstTime: Time = { sec: 0, nsec: 0 };
  private lastFrame = 0;
  private lastTime: Time = { sec: 0, nsec: 0 };
  /** A reply cut off by a line with another code (see push); taken with takeInterrupted(). */
  private interrupted: Reply | null = null;
  notes: ReplyNote[] = [];

  get inProgress(): boolean {
    return this.count > 0;
  }

  /** Feed one line; returns the completed reply or null. Notes for this line land in `notes`. */
  push(s: string, frame: number, time: Time, firstFrame: number, firstTime: Time): Reply | null {
    this.notes = [];
    const p = parseReplyLine(s);
    if ('error' in p) {
      this.notes.push({ kind: 'malformed-reply', reason: p.error });
      return null;
    }
    const { code, last, text, validCode } = p.value;
    if (this.count === 0) {
      this.code = code;
      this.firstFrame = firstFrame;
      this.firstTime = firstTime;
      if (!validCode) this.notes.push({ kind: 'invalid-reply-code', code });
    } else if (code !== this.code) {
      // RFC 5321 §4.2.1: "the reply code on each of the lines MUST be the same". A line with
      // another code means the reply before it was never terminated (a broken server, or a
      // middlebox that cut it): end that reply where it stopped and start a new one here, so
      // later replies still pair with the right commands (tshark reads the lines the same way).
      this.notes.push({ kind: 'reply-code-mismatch', first: this.code, line: code });
      this.interrupted = this.finish(this.lastFrame, this.lastTime);
      this.code = code;
      this.firstFrame = firstFrame;
      this.firstTime = firstTime;
      if (!validCode) this.notes.push({ kind: 'invalid-reply-code', code });
    }
    this.lastFrame = frame;
    this.lastTime = time;
    this.count++;
    if (this.lines.length < LIMITS.maxReplyLines) {
      this.lines.push(s);
      this.texts.push(text);
    } else if (this.lines.length === LIMITS.maxReplyLines && this.count === LIMITS.maxReplyLines + 1) {
      this.notes.push({ kind: 'reply-too-many-lines', limit: LIMITS.maxReplyLines });
    }
    if (!last) return null;
    return this.finish(frame, time);
  }

  /** The unterminated reply that the last push() cut off, if any (deliver it before push()'s result). */
  takeInterrupted(): Reply | null {
    const r = this.interrupted;
    this.interrupted = null;
    return r;
  }

  /** At the end of the stream: an unfinished multi-line reply, as far as it went. */
  flush(frame: number, time: Time): Reply | null {
    if (this.count === 0) return null;
    return this.finish(frame, time);
  }

  reset(): void {
    this.count = 0;
    this.lines = [];
    this.texts = [];
  }

  private finish(frame: number, time: Time): Reply {
    const en = parseEnhancedCode(this.texts[0] ?? '');
    const reply: Reply = {
      code: this.code,
      enhanced: 'value' in en ? en.value : null,
      lines: this.lines,
      text: this.texts.join('\n'),
      firstFrame: this.firstFrame,
      firstTime: this.firstTime,
      frame,
      time,
    };
    this.reset();
    return reply;
  }
}
