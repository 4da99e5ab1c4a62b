/**
 * A canned, well-formed SMTP delivery (RFC 5321 §3.3 order: greeting, EHLO, MAIL, RCPT,
 * DATA, body, end of data, QUIT) as a frame generator: the unit the benchmark repeats to
 * build large captures without holding them in memory.
 */
import type { Time } from '../util/time.js';
import { TcpConversation, type ConversationOptions, type SynthFrame } from './conversation.js';

export interface SmtpSessionOptions {
  /** Message body bytes after the headers (text lines, CRLF; none starts with '.'); 1 becomes 2. Default 4096. */
  readonly bodyBytes?: number;
  readonly recipients?: number;
  /** Body is written in application writes of this size (each cut at the MSS). Default 65536. */
  readonly writeBytes?: number;
  /** Pause between a command and its reply (server think time). Default 0.2 ms. */
  readonly replyMs?: number;
}

const LINE = Buffer.from('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n', 'latin1');

/** A text body of exactly n bytes, built once per size. */
function textBlock(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let off = 0; off < n; off += LINE.length) LINE.copy(b, off, 0, Math.min(LINE.length, n - off));
  if (n >= 2) { b[n - 2] = 13; b[n - 1] = 10; }
  return b;
}

/** Yields the frames of one session; `conv.clock` after the last frame is `endTime()`. */
export function* smtpSessionFrames(conv: ConversationOptions, o: SmtpSessionOptions = {}): Generator<SynthFrame, Time> {
  const c = new TcpConversation(conv);
  const reply = o.replyMs ?? 0.2;
  const rcpts = o.recipients ?? 1;
  const body = o.bodyBytes ?? 4096;
  const chunk = Math.max(LINE.length, o.writeBytes ?? 65536);
  const exchange = function* (cmd: string, ans: string): Generator<SynthFrame> {
    c.send('c2s', cmd).send('s2c', ans, { afterMs: reply });
    yield* c.drain();
  };
  c.send('s2c', '220 mx.example.net ESMTP\r\n', { afterMs: reply });
  yield* c.drain();
  yield* exchange('EHLO client.example.org\r\n', '250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250 8BITMIME\r\n');
  yield* exchange('MAIL FROM:<alice@example.org>\r\n', '250 2.1.0 Ok\r\n');
  for (let i = 0; i < rcpts; i++) yield* exchange(`RCPT TO:<user${i}@example.net>\r\n`, '250 2.1.5 Ok\r\n');
  yield* exchange('DATA\r\n', '354 End data with <CR><LF>.<CR><LF>\r\n');
  c.send('c2s', 'From: alice@example.org\r\nTo: user0@example.net\r\nSubject: bench\r\n\r\n');
  yield* c.drain();
  // Whole blocks of whole lines, then a remainder that still ends in CRLF (so the
  // end-of-data '.' that follows is a line of its own, RFC 5321 §4.1.1.4).
  const block = textBlock(chunk - (chunk % LINE.length));
  let blocks = Math.floor(body / block.length);
  let rem = body % block.length;
  if (rem === 1 && blocks > 0) { blocks--; rem += block.length; }
  if (body > 0 && rem === 1) rem = 2;
  for (let i = 0; i < blocks; i++) {
    c.send('c2s', block);
    yield* c.drain();
  }
  if (rem > 0) {
    c.send('c2s', textBlock(rem));
    yield* c.drain();
  }
  yield* exchange('.\r\n', '250 2.0.0 Ok: queued\r\n');
  yield* exchange('QUIT\r\n', '221 2.0.0 Bye\r\n');
  c.close('s2c');
  yield* c.drain();
  return c.clock;
}
