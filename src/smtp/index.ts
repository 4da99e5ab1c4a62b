/**
 * smtp/: StreamEvents → SessionEvents. This file only composes: it finds the
 * flows that carry SMTP and hands their events to one Conversation each.
 *
 * Detection: a flow whose server port is one of `ports` (default: 25, 465, 587,
 * 2525 and Exchange's 475 and 717), or any flow whose server's first bytes are
 * a `220` reply line (RFC 5321 §4.2: "220 SP" or "220-"). Other flows cost one
 * map entry and a look at the first server bytes; a flow where the client
 * speaks first on a non-SMTP port is dropped at once (so an early talker on an
 * unusual port is not found: documented limit).
 */
import type { StreamEvent, Flow } from '../tcp/events.js';
import { Conversation, type SmtpSink } from './conversation.js';

export type { SmtpSink } from './conversation.js';
export type { SmtpSession, SessionCommand, SessionReply, Transaction, Recipient, TlsInfo, AuthInfo } from './session.js';
export type { SessionEvent, SessionEventType, Command, AnomalyKind, ClosedBy, TransactionSummary } from './events.js';
export type { Reply } from './reply.js';
export type { SmtpState } from './state-machine.js';
export type { EhloInfo, EhloKeyword, PathArgs } from './commands.js';
export type { BodyStats, HeaderInfo, Lookalike, LookalikeKind } from './data-body.js';
export { SMTP_STATES } from './state-machine.js';
export { dialogueOf } from './session.js';
export { ANOMALY_KINDS } from './events.js';
export { SMTP_LIMITS } from './limits.js';

export const DEFAULT_SMTP_PORTS = [25, 465, 587, 2525, 475, 717] as const;
/** Ports where TLS starts with the connection (RFC 8314 §3.3: submissions on 465). */
export const IMPLICIT_TLS_PORTS = [465] as const;

export interface SmtpOptions {
  ports?: readonly number[];
  implicitTlsPorts?: readonly number[];
}

export interface SmtpAnalyzer {
  stream(ev: StreamEvent): void;
  /** Sessions detected so far. */
  readonly sessions: number;
}

const CANDIDATE = 0;
const IGNORED = 1;
type Entry = Conversation | typeof CANDIDATE | typeof IGNORED;

/** First server bytes b[start, end) look like a 220 line ("220 ", "220-", or a prefix of them when the segment is short). */
function looksLike220(b: Buffer, start: number, end: number): boolean {
  const want = [0x32, 0x32, 0x30];
  for (let i = 0; i < 3; i++) {
    if (start + i >= end) return true;
    if (b[start + i] !== want[i]) return false;
  }
  if (end - start === 3) return true;
  const c = b[start + 3];
  return c === 0x20 || c === 0x2d || c === 0x0d;
}

export function createSmtpAnalyzer(opts: SmtpOptions, sink: SmtpSink): SmtpAnalyzer {
  const ports = new Set(opts.ports ?? DEFAULT_SMTP_PORTS);
  const tlsPorts = new Set(opts.implicitTlsPorts ?? IMPLICIT_TLS_PORTS);
  const flows = new Map<number, Entry>();
  let count = 0;

  function start(flow: Flow, by: 'port' | 'greeting', frame: number, time: StreamEvent['time']): Conversation {
    const conv = new Conversation(++count, flow, by, frame, time, sink, by === 'port' && tlsPorts.has(flow.server.port));
    flows.set(flow.tcpStream, conv);
    return conv;
  }

  function entryFor(flow: Flow, frame: number, time: StreamEvent['time']): Entry {
    const e = flows.get(flow.tcpStream);
    if (e !== undefined) return e;
    // No 'open' seen (defensive): decide now.
    if (ports.has(flow.server.port)) return start(flow, 'port', frame, time);
    flows.set(flow.tcpStream, CANDIDATE);
    return CANDIDATE;
  }

  return {
    get sessions() {
      return count;
    },
    stream(ev: StreamEvent): void {
      switch (ev.type) {
        case 'open':
          if (!flows.has(ev.flow.tcpStream)) {
            if (ports.has(ev.flow.server.port)) start(ev.flow, 'port', ev.frame, ev.time);
            else flows.set(ev.flow.tcpStream, CANDIDATE);
          }
          return;
        case 'data': {
          let e = entryFor(ev.flow, ev.frame, ev.time);
          if (e === IGNORED) return;
          // tcp/'s deliveries carry offsets (no view); other producers (tests) give bytes alone.
          let buf = ev.buf;
          let from: number, to: number;
          if (buf !== undefined) {
            from = ev.start!;
            to = ev.end!;
          } else {
            buf = ev.bytes;
            from = 0;
            to = buf.length;
          }
          if (e === CANDIDATE) {
            if (ev.dir === 's2c' && looksLike220(buf, from, to)) e = start(ev.flow, 'greeting', ev.frame, ev.time);
            else {
              flows.set(ev.flow.tcpStream, IGNORED);
              return;
            }
          }
          e.data(ev.dir, buf, from, to, ev.frame, ev.time);
          return;
        }
        case 'gap': {
          const e = flows.get(ev.flow.tcpStream);
          if (e instanceof Conversation) e.gap(ev.dir, ev.streamOffset, ev.length, ev.frame, ev.time);
          return;
        }
        case 'close': {
          const e = flows.get(ev.flow.tcpStream);
          flows.delete(ev.flow.tcpStream);
          if (e instanceof Conversation) e.close(ev.reason, ev.frame, ev.time);
          return;
        }
      }
    },
  };
}
