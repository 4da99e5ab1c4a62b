/**
 * One SMTP conversation: the two byte streams of a flow → SessionEvents and the
 * SmtpSession model. Each direction has a mode (which parser owns its next byte);
 * the modes change at exact octets: after the line that ends a reply, after a
 * BDAT command line, at the end of a body.
 *
 * Client bytes that follow a command whose REPLY decides how they are read
 * (DATA → body, XEXCH50 → BLOB, STARTTLS/X-ANONYMOUSTLS → TLS, AUTH → SASL
 * answers) are held (copied, bounded by SMTP_LIMITS.maxHeldClientBytes) until
 * that reply arrives, then read in the mode it implies. Commands read from held
 * bytes keep their own frames and are marked pipelined behind the blocking one.
 *
 * Ownership: every Buffer handed in is BORROWED (tcp/ reuses it); only held
 * client bytes, partial lines (LineSplitter) and header blocks are copied.
 */
import { LIMITS } from '../limits.js';
import type { CloseReason, Dir, Flow } from '../tcp/events.js';
import { diffMs, type Time } from '../util/time.js';
import { BdatChunk } from './bdat.js';
import {
  endsGroup,
  isKnownVerb,
  isPermittedReply,
  parseBdat,
  parseEhloKeyword,
  parseMailFrom,
  parseRcptTo,
  parseXexch50,
  splitCommand,
  summarizeEhlo,
  type EhloKeyword,
  type PathArgs,
} from './commands.js';
import { BodyScanner } from './data-body.js';
import type { AnomalyKind, Command, SessionEvent, TransactionOutcome } from './events.js';
import { SMTP_LIMITS } from './limits.js';
import { LineSplitter, type Line } from './line-splitter.js';
import { PendingQueue, type Pending } from './pending.js';
import { parseReplyLine, ReplyAssembler, type Reply } from './reply.js';
import { maskedAuthArg, parseAuthArg, SaslExchange } from './sasl.js';
import { newSession, type Recipient, type SessionCommand, type SmtpSession, type Transaction } from './session.js';
import { nextState, type SmtpState } from './state-machine.js';
import { createTlsParser, type TlsEvent } from './tls-records.js';
import { Xexch50Blob } from './xexch50.js';

export interface SmtpSink {
  event(session: SmtpSession, ev: SessionEvent): void;
  sessionEnd(session: SmtpSession): void;
}

/** What a reply must update, kept beside the (immutable) Command in the queue. */
interface Ctx {
  rec: SessionCommand | null;
  txn: Transaction | null;
  rcpt: Recipient | null;
  /** MAIL only: the transaction that was open when it was sent (a nested MAIL). */
  prevTxn: Transaction | null;
}

type C2sMode = 'probe' | 'line' | 'held' | 'data' | 'bdat' | 'xexch50' | 'tls';
type S2cMode = 'probe' | 'line' | 'tls';
type Sync = 'synced' | 'midstream' | 'gap';

/** Held client bytes (owned copies) or a gap that happened while holding. */
type Held = { kind: 'bytes'; buf: Buffer; frame: number; time: Time; behind: Command } | { kind: 'gap'; length: number | 'unknown'; frame: number; time: Time };

/** Verbs whose reply decides how the client's next bytes are read. */
const BLOCKING = new Set(['DATA', 'XEXCH50', 'STARTTLS', 'X-ANONYMOUSTLS', 'AUTH', 'X-EXPS', '<auth-response>']);

/**
 * While unsynchronised (mid-stream, after a gap) a client line is taken as a
 * command only if it parses as one: a known verb with the argument shape it
 * needs. A body line such as "Rcpt text: ..." must not resync the parser.
 */
function looksLikeCommand(text: string): boolean {
  const { verb, arg } = splitCommand(text);
  if (!isKnownVerb(verb)) return false;
  switch (verb) {
    case 'MAIL':
      return 'value' in parseMailFrom(arg);
    case 'RCPT':
      return 'value' in parseRcptTo(arg);
    case 'BDAT':
      return 'value' in parseBdat(arg);
    case 'XEXCH50':
      return 'value' in parseXexch50(arg);
    case 'EHLO':
    case 'HELO':
    case 'AUTH':
    case 'X-EXPS':
      return /^\S+( \S+)?$/.test(arg);
    case 'DATA':
    case 'RSET':
    case 'QUIT':
    case 'STARTTLS':
    case 'X-ANONYMOUSTLS':
    case 'TURN':
      return arg === '';
    default:
      return true;
  }
}

const NO_CTX: Ctx = { rec: null, txn: null, rcpt: null, prevTxn: null };

export class Conversation {
  readonly session: SmtpSession;
  private readonly c2sLines = new LineSplitter();
  private readonly s2cLines = new LineSplitter();
  private readonly replies = new ReplyAssembler();
  private readonly queue = new PendingQueue<Ctx>();
  private c2sMode: C2sMode;
  private s2cMode: S2cMode;
  private c2sSync: Sync;
  private s2cSync: Sync;
  private held: Held[] = [];
  private heldLen = 0;
  private heldFor: Command | null = null;
  private body: BodyScanner | null = null;
  private bodyTxn: Transaction | null = null;
  private chunk: BdatChunk | null = null;
  private chunkBody: BodyScanner | null = null;
  private chunkTxn: Transaction | null = null;
  private blob: Xexch50Blob | null = null;
  private sasl: SaslExchange | null = null;
  private saslCmd: Command | null = null;
  /** A 334 is the latest reply of the SASL exchange: the next client line is an answer. */
  private saslAnswerDue = false;
  private tls: ReturnType<typeof createTlsParser> | null = null;
  private tlsEstablished = false;
  private txn: Transaction | null = null;
  private seq = 0;
  private greeted = false;
  private repliesSeen = 0;
  private quitSent = false;

  constructor(
    id: number,
    flow: Flow,
    detectedBy: 'port' | 'greeting',
    frame: number,
    time: Time,
    private readonly sink: SmtpSink,
    implicitTls: boolean,
  ) {
    this.session = newSession(id, flow.tcpStream, flow.client, flow.server, detectedBy, frame, time, false);
    this.c2sMode = implicitTls ? 'probe' : 'line';
    this.s2cMode = implicitTls ? 'probe' : 'line';
    this.c2sSync = 'synced';
    this.s2cSync = 'synced';
    this.start = { flow, frame, time, implicitTls };
  }

  private start: { flow: Flow; frame: number; time: Time; implicitTls: boolean } | null;

  /**
   * tcp/ sends 'open' before it has looked at the opening segment's flags, so
   * whether the handshake was seen is decided at the first delivery: a flow whose
   * roles came from a SYN or SYN+ACK starts at the beginning of both streams.
   */
  private begin(): void {
    const st = this.start;
    if (!st) return;
    this.start = null;
    const { flow, frame, time, implicitTls } = st;
    const midstream = flow.roleBy === 'port' && !flow.sawSyn && !flow.sawSynAck;
    const s = this.session;
    s.midstream = midstream;
    s.state = midstream ? 'unknown' : 'init';
    this.c2sSync = midstream ? 'midstream' : 'synced';
    this.s2cSync = midstream ? 'midstream' : 'synced';
    this.emit({ type: 'session-start', frame, time, midstream, detectedBy: s.detectedBy, implicitTls });
    if (!midstream) this.pushPseudo('<connect>', '', frame, time, NO_CTX);
  }

  // ---------------------------------------------------------------------------
  // StreamEvent entry points

  /** The next bytes of one direction, buf[start, end) (borrowed). */
  data(dir: Dir, buf: Buffer, start: number, end: number, frame: number, time: Time): void {
    const n = end - start;
    if (n <= 0) return;
    this.begin();
    const s = this.session;
    s.bytes[dir] += n;
    s.firstSpeaker ??= { dir, frame, time };
    if (dir === 'c2s') {
      // RFC 5321 §4.3.1: the client SHOULD wait for the greeting (R-GREET-1).
      if (!this.greeted && !s.midstream && this.c2sMode !== 'probe' && this.c2sMode !== 'tls') {
        if (s.earlyTalker === null) {
          s.earlyTalker = { frame, time, bytes: 0 };
          this.emit({ type: 'early-talker', frame, time, bytes: n });
        }
        s.earlyTalker.bytes += n;
      }
      this.c2sRun(buf, start, end, frame, time, null);
    } else {
      this.s2cRun(buf, start, end, frame, time);
    }
  }

  gap(dir: Dir, streamOffset: number, length: number | 'unknown', frame: number, time: Time): void {
    this.begin();
    const inside = dir === 'c2s' ? this.c2sInside() : this.s2cInside();
    this.emit({ type: 'gap', frame, time, dir, streamOffset, length, inside, state: this.session.state });
    if (dir === 'c2s') {
      if (this.c2sMode === 'held') {
        // Bytes before the gap are still waiting for their reply; the gap is applied in order on release.
        this.held.push({ kind: 'gap', length, frame, time });
        return;
      }
      this.c2sGap(frame, time);
    } else {
      this.s2cGap(frame, time);
    }
  }

  close(reason: CloseReason, frame: number, time: Time): void {
    this.begin();
    const s = this.session;
    // (a loop: the bytes read may block again, on the next DATA)
    for (let guard = 0; this.c2sMode === 'held' && this.heldFor && s.bytes.s2c === 0 && guard < 10_000; guard++) {
      // Only the client side was captured (zeek one-side.pcap): no reply will ever decide
      // how the held bytes read. The client went on as if the reply were positive (it sent
      // a body after DATA), so read them that way, and say that the server side is missing.
      this.anomaly('c2s', 'server-side-missing', `no server bytes in the capture; ${this.heldLen} client bytes after ${this.heldFor.verb} read as if it was accepted`, frame, time, this.heldLen);
      this.decideWithoutReply(frame, time);
    }
    // A partial last line: a reply line without CRLF still counts (lenient, like most clients).
    const sLine = this.s2cMode === 'line' ? this.s2cLines.flush(frame, time) : null;
    if (sLine) {
      this.anomaly('s2c', 'incomplete-line', 'stream ended inside a reply line', frame, time, sLine.length);
      const text = sLine.bytes.toString('utf8');
      if ('value' in parseReplyLine(text)) this.serverLine(sLine, text);
    }
    const cLine = this.c2sMode === 'line' ? this.c2sLines.flush(frame, time) : null;
    if (cLine) this.anomaly('c2s', 'incomplete-line', 'stream ended inside a command line', frame, time, cLine.length);
    if (this.tls) {
      this.tls.end('c2s');
      this.tls.end('s2c');
      this.checkEstablished(frame, time);
    }
    const r = this.replies.flush(frame, time);
    if (r) this.anomaly('s2c', 'incomplete-line', `multi-line ${r.code} reply not finished`, frame, time);
    this.endPhases('close', frame, time);
    if (this.sasl && this.saslCmd) this.finishAuth(null, frame, time);
    // R-ORD-5: a close (even after QUIT) with a transaction open cancels it.
    for (const t of s.transactions) if (t.outcome === 'open') this.endTxn(t, 'aborted', frame, time);
    const pending = this.queue.clear().map((p) => p.cmd);
    s.end = time;
    s.endFrame = frame;
    s.closedBy = this.tlsEstablished
      ? 'tls'
      : this.quitSent
        ? 'quit'
        : reason === 'timeout'
          ? 'capture-end'
          : reason;
    this.emit({
      type: 'session-end',
      frame,
      time,
      reason,
      closedBy: s.closedBy,
      state: s.state,
      pending,
      heldBytes: this.heldLen,
    });
    this.sink.sessionEnd(s);
  }

  // ---------------------------------------------------------------------------
  // Client → server

  private c2sRun(buf: Buffer, pos: number, end: number, frame: number, time: Time, behind: Command | null): void {
    while (pos < end) {
      switch (this.c2sMode) {
        case 'probe':
          this.probe('c2s', buf[pos]!, frame, time);
          break;
        case 'line': {
          pos = this.c2sLines.next(buf, pos, end, frame, time);
          const line = this.c2sLines.line;
          if (line) this.clientLine(line, behind ?? this.heldFor);
          break;
        }
        case 'held':
          this.hold(buf, pos, end, frame, time);
          pos = end;
          break;
        case 'data': {
          const body = this.body!;
          pos = body.push(buf, pos, end, frame, time);
          if (body.done) {
            this.finishData(true, frame, time);
            this.c2sMode = 'line';
            this.pushPseudo('<end-of-data>', '', frame, time, { ...NO_CTX, txn: this.bodyTxn });
            this.bodyTxn = null;
          }
          break;
        }
        case 'bdat': {
          const chunk = this.chunk!;
          pos = chunk.push(buf, pos, end, frame, time);
          if (chunk.done) {
            this.finishChunk(frame, time);
            this.c2sMode = 'line';
          }
          break;
        }
        case 'xexch50': {
          const blob = this.blob!;
          pos = blob.push(pos, end, frame);
          if (blob.done) {
            this.c2sMode = 'line';
            this.pushPseudo('<end-of-blob>', '', frame, time, NO_CTX);
          }
          break;
        }
        case 'tls':
          this.tls!.push('c2s', buf, frame, time, pos, end);
          this.checkEstablished(frame, time);
          pos = end;
          break;
      }
    }
  }

  private clientLine(line: Line, behind: Command | null): void {
    const { frame, time } = line;
    const isAnswer = this.saslAnswerDue;
    this.lineAnomalies('c2s', line, LIMITS.commandLine, isAnswer);
    const text = line.bytes.toString('utf8');

    if (isAnswer && this.sasl) {
      // RFC 4954 §4: the client's answer to a 334 challenge. Masked before anything keeps it.
      this.saslAnswerDue = false;
      const arg = this.sasl.answer(text);
      if (this.sasl.badBase64) this.anomaly('c2s', 'auth-bad-base64', 'AUTH answer is not base64', frame, time);
      this.sendCommand('<auth-response>', arg, line, behind, NO_CTX, true);
      return;
    }

    if (this.c2sSync !== 'synced') {
      // Mid-stream or after a gap: trust nothing until a line that parses as a command.
      // A lone "." can only be the end of a message body (RFC 5321 §4.1.1.4).
      const cause = this.c2sSync;
      if (text === '.') {
        this.c2sSync = 'synced';
        this.emit({ type: 'resync', frame, time, dir: 'c2s', cause });
        this.pushPseudo('<end-of-data>', '', frame, time, NO_CTX);
        return;
      }
      if (!looksLikeCommand(text)) {
        this.anomaly('c2s', 'unparsed-command', 'client line before resynchronisation', frame, time, line.length);
        return;
      }
      this.c2sSync = 'synced';
      this.emit({ type: 'resync', frame, time, dir: 'c2s', cause });
    }

    const { verb, arg } = splitCommand(text);
    const ctx: Ctx = { rec: null, txn: this.txn, rcpt: null, prevTxn: null };
    let argError: string | null = null;
    let path: PathArgs | null = null;
    let shownArg = arg;

    switch (verb) {
      case 'HELO':
      case 'EHLO':
        this.session.helo = arg;
        this.session.heloVerb = verb;
        this.txn = null; // §4.1.4: EHLO/HELO resets any transaction (judged at the reply)
        break;
      case 'RSET':
      case 'QUIT':
        this.txn = null;
        if (verb === 'QUIT') this.quitSent = true;
        break;
      case 'MAIL': {
        const p = parseMailFrom(arg);
        if ('error' in p) argError = p.error;
        else path = p.value;
        ctx.prevTxn = this.txn && this.txn.outcome === 'open' ? this.txn : null;
        ctx.txn = this.txn = this.newTxn(path, line);
        break;
      }
      case 'RCPT': {
        const p = parseRcptTo(arg);
        if ('error' in p) argError = p.error;
        else path = p.value;
        const t = this.txn;
        if (t) {
          const rcpt: Recipient = { address: path ? path.address : arg, code: null, enhanced: null, text: null };
          if (t.rcpts.length < SMTP_LIMITS.maxRcptsKept) t.rcpts.push(rcpt);
          else t.droppedRcpts++;
          ctx.rcpt = rcpt;
        }
        break;
      }
      case 'DATA':
        if (this.txn) this.txn.via ??= 'DATA';
        break;
      case 'BDAT': {
        const p = parseBdat(arg);
        if ('error' in p) {
          argError = p.error;
          break;
        }
        if (this.txn) this.txn.via ??= 'BDAT';
        this.chunkBody ??= new BodyScanner('counted');
        const cmd = this.sendCommand('BDAT', arg, line, behind, ctx, false, p.value.chunk === 'last' ? 'BDAT LAST' : 'BDAT', null, null);
        // RFC 3030 §2: the chunk follows the command line at once, whatever the reply will be (B-5).
        const chunk = new BdatChunk(cmd, p.value, this.chunkBody);
        this.chunk = chunk;
        this.chunkTxn = ctx.txn;
        this.c2sMode = 'bdat';
        if (chunk.done) {
          this.finishChunk(frame, time);
          this.c2sMode = 'line';
        }
        return;
      }
      case 'XEXCH50': {
        const p = parseXexch50(arg);
        if ('error' in p) argError = p.error;
        break;
      }
      case 'AUTH':
      case 'X-EXPS': {
        // X-EXPS is Exchange's AUTH for transport servers (same 334 loop; not an RFC).
        shownArg = maskedAuthArg(arg);
        const p = parseAuthArg(arg);
        if ('value' in p) {
          this.sasl = new SaslExchange(p.value.mechanism, p.value.initial);
          if (this.sasl.badBase64) this.anomaly('c2s', 'auth-bad-base64', 'AUTH initial response is not base64', frame, time);
        }
        this.session.authAttempts++;
        break;
      }
    }
    const cmd = this.sendCommand(verb, shownArg, line, behind, ctx, false, verb, argError, path);
    if ((verb === 'AUTH' || verb === 'X-EXPS') && this.sasl) this.saslCmd = cmd;
  }

  /** Builds, queues and emits a command read from a line; starts holding when its reply decides the mode. */
  private sendCommand(
    verb: string,
    arg: string,
    line: Line,
    behind: Command | null,
    ctx: Ctx,
    pseudo: boolean,
    key: string = verb,
    argError: string | null = null,
    path: PathArgs | null = null,
  ): Command {
    const pl = this.queue.pipelining();
    const cmd: Command = {
      seq: this.seq++,
      verb,
      arg,
      pseudo,
      known: pseudo || isKnownVerb(verb),
      frame: line.frame,
      firstFrame: line.firstFrame,
      time: line.time,
      length: line.length,
      ending: line.ending,
      pipelined: pl.pipelined || behind !== null,
      afterGroupEnd: pl.afterGroupEnd ?? (behind && endsGroup(behind.verb) ? behind.verb : null),
      state: this.session.state,
      argError,
      path,
    };
    this.enqueue(cmd, key, ctx);
    if (BLOCKING.has(verb)) {
      this.c2sMode = 'held';
      this.heldFor = cmd;
    }
    return cmd;
  }

  private pushPseudo(verb: string, arg: string, frame: number, time: Time, ctx: Ctx): Command {
    const cmd: Command = {
      seq: this.seq++,
      verb,
      arg,
      pseudo: true,
      known: true,
      frame,
      firstFrame: frame,
      time,
      length: 0,
      ending: 'none',
      pipelined: false,
      afterGroupEnd: null,
      state: this.session.state,
      argError: null,
      path: null,
    };
    this.enqueue(cmd, verb, ctx);
    return cmd;
  }

  private enqueue(cmd: Command, key: string, ctx: Ctx): void {
    const s = this.session;
    const rec: SessionCommand = { seq: cmd.seq, frame: cmd.frame, time: cmd.time, verb: cmd.verb, arg: cmd.arg, pseudo: cmd.pseudo, reply: null };
    if (s.commands.length < SMTP_LIMITS.maxCommandsKept) s.commands.push(rec);
    else s.droppedCommands++;
    const full: Ctx = { ...ctx, rec };
    const dropped = this.queue.push({ cmd, key, ctx: full });
    this.emit({ type: 'command', frame: cmd.frame, time: cmd.time, cmd });
    if (dropped) this.anomaly('c2s', 'pending-limit', `no reply to ${dropped.cmd.verb} among ${LIMITS.maxPendingCommands} pending commands`, cmd.frame, cmd.time);
  }

  private hold(buf: Buffer, pos: number, end: number, frame: number, time: Time): void {
    const n = end - pos;
    if (n <= 0) return;
    this.held.push({ kind: 'bytes', buf: Buffer.from(buf.subarray(pos, end)), frame, time, behind: this.heldFor! });
    this.heldLen += n;
    if (this.heldLen > SMTP_LIMITS.maxHeldClientBytes) {
      // The reply is overdue or lost: decide as if it were the positive one.
      const cmd = this.heldFor!;
      this.anomaly('c2s', 'held-bytes-limit', `${this.heldLen} client bytes after ${cmd.verb} without its reply`, frame, time, this.heldLen, SMTP_LIMITS.maxHeldClientBytes);
      this.decideWithoutReply(frame, time);
    }
  }

  /** Reads the held client bytes as if the blocking command had got its positive reply. */
  private decideWithoutReply(frame: number, time: Time): void {
    const cmd = this.heldFor!;
    this.heldFor = null;
    this.c2sMode = 'line';
    if (cmd.verb === 'DATA') this.startData(cmd, this.bodyTxnFor(cmd), frame, time);
    else if (cmd.verb === 'STARTTLS' || cmd.verb === 'X-ANONYMOUSTLS') this.startTls(cmd.verb, frame, time);
    else if (cmd.verb === 'AUTH' || cmd.verb === 'X-EXPS' || cmd.verb === '<auth-response>') this.saslAnswerDue = this.sasl !== null;
    this.release();
  }

  /** Re-reads held client bytes in the mode just decided (they may block again). */
  private release(): void {
    const items = this.held;
    this.held = [];
    this.heldLen = 0;
    for (const h of items) {
      if (h.kind === 'gap') {
        if (this.c2sMode === 'held') this.held.push(h);
        else this.c2sGap(h.frame, h.time);
      } else {
        this.c2sRun(h.buf, 0, h.buf.length, h.frame, h.time, h.behind);
      }
    }
  }

  private unblock(p: Pending<Ctx>): boolean {
    if (this.c2sMode !== 'held' || this.heldFor !== p.cmd) return false;
    this.heldFor = null;
    this.c2sMode = 'line';
    return true;
  }

  // ---------------------------------------------------------------------------
  // Server → client

  private s2cRun(buf: Buffer, pos: number, end: number, frame: number, time: Time): void {
    while (pos < end) {
      switch (this.s2cMode) {
        case 'probe':
          this.probe('s2c', buf[pos]!, frame, time);
          break;
        case 'line': {
          pos = this.s2cLines.next(buf, pos, end, frame, time);
          const line = this.s2cLines.line;
          if (line) {
            this.lineAnomalies('s2c', line, LIMITS.replyLine, false);
            this.serverLine(line, line.bytes.toString('utf8'));
          }
          break;
        }
        case 'tls':
          this.tls!.push('s2c', buf, frame, time, pos, end);
          this.checkEstablished(frame, time);
          pos = end;
          break;
      }
    }
  }

  private serverLine(line: Line, text: string): void {
    const { frame, time } = line;
    if (this.s2cSync !== 'synced') {
      if ('error' in parseReplyLine(text)) return;
      const cause = this.s2cSync;
      this.s2cSync = 'synced';
      this.emit({ type: 'resync', frame, time, dir: 's2c', cause });
    }
    const reply = this.replies.push(text, frame, time, line.firstFrame, line.firstTime);
    for (const n of this.replies.notes) {
      const detail =
        n.kind === 'malformed-reply'
          ? `${n.reason}: ${text.slice(0, 80)}`
          : n.kind === 'invalid-reply-code'
            ? `code ${n.code}`
            : n.kind === 'reply-code-mismatch'
              ? `line code ${n.line} in a ${n.first} reply`
              : `more than ${n.limit} lines`;
      this.anomaly('s2c', n.kind, detail, frame, time);
    }
    const cut = this.replies.takeInterrupted();
    if (cut) this.handleReply(cut);
    if (reply) this.handleReply(reply);
  }

  private handleReply(reply: Reply): void {
    const s = this.session;
    const { frame, time, code } = reply;
    this.repliesSeen++;
    if (this.c2sMode === 'data' && code >= 200 && (code < 300 || code >= 400)) this.replyDuringData(reply);
    else if (this.repliesSeen === 1 && !s.midstream) this.checkMissingGreeting(reply);
    let p = this.queue.shift();
    if (!p && s.midstream && this.repliesSeen === 1 && code === 220 && s.bytes.c2s === 0) {
      // No SYN seen, but the stream starts with the greeting: pair it with <connect> after all.
      s.state = 'init';
      this.pushPseudo('<connect>', '', reply.firstFrame, reply.firstTime, NO_CTX);
      p = this.queue.shift();
    }
    const stateBefore = s.state;
    if (!p) {
      if (s.unpairedReplies.length < SMTP_LIMITS.maxCommandsKept) {
        s.unpairedReplies.push({ n: this.repliesSeen, frame, time, code, enhanced: reply.enhanced, lines: reply.lines, text: reply.text });
      } else s.droppedUnpairedReplies++;
      this.emit({ type: 'reply', frame, time, reply, to: null, latencyMs: null, permitted: false, stateBefore, stateAfter: stateBefore });
      return;
    }
    const cmd = p.cmd;
    const stateAfter = nextState(stateBefore, p.key, code);
    s.state = stateAfter;
    const latencyMs = diffMs(reply.firstTime, cmd.time);
    if (p.ctx.rec) {
      p.ctx.rec.reply = { n: this.repliesSeen, frame, time, code, enhanced: reply.enhanced, lines: reply.lines, text: reply.text, latencyMs };
    }
    this.emit({ type: 'reply', frame, time, reply, to: cmd, latencyMs, permitted: isPermittedReply(cmd.verb, code), stateBefore, stateAfter });
    this.applyReply(p, reply);
  }

  /**
   * A final reply while the DATA body is open (RFC 5321 §4.1.1.4 allows none before the
   * end of data). When the body read so far ends exactly with an end-of-data look-alike
   * (`<LF>.<LF>` and kin), the server took that look-alike as the end of data: the body
   * ends there, the reply answers '<end-of-data>', and what the client sends next is read
   * as commands (a smuggled envelope, CVE-2023-51764 and kin). Otherwise the body stays
   * open and the reply is a fact of its own ('reply-during-data').
   */
  private replyDuringData(reply: Reply): void {
    const body = this.body!;
    const end = body.trailingLookalike();
    if (!end) {
      this.anomaly('s2c', 'reply-during-data', `${reply.code} reply while the message body was open (no end of data seen)`, reply.frame, reply.time);
      return;
    }
    body.endAtLookalike(end.kind);
    const time = body.lastTime ?? reply.firstTime;
    this.finishData(true, end.frame, time);
    this.c2sMode = 'line';
    this.pushPseudo('<end-of-data>', '', end.frame, time, { ...NO_CTX, txn: this.bodyTxn });
    this.bodyTxn = null;
  }

  /**
   * RFC 5321 §4.3.2 CONNECTION ESTABLISHMENT: a greeting is 220 or 554 (§3.8: or 421).
   * When the start was seen but the server's first reply comes after the client's first
   * command with any other code, that reply answers the command and the greeting is not in
   * the capture (suricata-verify smtp-rset-starttls: "EHLO", then "250"). Taking it as the
   * greeting would pair every later reply one command late.
   */
  private checkMissingGreeting(reply: Reply): void {
    const head = this.queue.peek();
    if (!head || head.cmd.verb !== '<connect>' || this.queue.size < 2) return;
    if (reply.code === 220 || reply.code === 421 || reply.code === 554) return;
    const s = this.session;
    this.queue.shift();
    s.commands = s.commands.filter((c) => c.seq !== head.cmd.seq);
    s.greetingMissing = true;
    // The server answers commands, so it took the connection: judge what follows as after a greeting.
    s.state = 'greeted';
    this.greeted = true;
    // No greeting to talk before: the client's first bytes were not early (the event already went out as a fact).
    s.earlyTalker = null;
    const next = this.queue.peek()!.cmd;
    this.anomaly('s2c', 'missing-greeting', `first server reply ${reply.code} answers ${next.verb}; no greeting in the capture`, reply.frame, reply.time);
  }

  /** What a paired reply means beyond the state: greeting, extensions, envelope, modes. */
  private applyReply(p: Pending<Ctx>, reply: Reply): void {
    const s = this.session;
    const { frame, time, code } = reply;
    const ok = code >= 200 && code < 300;
    const { txn } = p.ctx;
    switch (p.cmd.verb) {
      case '<connect>':
        this.greeted = true;
        s.greeting = reply.text;
        s.greetingCode = code;
        this.emit({ type: 'greeting', frame, time, reply });
        break;
      case 'EHLO':
      case 'HELO':
        if (ok && p.cmd.verb === 'EHLO') {
          const kws: EhloKeyword[] = [];
          for (const t of reply.text.split('\n').slice(1)) {
            const k = parseEhloKeyword(t);
            if ('value' in k) kws.push(k.value);
          }
          s.ehlo = summarizeEhlo(kws);
          s.extensions = kws.map((k) => k.raw);
          this.emit({ type: 'extensions', frame, time, ehlo: s.ehlo });
        } else if (ok) {
          s.ehlo = null;
          s.extensions = [];
        }
        if (ok && txn && txn.outcome === 'open') this.endTxn(txn, 'reset', frame, time);
        break;
      case 'RSET':
        if (ok && txn && txn.outcome === 'open') this.endTxn(txn, 'reset', frame, time);
        break;
      case 'MAIL':
        if (txn) {
          txn.mailCode = code;
          if (code >= 400) this.endTxn(txn, 'rejected', frame, time, reply);
          // R-ORD-3 (RFC 5321 §4.1.4): after 503 the server "MUST stay in the same state", so
          // a refused nested MAIL leaves the transaction it interrupted open and current.
          const prev = p.ctx.prevTxn;
          if (code === 503 && prev && prev.outcome === 'open' && (this.txn === null || this.txn === txn)) this.txn = prev;
        }
        break;
      case 'RCPT':
        if (p.ctx.rcpt) {
          p.ctx.rcpt.code = code;
          p.ctx.rcpt.enhanced = reply.enhanced;
          p.ctx.rcpt.text = reply.text;
        }
        break;
      case 'DATA':
        if (code === 354) {
          if (this.unblock(p)) {
            this.startData(p.cmd, txn, frame, time);
            this.release();
          }
        } else {
          // 503 (bad sequence): the server stays in the same state (RFC 5321 §4.1.4), so the
          // transaction stays open (a RCPT may still come). Any other refusal ends it.
          if (txn && txn.outcome === 'open' && code >= 400 && code !== 503) this.endTxn(txn, 'rejected', frame, time, reply);
          if (this.unblock(p)) this.release();
        }
        break;
      case '<end-of-data>':
        if (txn && txn.outcome === 'open') this.endTxn(txn, ok ? 'accepted' : 'rejected', frame, time, reply);
        break;
      case 'BDAT':
        if (p.key === 'BDAT LAST' || code >= 400) {
          const t = txn;
          if (t && t.outcome === 'open') {
            if (p.key === 'BDAT LAST') this.finishChunkBody(t);
            this.endTxn(t, ok ? 'accepted' : 'rejected', frame, time, reply);
          }
          if (p.key === 'BDAT LAST') this.chunkBody = null;
        }
        break;
      case 'XEXCH50':
        if (this.unblock(p)) {
          if (code === 354) {
            const a = parseXexch50(p.cmd.arg);
            if ('value' in a) {
              this.blob = new Xexch50Blob(p.cmd, a.value.size);
              this.c2sMode = 'xexch50';
              if (this.blob.done) {
                this.c2sMode = 'line';
                this.pushPseudo('<end-of-blob>', '', frame, time, NO_CTX);
              }
            } else {
              this.anomaly('c2s', 'counted-size-unknown', `354 to XEXCH50 with ${p.cmd.argError ?? 'bad arguments'}`, frame, time);
            }
          }
          this.release();
        }
        break;
      case '<end-of-blob>':
        if (this.blob) {
          this.blob.answered = code;
          this.blob.answerFrame = frame;
          this.reportBlob('reply', frame, time);
        }
        break;
      case 'STARTTLS':
      case 'X-ANONYMOUSTLS': {
        const held = this.unblock(p);
        if (code === 220) this.startTls(p.cmd.verb, frame, time);
        // Bytes the client sent before the 220 now go where its next bytes go: the TLS parser
        // (clear text there is the STARTTLS command-injection pattern, RFC 3207 §5 / T-2).
        if (held) this.release();
        break;
      }
      case 'AUTH':
      case 'X-EXPS':
      case '<auth-response>':
        if (code === 334 && this.sasl) {
          this.sasl.challenge(reply.text);
          this.saslAnswerDue = true;
        } else if (this.sasl) {
          this.finishAuth(reply, frame, time);
        }
        if (this.unblock(p)) this.release();
        break;
      case 'QUIT':
        break;
    }
  }

  // ---------------------------------------------------------------------------
  // Phases

  private newTxn(path: PathArgs | null, line: Line): Transaction {
    const s = this.session;
    const t: Transaction = {
      index: s.transactions.length + s.droppedTransactions,
      frame: line.frame,
      time: line.time,
      mailFrom: path ? path.address : null,
      mailParams: path ? path.params : {},
      declaredSize: path ? path.size : null,
      body: path ? path.body : null,
      mailCode: null,
      rcpts: [],
      droppedRcpts: 0,
      via: null,
      dataBytes: 0,
      headers: null,
      result: null,
      outcome: 'open',
    };
    if (s.transactions.length < SMTP_LIMITS.maxTransactionsKept) s.transactions.push(t);
    else s.droppedTransactions++;
    return t;
  }

  private endTxn(t: Transaction, outcome: TransactionOutcome, frame: number, time: Time, reply?: Reply): void {
    t.outcome = outcome;
    if (reply) t.result = { code: reply.code, enhanced: reply.enhanced, text: reply.text, frame: reply.frame };
    if (this.txn === t) this.txn = null;
    this.emit({
      type: 'transaction-end',
      frame,
      time,
      outcome,
      transaction: {
        index: t.index,
        mailFrom: t.mailFrom,
        rcpts: t.rcpts.length + t.droppedRcpts,
        acceptedRcpts: t.rcpts.filter((r) => r.code !== null && r.code >= 200 && r.code < 300).length,
        dataBytes: t.dataBytes,
        via: t.via,
        result: t.result ? { code: t.result.code, enhanced: t.result.enhanced, text: t.result.text } : null,
      },
    });
  }

  private bodyTxnFor(_cmd: Command): Transaction | null {
    return this.queue.list().find((p) => p.cmd === _cmd)?.ctx.txn ?? this.txn;
  }

  private startData(cmd: Command, txn: Transaction | null, frame: number, time: Time): void {
    this.body = new BodyScanner('dot');
    this.bodyTxn = txn;
    this.c2sMode = 'data';
    // Held bytes are what the client sent after the DATA line before this reply: the body
    // started early (RFC 2920 §3.1 / RFC 5321 §4.3: content belongs after the 354).
    const first = this.held[0];
    const early = first && first.kind === 'bytes' ? first : null;
    this.emit({ type: 'data-start', frame, time, cmd, firstBodyFrame: early ? early.frame : null, firstBodyTime: early ? early.time : null });
  }

  private finishData(complete: boolean, frame: number, time: Time): void {
    const body = this.body;
    if (!body) return;
    this.body = null;
    const st = body.finish();
    const t = this.bodyTxn;
    if (t) {
      t.dataBytes = st.bytes;
      t.headers = st.headers;
    }
    this.emit({
      type: 'data-end',
      frame,
      time,
      complete,
      terminator: st.terminator,
      firstBodyFrame: st.firstFrame,
      bytes: st.bytes,
      lines: st.lines,
      lookalikes: st.lookalikes,
      lookalikeCount: st.lookalikeCount,
      body: st,
      headers: st.headers,
    });
  }

  private finishChunk(frame: number, time: Time): void {
    const c = this.chunk;
    if (!c) return;
    this.chunk = null;
    const t = this.chunkTxn;
    if (t) t.dataBytes += c.reader.received;
    this.emit({
      type: 'bdat-chunk',
      frame,
      time,
      cmd: c.cmd,
      size: c.args.size,
      chunk: c.args.chunk,
      received: c.reader.received,
      complete: c.done,
      lookalikes: c.lookalikes(),
      eightBit: { ...c.eightBit },
    });
  }

  private finishChunkBody(t: Transaction): void {
    if (this.chunkBody) t.headers = this.chunkBody.finish().headers;
  }

  private reportBlob(cause: 'reply' | 'gap' | 'close', frame: number, time: Time): void {
    const b = this.blob;
    if (!b || b.reported) return;
    b.reported = true;
    this.blob = null;
    this.emit({
      type: 'xexch50-blob',
      frame,
      time,
      cmd: b.cmd,
      expected: b.reader.expected,
      received: b.reader.received,
      complete: b.done,
      answered: b.answered,
      answerFrame: b.answerFrame,
      cause,
    });
  }

  private finishAuth(reply: Reply | null, frame: number, time: Time): void {
    const x = this.sasl;
    if (!x) return;
    const s = this.session;
    const result = reply ? x.result(reply.code) : 'unknown';
    s.auth = { mechanism: x.mechanism, user: x.user, result, code: reply?.code ?? null, frame: this.saslCmd?.frame ?? frame };
    this.emit({
      type: 'auth',
      frame,
      time,
      mechanism: x.mechanism,
      user: x.user,
      result,
      code: reply?.code ?? null,
      enhanced: reply?.enhanced ?? null,
      rounds: x.rounds,
    });
    this.sasl = null;
    this.saslCmd = null;
    this.saslAnswerDue = false;
  }

  /** Ends whatever counted or body phase is open (at a gap or the end of the stream). */
  private endPhases(cause: 'gap' | 'close', frame: number, time: Time): void {
    if (this.c2sMode === 'data') this.finishData(false, frame, time);
    if (this.c2sMode === 'bdat') this.finishChunk(frame, time);
    if (this.blob) this.reportBlob(cause, frame, time);
    if (this.c2sMode === 'data' || this.c2sMode === 'bdat' || this.c2sMode === 'xexch50') this.c2sMode = 'line';
  }

  private startTls(verb: 'STARTTLS' | 'X-ANONYMOUSTLS' | 'implicit', frame: number, time: Time): void {
    const s = this.session;
    s.tls = { started: true, verb, frame, version: null, cipher: null, sni: null, alert: null, alertLevel: null, established: false };
    this.emit({ type: 'tls', frame, time, phase: 'start', verb });
    this.tls = createTlsParser((ev) => this.tlsEvent(ev));
    // RFC 3207 §4.2: after 220 the next octets of both directions are the TLS handshake.
    this.c2sMode = 'tls';
    this.s2cMode = 'tls';
    this.c2sLines.reset();
    this.s2cLines.reset();
    s.state = 'tls';
  }

  private tlsEvent(ev: TlsEvent): void {
    const t = this.session.tls;
    if (t) {
      if (ev.type === 'client-hello') t.sni ??= ev.sni;
      else if (ev.type === 'server-hello') {
        t.version = ev.version;
        t.cipher = ev.cipher;
      } else if (ev.type === 'alert' && t.alert === null && !(ev.encrypted && this.tlsEstablished)) {
        // An encrypted alert after the handshake completed is, in practice, close_notify at
        // the end of a good session: the model's alert is the one that tells something
        // (clear, or encrypted while the handshake was still under way). The event keeps all.
        t.alert = ev.description;
        t.alertLevel = ev.level;
      }
    }
    this.emit({ type: 'tls', frame: ev.frame, time: ev.time, phase: 'record', record: ev });
    if (ev.type === 'not-tls') this.anomaly(ev.dir, 'not-tls', ev.preview, ev.frame, ev.time);
  }

  private checkEstablished(frame: number, time: Time): void {
    if (this.tlsEstablished || !this.tls?.established) return;
    this.tlsEstablished = true;
    if (this.session.tls) this.session.tls.established = true;
    this.emit({ type: 'tls', frame, time, phase: 'established' });
  }

  /** Implicit-TLS port: the first octet tells TLS (handshake record 0x16, SSLv2 0x80) from SMTP. */
  private probe(dir: Dir, first: number, frame: number, time: Time): void {
    if (first === 0x16 || first === 0x80) {
      // The greeting will come inside TLS: there is no clear-text <connect> to answer.
      const dropped = new Set(this.queue.clear().map((p) => p.cmd.seq));
      this.session.commands = this.session.commands.filter((c) => !dropped.has(c.seq));
      this.greeted = true;
      this.startTls('implicit', frame, time);
      return;
    }
    if (dir === 'c2s') this.c2sMode = 'line';
    else this.s2cMode = 'line';
  }

  // ---------------------------------------------------------------------------
  // Gaps: trust nothing until the next complete line of the right kind (DESIGN habit 3)

  private c2sGap(frame: number, time: Time): void {
    if (this.c2sMode === 'tls') {
      this.tls!.gap('c2s');
      return;
    }
    this.endPhases('gap', frame, time);
    this.c2sLines.reset();
    this.saslAnswerDue = false;
    if (this.sasl) this.finishAuth(null, frame, time);
    this.c2sSync = 'gap';
    this.session.state = 'unknown';
  }

  private s2cGap(frame: number, time: Time): void {
    if (this.s2cMode === 'tls') {
      this.tls!.gap('s2c');
      return;
    }
    this.s2cLines.reset();
    this.replies.reset();
    this.s2cSync = 'gap';
    this.session.state = 'unknown';
    // Replies lost in the gap cannot be paired; later replies must not be paired with the wrong command.
    this.queue.clear();
    if (this.c2sMode === 'held') {
      this.heldFor = null;
      this.c2sMode = 'line';
      this.c2sSync = 'gap';
      this.release();
    }
  }

  private c2sInside(): 'line' | 'data' | 'bdat' | 'xexch50' | 'auth' | 'tls' | 'held' {
    switch (this.c2sMode) {
      case 'data':
      case 'bdat':
      case 'xexch50':
      case 'tls':
      case 'held':
        return this.c2sMode;
      default:
        return this.saslAnswerDue ? 'auth' : 'line';
    }
  }

  private s2cInside(): 'reply' | 'tls' {
    return this.s2cMode === 'tls' ? 'tls' : 'reply';
  }

  // ---------------------------------------------------------------------------

  private lineAnomalies(dir: Dir, line: Line, limit: number, secret: boolean): void {
    const { frame, time } = line;
    if (line.ending === 'lf') this.anomaly(dir, 'bare-lf', secret ? 'AUTH answer' : 'line ends in LF without CR', frame, time, line.length);
    if (line.bareCr) this.anomaly(dir, 'bare-cr', 'CR not followed by LF inside a line', frame, time, line.length);
    if (line.length > limit) {
      this.anomaly(dir, 'line-too-long', line.cut ? `line cut at ${LIMITS.maxBufferedLine} octets` : `${line.length} octets`, frame, time, line.length, limit);
    }
  }

  private anomaly(dir: Dir, kind: AnomalyKind, detail: string, frame: number, time: Time, length?: number, limit?: number): void {
    const counts = this.session.anomalyCounts;
    const n = (counts[kind] ?? 0) + 1;
    counts[kind] = n;
    if (n > SMTP_LIMITS.maxAnomaliesPerKind) return;
    const ev: SessionEvent = { type: 'anomaly', frame, time, dir, kind, detail };
    if (length !== undefined) ev.length = length;
    if (limit !== undefined) ev.limit = limit;
    this.emit(ev);
  }

  private emit(ev: SessionEvent): void {
    this.sink.event(this.session, ev);
  }
}

export type { SmtpState };
