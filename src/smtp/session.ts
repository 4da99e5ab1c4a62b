/**
 * The SMTP session model: one per flow that carries SMTP. It holds what the
 * report's `sessions[]` entry needs (spec/interface.md) in capture terms
 * (Time, frames); report/ turns times into ISO strings. Bounded: commands,
 * transactions and recipients are capped (SMTP_LIMITS) with counts of what
 * was dropped. Never holds a password (see sasl.ts).
 */
import type { Endpoint } from '../tcp/events.js';
import type { Time } from '../util/time.js';
import type { EhloInfo, PathArgs } from './commands.js';
import type { HeaderInfo } from './data-body.js';
import type { ClosedBy } from './events.js';
import type { SmtpState } from './state-machine.js';
import type { AuthResult } from './sasl.js';

export interface SessionReply {
  /** Order of arrival among the session's replies (1-based): several replies may share a frame. */
  n: number;
  frame: number;
  time: Time;
  code: number;
  enhanced: string | null;
  lines: readonly string[];
  text: string;
  latencyMs: number;
}

/** One entry of sessions[].commands: easy to diff against tshark as (verb, arg) and (code, text). */
export interface SessionCommand {
  seq: number;
  frame: number;
  time: Time;
  verb: string;
  arg: string;
  pseudo: boolean;
  reply: SessionReply | null;
}

export interface Recipient {
  address: string;
  /** Reply code, or null while unanswered / when the reply was lost. */
  code: number | null;
  enhanced: string | null;
  text: string | null;
}

export interface Transaction {
  index: number;
  /** The MAIL command's frame (the transaction starts when MAIL is sent). */
  frame: number;
  time: Time;
  mailFrom: string | null;
  mailParams: PathArgs['params'];
  /** RFC 1870 SIZE= declared on MAIL. */
  declaredSize: number | null;
  body: string | null;
  mailCode: number | null;
  rcpts: Recipient[];
  droppedRcpts: number;
  via: 'DATA' | 'BDAT' | null;
  /** Message octets seen (stuffing removed for DATA; sum of chunk octets for BDAT). */
  dataBytes: number;
  headers: HeaderInfo | null;
  /** The verdict: reply to the end of data / BDAT LAST (or the refusal of DATA). */
  result: { code: number; enhanced: string | null; text: string; frame: number } | null;
  outcome: 'open' | 'accepted' | 'rejected' | 'reset' | 'aborted';
}

export interface TlsInfo {
  started: boolean;
  verb: 'STARTTLS' | 'X-ANONYMOUSTLS' | 'implicit';
  frame: number;
  version: string | null;
  cipher: string | null;
  sni: string | null;
  /** First alert's description (level in alertLevel). */
  alert: string | null;
  alertLevel: string | null;
  established: boolean;
}

export interface AuthInfo {
  mechanism: string;
  user: string | null;
  result: AuthResult;
  code: number | null;
  frame: number;
}

export interface SmtpSession {
  /** Order of detection, 1-based. */
  readonly id: number;
  readonly tcpStream: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly detectedBy: 'port' | 'greeting';
  start: Time;
  startFrame: number;
  end: Time | null;
  endFrame: number | null;
  /** Greeting text (lines joined with '\n', codes stripped) and code. */
  greeting: string | null;
  greetingCode: number | null;
  /** Last HELO/EHLO argument and the verb used. */
  helo: string | null;
  heloVerb: 'HELO' | 'EHLO' | null;
  /** EHLO keyword lines as sent (latest EHLO reply). */
  extensions: string[];
  ehlo: EhloInfo | null;
  tls: TlsInfo | null;
  /** The last AUTH exchange. */
  auth: AuthInfo | null;
  authAttempts: number;
  transactions: Transaction[];
  droppedTransactions: number;
  commands: SessionCommand[];
  droppedCommands: number;
  /** Replies that found no pending command (unexpected-reply facts; mid-stream, after gaps), capped like commands. */
  unpairedReplies: Omit<SessionReply, 'latencyMs'>[];
  droppedUnpairedReplies: number;
  closedBy: ClosedBy | null;
  midstream: boolean;
  state: SmtpState;
  /** Who sent the first payload byte, and when. */
  firstSpeaker: { dir: 'c2s' | 's2c'; frame: number; time: Time } | null;
  /**
   * The start was seen (SYN) but the server never greeted: its first reply answered the
   * client's first command with a code no greeting has (not 220/421/554, RFC 5321 §4.3.2).
   */
  greetingMissing: boolean;
  /** Client bytes before the greeting (RFC 5321 §4.3.1). */
  earlyTalker: { frame: number; time: Time; bytes: number } | null;
  /** Anomalies per kind, including those beyond SMTP_LIMITS.maxAnomaliesPerKind. */
  anomalyCounts: Record<string, number>;
  bytes: { c2s: number; s2c: number };
}

export function newSession(
  id: number,
  tcpStream: number,
  client: Endpoint,
  server: Endpoint,
  detectedBy: 'port' | 'greeting',
  frame: number,
  time: Time,
  midstream: boolean,
): SmtpSession {
  return {
    id,
    tcpStream,
    client,
    server,
    detectedBy,
    start: time,
    startFrame: frame,
    end: null,
    endFrame: null,
    greeting: null,
    greetingCode: null,
    helo: null,
    heloVerb: null,
    extensions: [],
    ehlo: null,
    tls: null,
    auth: null,
    authAttempts: 0,
    transactions: [],
    droppedTransactions: 0,
    commands: [],
    droppedCommands: 0,
    unpairedReplies: [],
    droppedUnpairedReplies: 0,
    closedBy: null,
    midstream,
    state: midstream ? 'unknown' : 'init',
    firstSpeaker: null,
    greetingMissing: false,
    earlyTalker: null,
    anomalyCounts: {},
    bytes: { c2s: 0, s2c: 0 },
  };
}

/**
 * The dialogue as two comparable lists (for a differential test against tshark's
 * smtp.req.command / smtp.response.code): real commands in order as (verb, arg),
 * and replies in order as (code, text), unpaired replies included. Pseudo-commands are left out; their
 * replies (greeting, after the body) are kept, as tshark shows them.
 */
export function dialogueOf(s: SmtpSession): { commands: [string, string][]; replies: [number, string][] } {
  const commands: [string, string][] = [];
  const replies: { n: number; code: number; text: string }[] = [];
  for (const c of s.commands) {
    if (!c.pseudo) commands.push([c.verb, c.arg]);
    if (c.reply) replies.push({ n: c.reply.n, code: c.reply.code, text: c.reply.text });
  }
  for (const r of s.unpairedReplies) replies.push({ n: r.n, code: r.code, text: r.text });
  replies.sort((a, b) => a.n - b.n);
  return { commands, replies: replies.map((r) => [r.code, r.text]) };
}
