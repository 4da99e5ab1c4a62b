/**
 * One SMTP session as the generator plays it: a JS generator that performs one
 * write (TcpConversation.send) per step and yields, so the scheduler can interleave
 * hundreds of sessions in capture time. The dialogue follows RFC 5321 §3-§4 as
 * Postfix answers it; PIPELINING per RFC 2920 §3.1 (MAIL, RCPT..., DATA in one write,
 * the replies in one write), STARTTLS per RFC 3207 §4 then TLS records only.
 */
import type { TcpConversation } from '../src/synth/index.js';
import type { Dir } from '../src/tcp/events.js';
import { LINE, type Corpus } from './corpus.js';
import type { Rng } from './prng.js';
import { appData, changeCipherSpec, clientHello, MAX_PLAIN, serverFlight } from './tls.js';

export interface MessagePlan {
  /** Bytes of the message as sent in DATA, before dot-stuffing is undone (a multiple of LINE plus headers). */
  readonly bodyLines: number;
  readonly recipients: number;
  /** How many of the recipients the server refuses (550 5.1.1). */
  readonly rejected: number;
}

export interface SessionPlan {
  readonly id: number;
  readonly serverPort: 25 | 587;
  readonly tls: boolean;
  readonly pipelining: boolean;
  /** Round-trip time client↔server, ms. */
  readonly rttMs: number;
  readonly messages: readonly MessagePlan[];
  /** Message bytes this session will carry: what the size budget counts. */
  readonly plannedBytes: number;
}

const MSS = 1460;
/** Segments the sender puts on the wire before the receiver's (delayed) ACK. */
const BURSTS = [2, 2, 2, 4, 4, 8, 16] as const;

export function planSession(rng: Rng, id: number): SessionPlan {
  const serverPort = rng.chance(0.2) ? 587 : 25;
  // Submission (587) runs STARTTLS always; relays on 25 do in some sessions.
  const tls = serverPort === 587 || rng.chance(0.15);
  const count = rng.chance(0.75) ? 1 : rng.int(2, 5);
  const messages: MessagePlan[] = [];
  let plannedBytes = 0;
  for (let i = 0; i < count; i++) {
    // Most mail is small; one in five carries an attachment of up to a few MB.
    const bytes = rng.chance(0.8) ? rng.logUniform(2_000, 100_000) : rng.logUniform(100_000, 4_000_000);
    const bodyLines = Math.max(1, Math.round(bytes / LINE));
    const recipients = rng.chance(0.6) ? 1 : rng.int(2, 6);
    const rejected = rng.chance(0.1) ? rng.int(1, recipients) : 0;
    messages.push({ bodyLines, recipients, rejected });
    plannedBytes += rejected === recipients ? 0 : bodyLines * LINE;
  }
  return { id, serverPort, tls, pipelining: rng.chance(0.5), rttMs: rng.logUniform(0.2, 40), messages, plannedBytes };
}

/** Pulls bytes from a sequence of pieces, as views when a burst falls inside one piece. */
class Cursor {
  private piece: Buffer | null = null;
  private at = 0;
  constructor(private readonly next: () => Buffer | null) {}

  take(n: number): Buffer | null {
    const parts: Buffer[] = [];
    let want = n;
    while (want > 0) {
      if (this.piece === null || this.at === this.piece.length) {
        this.piece = this.next();
        this.at = 0;
        if (this.piece === null) break;
        continue;
      }
      const k = Math.min(want, this.piece.length - this.at);
      parts.push(this.piece.subarray(this.at, this.at + k));
      this.at += k;
      want -= k;
    }
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

function queueId(rng: Rng): string {
  const A = '0123456789ABCDEF';
  let s = '';
  for (let i = 0; i < 10; i++) s += A[rng.int(0, 15)];
  return s;
}

export interface SessionEnv {
  readonly conv: TcpConversation;
  readonly rng: Rng;
  readonly corpus: Corpus;
  readonly plan: SessionPlan;
  readonly clientName: string;
  readonly serverName: string;
}

/** Steps of one session; each `yield` follows exactly one write (and the time the peer takes to answer). */
export function* playSession(env: SessionEnv): Generator<void, void, void> {
  const { conv, rng, corpus, plan, clientName, serverName } = env;
  const rtt = plan.rttMs;
  let tls = false;
  /** A line-mode write: clear text, or after STARTTLS one record of the same plaintext size. */
  const say = (dir: Dir, text: string): void => {
    if (tls) conv.send(dir, appData(rng, corpus.noise, text.length));
    else conv.send(dir, text);
  };
  /** The time the peer takes to act on what it just received (plus half an RTT each way). */
  const think = (ms: number): void => {
    conv.wait(rtt / 2 + ms);
  };

  think(rng.logUniform(0.5, 30)); // banner lookup, postscreen
  say('s2c', `220 ${serverName} ESMTP Postfix (Debian/GNU)\r\n`);
  yield;
  const ehlo = (): string =>
    `250-${serverName}\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-VRFY\r\n250-ETRN\r\n` +
    (tls ? '250-AUTH PLAIN LOGIN\r\n' : '250-STARTTLS\r\n') +
    '250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n';
  think(rng.logUniform(0.05, 2));
  say('c2s', `EHLO ${clientName}\r\n`);
  yield;
  think(rng.logUniform(0.05, 1));
  say('s2c', ehlo());
  yield;
  if (plan.tls) {
    think(0.05);
    say('c2s', 'STARTTLS\r\n');
    yield;
    think(0.1);
    say('s2c', '220 2.0.0 Ready to start TLS\r\n');
    yield;
    think(0.2);
    conv.send('c2s', clientHello(rng, serverName));
    yield;
    think(rng.logUniform(0.5, 5));
    conv.send('s2c', serverFlight(rng, corpus.noise, rng.int(2500, 5000)));
    yield;
    think(0.3);
    conv.send('c2s', Buffer.concat([changeCipherSpec(), appData(rng, corpus.noise, 36)]));
    yield;
    tls = true;
    think(0.05);
    say('c2s', `EHLO ${clientName}\r\n`);
    yield;
    think(0.2);
    say('s2c', ehlo());
    yield;
  }

  let n = 0;
  for (const m of plan.messages) {
    n++;
    const from = `MAIL FROM:<sender${plan.id}@${clientName}> SIZE=${m.bodyLines * LINE}\r\n`;
    const rcpts: string[] = [];
    const answers: string[] = [];
    for (let r = 0; r < m.recipients; r++) {
      const addr = `user${rng.int(1, 99_999)}@example.net`;
      rcpts.push(`RCPT TO:<${addr}>\r\n`);
      answers.push(
        r < m.rejected
          ? `550 5.1.1 <${addr}>: Recipient address rejected: User unknown in virtual mailbox table\r\n`
          : '250 2.1.5 Ok\r\n',
      );
    }
    const anyAccepted = m.rejected < m.recipients;
    if (plan.pipelining) {
      // RFC 2920 §3.1: the client may send MAIL, RCPT and DATA without waiting.
      think(0.05);
      say('c2s', from + rcpts.join('') + 'DATA\r\n');
      yield;
      think(rng.logUniform(0.2, 5));
      say('s2c', '250 2.1.0 Ok\r\n' + answers.join('') + (anyAccepted ? '354 End data with <CR><LF>.<CR><LF>\r\n' : '554 5.5.1 Error: no valid recipients\r\n'));
      yield;
      if (!anyAccepted) continue;
    } else {
      think(0.05);
      say('c2s', from);
      yield;
      think(rng.logUniform(0.1, 3));
      say('s2c', '250 2.1.0 Ok\r\n');
      yield;
      for (let r = 0; r < rcpts.length; r++) {
        think(0.05);
        say('c2s', rcpts[r]!);
        yield;
        think(rng.logUniform(0.1, 5));
        say('s2c', answers[r]!);
        yield;
      }
      if (!anyAccepted) {
        think(0.05);
        say('c2s', 'RSET\r\n');
        yield;
        think(0.1);
        say('s2c', '250 2.0.0 Ok\r\n');
        yield;
        continue;
      }
      think(0.05);
      say('c2s', 'DATA\r\n');
      yield;
      think(0.1);
      say('s2c', '354 End data with <CR><LF>.<CR><LF>\r\n');
      yield;
    }
    yield* sendBody(env, n, tls);
    think(rng.logUniform(2, 200)); // content filter, queue file fsync
    say('s2c', `250 2.0.0 Ok: queued as ${queueId(rng)}\r\n`);
    yield;
  }
  think(0.05);
  say('c2s', 'QUIT\r\n');
  yield;
  think(0.1);
  say('s2c', '221 2.0.0 Bye\r\n');
  yield;
  // Postfix closes first after 221; the client answers with its own FIN.
  think(0.05);
  conv.close('s2c');
}

/** The message after 354: headers, a base64 attachment sliced from the corpus, "." (RFC 5321 §4.1.1.4). */
function* sendBody(env: SessionEnv, n: number, tls: boolean): Generator<void, void, void> {
  const { conv, rng, corpus, plan, clientName, serverName } = env;
  const m = plan.messages[n - 1]!;
  const boundary = `=_b${plan.id}_${n}`;
  const head = Buffer.from(
    `Received: from ${clientName} (${clientName} [192.0.2.1])\r\n\tby ${serverName} (Postfix) with ESMTP id ${queueId(rng)}\r\n` +
      `From: <sender${plan.id}@${clientName}>\r\nTo: <user@example.net>\r\nSubject: report ${plan.id}.${n}\r\n` +
      `Message-ID: <${plan.id}.${n}@${clientName}>\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\n` +
      `Hello,\r\n..a line that began with a dot\r\nregards\r\n--${boundary}\r\n` +
      'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n',
    'latin1',
  );
  const tail = Buffer.from(`--${boundary}--\r\n.\r\n`, 'latin1');
  const lines = Math.min(m.bodyLines, Math.floor(corpus.body.length / LINE));
  const first = rng.int(0, Math.floor(corpus.body.length / LINE) - lines);
  const attachment = corpus.body.subarray(first * LINE, (first + lines) * LINE);
  let stage = 0;
  let plainLeft = head.length + attachment.length + tail.length;
  const next = tls
    ? (): Buffer | null => {
        // One TLS record per 16 KiB of plaintext (RFC 8446 §5.1), written as the stack cuts it.
        if (plainLeft <= 0) return null;
        const k = Math.min(plainLeft, MAX_PLAIN);
        plainLeft -= k;
        return appData(rng, corpus.noise, k);
      }
    : (): Buffer | null => {
        stage++;
        return stage === 1 ? head : stage === 2 ? attachment : stage === 3 ? tail : null;
      };
  const cursor = new Cursor(next);
  const gapMs = Math.max(0.02, plan.rttMs / 8);
  for (;;) {
    const burst = cursor.take(MSS * rng.pick(BURSTS));
    if (burst === null) return;
    conv.send('c2s', burst);
    conv.wait(rng.float() * gapMs);
    yield;
  }
}
