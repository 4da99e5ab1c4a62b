/**
 * What smtp/ tells rules/: facts only, no judgement (DESIGN habit 10; Suricata
 * events vs rules). Every event carries the frame and time of the bytes that
 * made it known. Events and the objects they reference (Command, Reply) are
 * never mutated after they are emitted: the rule engine may freeze them.
 */
import type { Dir, CloseReason } from '../tcp/events.js';
import type { Time } from '../util/time.js';
import type { Reply } from './reply.js';
import type { BodyStats, FrameCount, HeaderInfo, Lookalike, LookalikeKind } from './data-body.js';
import type { EhloInfo, PathArgs } from './commands.js';
import type { SmtpState } from './state-machine.js';
import type { TlsEvent } from './tls-records.js';
import type { LineEnding } from './line-splitter.js';

export type { Reply } from './reply.js';

export interface Command {
  /** Position in the session's command order (0-based, pseudo-commands included). */
  readonly seq: number;
  /** Upper-cased verb, or a pseudo-command: '<connect>', '<end-of-data>', '<end-of-blob>', '<auth-response>'. */
  readonly verb: string;
  /** Argument as sent; credentials replaced by '<credentials: N bytes>'. */
  readonly arg: string;
  readonly pseudo: boolean;
  /** The verb is in the table of commands.ts. */
  readonly known: boolean;
  /** Frame/time of the line's end (its LF), first frame of the line. */
  readonly frame: number;
  readonly firstFrame: number;
  readonly time: Time;
  /** Octets on the wire including the terminator (0 for pseudo-commands). */
  readonly length: number;
  readonly ending: LineEnding;
  /** Sent while replies to earlier real commands were outstanding (RFC 2920). */
  readonly pipelined: boolean;
  /** The outstanding group-ending command (RFC 2920 §3.1) this one followed before its reply, or null. */
  readonly afterGroupEnd: string | null;
  /** State of the session (reply-driven) when the command was sent. */
  readonly state: SmtpState;
  /** Parse error of the argument for verbs with a grammar (MAIL, RCPT, BDAT, XEXCH50), or null. */
  readonly argError: string | null;
  /** Parsed MAIL FROM / RCPT TO path, when it parsed. */
  readonly path: PathArgs | null;
}

export const ANOMALY_KINDS = [
  'bare-lf', // command/reply line ended by LF alone (RFC 5321 §2.3.8)
  'bare-cr', // CR not followed by LF inside a command/reply line
  'line-too-long', // over LIMITS.commandLine / replyLine, or cut at maxBufferedLine
  'malformed-reply', // server line that is not `code [SP|-] text`
  'invalid-reply-code', // digits outside %x32-35 %x30-35 %x30-39 (RFC 5321 §4.2)
  'reply-code-mismatch', // lines of one multi-line reply with different codes (§4.2.1)
  'reply-too-many-lines', // LIMITS.maxReplyLines
  'incomplete-line', // stream ended inside a line
  'pending-limit', // LIMITS.maxPendingCommands: oldest pending command dropped
  'held-bytes-limit', // SMTP_LIMITS.maxHeldClientBytes: decided without the reply
  'server-side-missing', // the capture holds no server bytes: held client bytes read as if accepted
  'not-tls', // bytes after 220 to STARTTLS/X-ANONYMOUSTLS (or on 465) that are not TLS records
  'counted-size-unknown', // 354 to XEXCH50 whose length did not parse: blob cannot be delimited
  'auth-bad-base64', // an AUTH answer that is not base64 (RFC 4954 §4)
  'unparsed-command', // client line while unsynchronised (mid-stream / after gap) that is not a command
  'reply-during-data', // a 2xx/4xx/5xx reply while the DATA body is open and no end-of-data look-alike precedes it
  'missing-greeting', // SYN seen, but the server's first reply answers the client's first command (no 220/421/554 greeting)
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface TransactionSummary {
  index: number;
  mailFrom: string | null;
  rcpts: number;
  acceptedRcpts: number;
  dataBytes: number;
  via: 'DATA' | 'BDAT' | null;
  result: { code: number; enhanced: string | null; text: string } | null;
}

export type TransactionOutcome = 'accepted' | 'rejected' | 'reset' | 'aborted';

export type SessionEvent =
  | { type: 'session-start'; frame: number; time: Time; midstream: boolean; detectedBy: 'port' | 'greeting'; implicitTls: boolean }
  | { type: 'greeting'; frame: number; time: Time; reply: Reply }
  | { type: 'command'; frame: number; time: Time; cmd: Command }
  | {
      type: 'reply';
      frame: number;
      time: Time;
      reply: Reply;
      /** The command it answers (FIFO, pseudo-commands included), or null: nothing was pending (unexpected-reply fact). */
      to: Command | null;
      /** Reply time minus the command's time. */
      latencyMs: number | null;
      /** RFC 5321 §4.3.2 list (plus 500/501/421) permits this code for `to`. */
      permitted: boolean;
      /** Session state before and after this reply was applied. */
      stateBefore: SmtpState;
      stateAfter: SmtpState;
    }
  | { type: 'extensions'; frame: number; time: Time; ehlo: EhloInfo }
  | { type: 'early-talker'; frame: number; time: Time; bytes: number }
  | { type: 'resync'; frame: number; time: Time; dir: Dir; cause: 'midstream' | 'gap' }
  | {
      type: 'data-start';
      frame: number;
      time: Time;
      cmd: Command;
      /**
       * Frame of the first body octet when the client sent it before the 354 arrived (the
       * bytes were held for the reply); null when no body octet had arrived yet.
       */
      firstBodyFrame: number | null;
      firstBodyTime: Time | null;
    }
  | {
      type: 'data-end';
      frame: number;
      time: Time;
      /** Terminator seen; false when a gap, reset or end of capture cut the body. */
      complete: boolean;
      /**
       * What ended the body: 'CRLF.CRLF' (RFC 5321 §4.1.1.4), or an end-of-data look-alike
       * the server took as the end (it replied while the body ended with it: SMTP smuggling
       * works against this server). Null when the body was cut.
       */
      terminator: LookalikeKind | null;
      /** Frame of the first body octet (null: none arrived). */
      firstBodyFrame: number | null;
      bytes: number;
      lines: number;
      lookalikes: Lookalike[];
      lookalikeCount: number;
      body: BodyStats;
      headers: HeaderInfo | null;
    }
  | {
      type: 'bdat-chunk';
      frame: number;
      time: Time;
      cmd: Command;
      size: number;
      chunk: 'intermediate' | 'last';
      received: number;
      complete: boolean;
      /** `<CRLF>.<CRLF>` and other end-of-data look-alikes inside this chunk (data, per RFC 3030). */
      lookalikes: Lookalike[];
      /** Segments of this chunk that carry octets > 127 (count), and the first such frame. */
      eightBit: FrameCount;
    }
  | {
      type: 'xexch50-blob';
      frame: number;
      time: Time;
      cmd: Command;
      expected: number;
      received: number;
      complete: boolean;
      /** The server's reply to the BLOB (code), or null: none came. */
      answered: number | null;
      answerFrame: number | null;
      /** Why the event was emitted: the reply came, or the stream stopped. */
      cause: 'reply' | 'gap' | 'close';
    }
  | {
      type: 'auth';
      frame: number;
      time: Time;
      mechanism: string;
      /** Decoded user name (PLAIN authcid, LOGIN first answer, CRAM-MD5 user); never a password. */
      user: string | null;
      result: 'success' | 'failure' | 'cancelled' | 'unknown';
      code: number | null;
      enhanced: string | null;
      rounds: number;
    }
  | { type: 'tls'; frame: number; time: Time; phase: 'start'; verb: 'STARTTLS' | 'X-ANONYMOUSTLS' | 'implicit' }
  | { type: 'tls'; frame: number; time: Time; phase: 'record'; record: TlsEvent }
  | { type: 'tls'; frame: number; time: Time; phase: 'established' }
  | {
      type: 'gap';
      frame: number;
      time: Time;
      dir: Dir;
      /** Stream offset (octets since the start of the direction) where the hole starts, from tcp/. */
      streamOffset: number;
      length: number | 'unknown';
      /** What the gap hit: the parser phase of that direction. */
      inside: 'line' | 'reply' | 'data' | 'bdat' | 'xexch50' | 'auth' | 'tls' | 'held';
      state: SmtpState;
    }
  | {
      type: 'anomaly';
      frame: number;
      time: Time;
      dir: Dir;
      kind: AnomalyKind;
      detail: string;
      /** Octets of the line concerned, when relevant. */
      length?: number;
      limit?: number;
    }
  | { type: 'transaction-end'; frame: number; time: Time; outcome: TransactionOutcome; transaction: TransactionSummary }
  | {
      type: 'session-end';
      frame: number;
      time: Time;
      reason: CloseReason;
      closedBy: ClosedBy;
      state: SmtpState;
      /** Commands still waiting for a reply. */
      pending: Command[];
      /** Client bytes held for a reply that never came. */
      heldBytes: number;
    };

export type ClosedBy = 'quit' | 'fin' | 'rst' | 'capture-end' | 'tls';

export type SessionEventType = SessionEvent['type'];
