import { describe, expect, it } from 'vitest';
import { cs, dialogue, ofType, run, script, type Step } from './helpers/script.js';

const EHLO_REPLY = 'S: 250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-CHUNKING\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME';

function plain(): Step[] {
  return cs(
    'S: 220 mx.example.com ESMTP',
    'C: EHLO client.example',
    EHLO_REPLY,
    'C: MAIL FROM:<a@example.org> SIZE=100',
    'S: 250 2.1.0 Ok',
    'C: RCPT TO:<b@example.com>',
    'S: 250 2.1.5 Ok',
    'C: DATA',
    'S: 354 End data with <CR><LF>.<CR><LF>',
    'C: Subject: hi\r\nMessage-ID: <m1@example.org>\r\nReceived: from a\r\nReceived: from b\r\n\r\nhello',
    'C: .',
    'S: 250 2.0.0 Ok: queued as ABC',
    'C: QUIT',
    'S: 221 2.0.0 Bye',
  );
}

describe('plain delivery', () => {
  const r = run(script(plain()));
  const s = r.sessions[0]!;

  it('pairs every reply with one command, pseudo-commands included', () => {
    expect(dialogue(r.events)).toEqual([
      'C <connect>', 'S 220 -> <connect>', 'C EHLO client.example', 'S 250 -> EHLO',
      'C MAIL FROM:<a@example.org> SIZE=100', 'S 250 -> MAIL', 'C RCPT TO:<b@example.com>', 'S 250 -> RCPT',
      'C DATA', 'S 354 -> DATA', 'C <end-of-data>', 'S 250 -> <end-of-data>', 'C QUIT', 'S 221 -> QUIT',
    ]);
  });

  it('fills the session model', () => {
    expect(r.sessions).toHaveLength(1);
    expect(s.greeting).toBe('mx.example.com ESMTP');
    expect(s.helo).toBe('client.example');
    expect(s.extensions).toEqual(['PIPELINING', 'SIZE 1000000', 'CHUNKING', 'STARTTLS', 'AUTH PLAIN LOGIN', '8BITMIME']);
    expect(s.ehlo?.size).toBe(1000000);
    expect(s.ehlo?.authMechanisms).toEqual(['PLAIN', 'LOGIN']);
    expect(s.closedBy).toBe('quit');
    expect(s.state).toBe('quit');
    expect(s.midstream).toBe(false);
    expect(s.earlyTalker).toBeNull();
    expect(s.firstSpeaker?.dir).toBe('s2c');
    const t = s.transactions[0]!;
    expect(t.mailFrom).toBe('a@example.org');
    expect(t.declaredSize).toBe(100);
    expect(t.rcpts).toEqual([{ address: 'b@example.com', code: 250, enhanced: '2.1.5', text: '2.1.5 Ok' }]);
    expect(t.result).toMatchObject({ code: 250, enhanced: '2.0.0', text: '2.0.0 Ok: queued as ABC' });
    expect(t.outcome).toBe('accepted');
    expect(t.headers).toMatchObject({ messageId: '<m1@example.org>', subject: 'hi', received: 2 });
    // 13 + 30 + 18 + 18 + 2 + 7 octets before the terminator
    expect(t.dataBytes).toBe(88);
    const mail = s.commands.find((c) => c.verb === 'MAIL')!;
    expect(mail.reply).toMatchObject({ code: 250, enhanced: '2.1.0', latencyMs: 1 });
  });

  it('emits data-start, data-end and transaction-end facts', () => {
    expect(ofType(r.events, 'data-start')).toHaveLength(1);
    const de = ofType(r.events, 'data-end')[0]!;
    expect(de).toMatchObject({ complete: true, bytes: 88, lines: 6, lookalikeCount: 0 });
    expect(ofType(r.events, 'transaction-end').map((e) => e.outcome)).toEqual(['accepted']);
    const end = ofType(r.events, 'session-end')[0]!;
    expect(end).toMatchObject({ reason: 'fin', closedBy: 'quit', pending: [] });
  });

  it('gives the same dialogue when every segment is cut into 1, 2, 3, 5, 7 and 13 bytes', () => {
    const whole = dialogue(r.events);
    for (const chunk of [1, 2, 3, 5, 7, 13]) {
      const rc = run(script(plain(), { chunk }));
      expect(dialogue(rc.events)).toEqual(whole);
      expect(rc.sessions[0]!.transactions[0]!.dataBytes).toBe(88);
      expect(rc.sessions[0]!.extensions).toEqual(s.extensions);
    }
  });
});

describe('envelope', () => {
  it('records several recipients with their codes', () => {
    const r = run(script(cs(
      'S: 220 mx', 'C: HELO c', 'S: 250 mx',
      'C: MAIL FROM:<>', 'S: 250 ok',
      'C: RCPT TO:<a@x>', 'S: 250 ok',
      'C: RCPT TO:<b@x>', 'S: 550 5.1.1 User unknown',
      'C: RCPT TO:<c@x>', 'S: 251 will forward',
      'C: QUIT', 'S: 221 bye',
    )));
    const t = r.sessions[0]!.transactions[0]!;
    expect(t.mailFrom).toBe('');
    expect(t.rcpts.map((x) => [x.address, x.code, x.enhanced])).toEqual([['a@x', 250, null], ['b@x', 550, '5.1.1'], ['c@x', 251, null]]);
    expect(r.sessions[0]!.heloVerb).toBe('HELO');
    expect(t.outcome).toBe('aborted'); // QUIT closed the open transaction without data
  });

  it('marks a pipelined group and a command after a group-ending one', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250-mx\r\n250 PIPELINING'),
      { dir: 'c2s', text: 'MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n' },
      { dir: 's2c', text: '250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n' },
      { dir: 'c2s', text: 'body\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n' },
      { dir: 's2c', text: '250 queued\r\n250 reset\r\n250 noop\r\n221 bye\r\n' },
    ]));
    const cmds = ofType(r.events, 'command').map((e) => e.cmd);
    const by = (v: string) => cmds.find((c) => c.verb === v)!;
    expect(by('MAIL').pipelined).toBe(false);
    expect(cmds.filter((c) => c.verb === 'RCPT').map((c) => c.pipelined)).toEqual([true, true]);
    expect(by('DATA')).toMatchObject({ pipelined: true, afterGroupEnd: null });
    // RFC 2920 P-3: the body and "." may start a group; RSET after <end-of-data> is fine
    expect(by('RSET')).toMatchObject({ pipelined: true, afterGroupEnd: null });
    // QUIT after NOOP (which must end a group) before NOOP's reply
    expect(by('QUIT')).toMatchObject({ pipelined: true, afterGroupEnd: 'NOOP' });
    expect(r.sessions[0]!.transactions[0]!.rcpts).toHaveLength(2);
    expect(r.sessions[0]!.transactions[0]!.outcome).toBe('accepted');
    expect(ofType(r.events, 'reply').every((e) => e.to !== null)).toBe(true);
  });

  it('RCPT without MAIL gets 503 and leaves the state unchanged', () => {
    const r = run(script(cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: RCPT TO:<b@x>', 'S: 503 5.5.1 Error: need MAIL command', 'C: QUIT', 'S: 221 bye')));
    const rep = ofType(r.events, 'reply').find((e) => e.to?.verb === 'RCPT')!;
    expect(rep).toMatchObject({ stateBefore: 'ready', stateAfter: 'ready', permitted: true });
    expect(rep.reply.enhanced).toBe('5.5.1');
    expect(rep.to!.state).toBe('ready');
    expect(r.sessions[0]!.transactions).toHaveLength(0);
  });

  it('RSET ends the transaction and several messages follow', () => {
    const steps = cs(
      'S: 220 mx', 'C: EHLO c', 'S: 250 mx',
      'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RSET', 'S: 250 ok',
      'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: DATA', 'S: 354 go', 'C: one', 'C: .', 'S: 250 one',
      'C: MAIL FROM:<c@x>', 'S: 250 ok', 'C: RCPT TO:<d@x>', 'S: 250 ok', 'C: DATA', 'S: 354 go', 'C: two\r\ntwo', 'C: .', 'S: 554 5.7.1 rejected',
      'C: QUIT', 'S: 221 bye',
    );
    const r = run(script(steps));
    const ts = r.sessions[0]!.transactions;
    expect(ts.map((t) => [t.mailFrom, t.outcome, t.dataBytes, t.result?.code ?? null])).toEqual([
      ['a@x', 'reset', 0, null], ['a@x', 'accepted', 5, 250], ['c@x', 'rejected', 10, 554],
    ]);
    expect(ofType(r.events, 'transaction-end').map((e) => e.outcome)).toEqual(['reset', 'accepted', 'rejected']);
  });
});

describe('DATA body', () => {
  it('undoes dot-stuffing for the count and records end-of-data look-alikes with frames', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: DATA', 'S: 354 go'),
      { dir: 'c2s', text: 'a\r\n..b\r\nc\n.\nd\r\n.\ne\r\n' }, // frame 11: LF.LF and CRLF.LF
      { dir: 'c2s', text: 'x\r.\r\ny\r\n.\rz\r\n.\r\n' }, // frame 12: CR.CRLF, CRLF.CR, then the real end
      ...cs('S: 250 ok', 'C: QUIT', 'S: 221 bye'),
    ]));
    const de = ofType(r.events, 'data-end')[0]!;
    expect(de.complete).toBe(true);
    expect(de.lookalikes.map((l) => [l.kind, l.frame])).toEqual([['LF.LF', 11], ['CRLF.LF', 11], ['CR.CRLF', 12], ['CRLF.CR', 12]]);
    expect(de.body.bareLf.count).toBe(3); // c\n, .\n, .\n
    // RFC 5321 §4.5.2: the receiver drops the first "." of EVERY line that starts with one.
    // a(3) ..b(5-1) c(2) .\n(2-1) d(3) .\n(2-1) e(3) | x\r.\r\n(5) y(3) .\rz\r\n(5-1)
    expect(de.bytes).toBe(3 + 4 + 2 + 1 + 3 + 1 + 3 + 5 + 3 + 4);
    expect(ofType(r.events, 'reply').find((e) => e.to?.verb === '<end-of-data>')!.reply.code).toBe(250);
  });

  it('notes 8-bit bytes and lines over 1000 octets', () => {
    const long = 'x'.repeat(1200);
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: DATA', 'S: 354 go'),
      { dir: 'c2s', bytes: Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(`\r\n${long}\r\n.\r\n`)]) },
      ...cs('S: 250 ok'),
    ]));
    const de = ofType(r.events, 'data-end')[0]!;
    expect(de.body.eightBit.count).toBe(1);
    expect(de.body.longLines).toMatchObject({ count: 1, longest: 1202 });
  });
});

describe('BDAT', () => {
  it('counts chunk octets exactly, even when a chunk contains CRLF.CRLF', () => {
    const chunk1 = 'Subject: s\r\n\r\nline\r\n.\r\nmore\r\n'; // 29 octets with an end-of-data look-alike inside
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250-mx\r\n250-PIPELINING\r\n250 CHUNKING', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok'),
      { dir: 'c2s', text: `BDAT ${chunk1.length}\r\n${chunk1}BDAT 4 LAST\r\nend\n` },
      { dir: 's2c', text: '250 2.0.0 chunk\r\n250 2.0.0 queued\r\n' },
      ...cs('C: QUIT', 'S: 221 bye'),
    ]));
    const chunks = ofType(r.events, 'bdat-chunk');
    expect(chunks.map((c) => [c.size, c.chunk, c.received, c.complete])).toEqual([[29, 'intermediate', 29, true], [4, 'last', 4, true]]);
    expect(chunks[0]!.lookalikes.map((l) => l.kind)).toEqual(['CRLF.CRLF']);
    expect(dialogue(r.events)).toEqual([
      'C <connect>', 'S 220 -> <connect>', 'C EHLO c', 'S 250 -> EHLO', 'C MAIL FROM:<a@x>', 'S 250 -> MAIL', 'C RCPT TO:<b@x>', 'S 250 -> RCPT',
      'C BDAT 29', 'C BDAT 4 LAST', 'S 250 -> BDAT', 'S 250 -> BDAT', 'C QUIT', 'S 221 -> QUIT',
    ]);
    const t = r.sessions[0]!.transactions[0]!;
    expect(t).toMatchObject({ via: 'BDAT', dataBytes: 33, outcome: 'accepted' });
    expect(t.headers?.subject).toBe('s');
    expect(t.result?.text).toBe('2.0.0 queued');
  });

  it('BDAT 0 LAST is a complete empty chunk', () => {
    const r = run(script(cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: BDAT 0 LAST', 'S: 250 queued', 'C: QUIT', 'S: 221 bye')));
    expect(ofType(r.events, 'bdat-chunk').map((c) => [c.size, c.chunk, c.complete])).toEqual([[0, 'last', true]]);
    expect(r.sessions[0]!.transactions[0]!.outcome).toBe('accepted');
    expect(ofType(r.events, 'reply').every((e) => e.to !== null)).toBe(true);
  });

  it('a bad chunk size is an argument error, not a counted phase', () => {
    const r = run(script(cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: BDAT -5', 'S: 501 bad', 'C: QUIT', 'S: 221 bye')));
    expect(ofType(r.events, 'command').find((e) => e.cmd.verb === 'BDAT')!.cmd.argError).toBe('chunk size: negative');
    expect(ofType(r.events, 'bdat-chunk')).toHaveLength(0);
    expect(dialogue(r.events).slice(-2)).toEqual(['C QUIT', 'S 221 -> QUIT']);
  });
});

describe('XEXCH50', () => {
  const pre = cs('S: 220 mx', 'C: EHLO c', 'S: 250-mx\r\n250 XEXCH50', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: XEXCH50 100 2', 'S: 354 Send binary data');

  it('counts a complete BLOB and pairs the 250 with <end-of-blob>', () => {
    const blob = Buffer.alloc(100, 0x0a); // binary that would look like 100 empty lines
    const r = run(script([...pre, { dir: 'c2s', bytes: blob }, ...cs('S: 250 XEXCH50 blob accepted', 'C: DATA', 'S: 354 go', 'C: .', 'S: 250 ok')]));
    const b = ofType(r.events, 'xexch50-blob')[0]!;
    expect(b).toMatchObject({ expected: 100, received: 100, complete: true, answered: 250, cause: 'reply' });
    expect(ofType(r.events, 'reply').every((e) => e.to !== null)).toBe(true);
    expect(ofType(r.events, 'anomaly')).toHaveLength(0);
  });

  it('reports a BLOB cut short with no reply at the reset', () => {
    const r = run(script([...pre, { dir: 'c2s', bytes: Buffer.alloc(40, 0x41) }, { close: 'rst', dtMs: 30_000 }]));
    const b = ofType(r.events, 'xexch50-blob')[0]!;
    expect(b).toMatchObject({ expected: 100, received: 40, complete: false, answered: null, cause: 'close' });
    const end = ofType(r.events, 'session-end')[0]!;
    expect(end.reason).toBe('rst');
    expect(end.closedBy).toBe('rst');
    expect(end.state).toBe('xexch50');
  });

  it('XEXCH50 refused with 500 keeps the client in command mode', () => {
    const r = run(script([...pre.slice(0, -1), ...cs('S: 500 5.3.3 Unrecognized command', 'C: DATA', 'S: 354 go', 'C: .', 'S: 250 ok')]));
    expect(dialogue(r.events).slice(-6)).toEqual(['C XEXCH50 100 2', 'S 500 -> XEXCH50', 'C DATA', 'S 354 -> DATA', 'C <end-of-data>', 'S 250 -> <end-of-data>']);
  });
});

describe('AUTH never keeps passwords', () => {
  const secret = 'S3cr3t-pässword';
  const plainIr = Buffer.from(`\0alice@example.com\0${secret}`).toString('base64');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const forbidden = [secret, plainIr, b64(secret), Buffer.from(secret, 'latin1').toString('base64')];
  const pre = cs('S: 220 mx', 'C: EHLO c', EHLO_REPLY);

  function expectNoSecret(json: string) {
    for (const f of forbidden) expect(json.includes(f)).toBe(false);
  }

  it('AUTH PLAIN with initial response, success', () => {
    const r = run(script([...pre, ...cs(`C: AUTH PLAIN ${plainIr}`, 'S: 235 2.7.0 Authentication successful', 'C: QUIT', 'S: 221 bye')]));
    expect(ofType(r.events, 'auth')[0]).toMatchObject({ mechanism: 'PLAIN', user: 'alice@example.com', result: 'success', code: 235 });
    expect(r.sessions[0]!.auth).toMatchObject({ mechanism: 'PLAIN', user: 'alice@example.com', result: 'success' });
    expect(ofType(r.events, 'command').find((e) => e.cmd.verb === 'AUTH')!.cmd.arg).toBe(`PLAIN <credentials: ${plainIr.length} bytes>`);
    expectNoSecret(r.json);
  });

  it('AUTH PLAIN after an empty 334, failure 535', () => {
    const r = run(script([...pre, ...cs('C: AUTH PLAIN', 'S: 334 ', `C: ${plainIr}`, 'S: 535 5.7.8 Authentication credentials invalid', 'C: QUIT', 'S: 221 bye')]));
    expect(ofType(r.events, 'auth')[0]).toMatchObject({ user: 'alice@example.com', result: 'failure', code: 535, enhanced: '5.7.8', rounds: 1 });
    expect(dialogue(r.events).slice(4)).toEqual(['C AUTH PLAIN', 'S 334 -> AUTH', `C <auth-response> <credentials: ${plainIr.length} bytes>`, 'S 535 -> <auth-response>', 'C QUIT', 'S 221 -> QUIT']);
    expectNoSecret(r.json);
  });

  for (const [code, result] of [[235, 'success'], [535, 'failure']] as const) {
    it(`AUTH LOGIN, ${code}`, () => {
      const r = run(script([
        ...pre,
        ...cs('C: AUTH LOGIN', `S: 334 ${b64('Username:')}`, `C: ${b64('bob')}`, `S: 334 ${b64('Password:')}`, `C: ${b64(secret)}`, `S: ${code} x`, 'C: QUIT', 'S: 221 bye'),
      ]));
      expect(ofType(r.events, 'auth')[0]).toMatchObject({ mechanism: 'LOGIN', user: 'bob', result, rounds: 2 });
      expect(r.sessions[0]!.state).toBe('quit');
      expectNoSecret(r.json);
      // the same when the lines arrive a byte at a time
      expectNoSecret(run(script([...pre, ...cs('C: AUTH LOGIN', `S: 334 ${b64('Username:')}`, `C: ${b64('bob')}`, `S: 334 ${b64('Password:')}`, `C: ${b64(secret)}`, `S: ${code} x`)], { chunk: 1 })).json);
    });
  }

  it('a "*" answer cancels', () => {
    const r = run(script([...pre, ...cs('C: AUTH LOGIN', `S: 334 ${b64('Username:')}`, 'C: *', 'S: 501 5.7.0 cancelled', 'C: QUIT', 'S: 221 bye')]));
    expect(ofType(r.events, 'auth')[0]).toMatchObject({ result: 'cancelled', code: 501 });
  });
});

describe('TLS', () => {
  // A minimal TLS 1.2 ClientHello record (no extensions) and a ServerHello.
  function record(type: number, body: Buffer): Buffer {
    return Buffer.concat([Buffer.from([type, 3, 1, body.length >> 8, body.length & 255]), body]);
  }
  function hs(type: number, body: Buffer): Buffer {
    return Buffer.concat([Buffer.from([type, 0, body.length >> 8, body.length & 255]), body]);
  }
  const clientHello = record(22, hs(1, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 1), Buffer.from([0]), Buffer.from([0, 2, 0xc0, 0x2f]), Buffer.from([1, 0])])));
  const serverHello = record(22, hs(2, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 2), Buffer.from([0]), Buffer.from([0xc0, 0x2f]), Buffer.from([0])])));

  it('STARTTLS 220 hands both directions to the TLS record parser', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', EHLO_REPLY, 'C: STARTTLS', 'S: 220 2.0.0 Ready to start TLS'),
      { dir: 'c2s', bytes: clientHello },
      { dir: 's2c', bytes: serverHello },
      { close: 'fin' },
    ]));
    const tls = ofType(r.events, 'tls');
    expect(tls[0]).toMatchObject({ phase: 'start', verb: 'STARTTLS' });
    const kinds = tls.filter((e) => e.phase === 'record').map((e) => (e.phase === 'record' ? e.record.type : ''));
    expect(kinds).toEqual(['client-hello', 'server-hello']);
    expect(r.sessions[0]!.tls).toMatchObject({ started: true, verb: 'STARTTLS', version: 'TLS 1.2' });
    expect(r.sessions[0]!.state).toBe('tls');
    expect(ofType(r.events, 'command').map((e) => e.cmd.verb)).toEqual(['<connect>', 'EHLO', 'STARTTLS']);
  });

  it('clear-text bytes pipelined after STARTTLS reach the TLS parser as not-tls', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', EHLO_REPLY),
      { dir: 'c2s', text: 'STARTTLS\r\nRSET\r\n' },
      ...cs('S: 220 go ahead'),
      { close: 'fin' },
    ]));
    expect(ofType(r.events, 'command').map((e) => e.cmd.verb)).toEqual(['<connect>', 'EHLO', 'STARTTLS']);
    expect(ofType(r.events, 'anomaly').map((e) => e.kind)).toContain('not-tls');
  });

  it('STARTTLS 454 leaves the session in clear text', () => {
    const r = run(script(cs('S: 220 mx', 'C: EHLO c', EHLO_REPLY, 'C: STARTTLS', 'S: 454 4.7.0 TLS not available due to temporary reason', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: QUIT', 'S: 221 bye')));
    expect(r.sessions[0]!.tls).toBeNull();
    expect(ofType(r.events, 'reply').find((e) => e.to?.verb === 'STARTTLS')!.reply).toMatchObject({ code: 454, enhanced: '4.7.0' });
    expect(dialogue(r.events).slice(-4)).toEqual(['C MAIL FROM:<a@x>', 'S 250 -> MAIL', 'C QUIT', 'S 221 -> QUIT']);
  });

  it('X-ANONYMOUSTLS answered 500 5.3.3', () => {
    const r = run(script(cs('S: 220 exch Microsoft ESMTP MAIL Service ready', 'C: EHLO c', 'S: 250-exch\r\n250-X-ANONYMOUSTLS\r\n250 XEXCH50', 'C: X-ANONYMOUSTLS', 'S: 500 5.3.3 Unrecognized command', 'C: QUIT', 'S: 221 bye')));
    expect(r.sessions[0]!.ehlo).toMatchObject({ anonymousTls: true, xexch50: true });
    const rep = ofType(r.events, 'reply').find((e) => e.to?.verb === 'X-ANONYMOUSTLS')!;
    expect(rep.reply).toMatchObject({ code: 500, enhanced: '5.3.3' });
    expect(rep.permitted).toBe(true);
    expect(r.sessions[0]!.tls).toBeNull();
  });

  it('implicit TLS on 465 starts at the first byte', () => {
    const r = run(script([{ dir: 'c2s', bytes: clientHello }, { dir: 's2c', bytes: serverHello }], { serverPort: 465 }));
    expect(ofType(r.events, 'tls')[0]).toMatchObject({ phase: 'start', verb: 'implicit' });
    expect(r.sessions[0]!.commands).toEqual([]);
    expect(r.sessions[0]!.earlyTalker).toBeNull();
  });
});

describe('greeting, detection, early talker', () => {
  it('keeps a masked banner as sent', () => {
    const r = run(script(cs('S: 220 ******************************', 'C: EHLO c', 'S: 250-mx\r\n250-XXXXXXXA\r\n250 XXXB', 'C: QUIT', 'S: 221 bye')));
    expect(r.sessions[0]!.greeting).toBe('******************************');
    expect(ofType(r.events, 'greeting')[0]!.reply.code).toBe(220);
    expect(r.sessions[0]!.extensions).toEqual(['XXXXXXXA', 'XXXB']);
  });

  it('records an early talker by frame', () => {
    const r = run(script(cs('C: EHLO c', 'S: 220 mx', 'S: 250 mx', 'C: QUIT', 'S: 221 bye')));
    expect(r.sessions[0]!.earlyTalker).toMatchObject({ frame: 2, bytes: 8 });
    expect(r.sessions[0]!.firstSpeaker).toMatchObject({ dir: 'c2s', frame: 2 });
    expect(ofType(r.events, 'early-talker')).toHaveLength(1);
    expect(dialogue(r.events)).toEqual(['C <connect>', 'C EHLO c', 'S 220 -> <connect>', 'S 250 -> EHLO', 'C QUIT', 'S 221 -> QUIT']);
    // the EHLO waited for the greeting, not for a pipelined reply
    expect(ofType(r.events, 'command')[1]!.cmd.pipelined).toBe(false);
  });

  it('finds SMTP on another port by its 220 greeting, and ignores other flows', () => {
    const smtp = run(script(cs('S: 220 mx', 'C: QUIT', 'S: 221 bye'), { serverPort: 10025 }));
    expect(smtp.sessions[0]).toMatchObject({ detectedBy: 'greeting', greetingCode: 220 });
    const http = run(script(cs('C: GET / HTTP/1.1', 'S: HTTP/1.1 200 OK'), { serverPort: 80 }));
    expect(http.sessions).toHaveLength(0);
    expect(http.events).toHaveLength(0);
  });

  it('a greeting with nothing else before the close leaves <connect> answered and nothing pending', () => {
    const r = run(script(cs('S: 554 5.7.1 no service')));
    expect(r.sessions[0]!.state).toBe('refused');
    expect(ofType(r.events, 'session-end')[0]!.pending).toEqual([]);
  });

  it('no greeting at all: <connect> is still pending at the end', () => {
    const r = run(script([{ close: 'fin', dtMs: 60_000 }]));
    expect(ofType(r.events, 'session-end')[0]!.pending.map((c) => c.verb)).toEqual(['<connect>']);
  });

  it('a reply with nothing pending is a fact', () => {
    const r = run(script(cs('S: 220 mx', 'S: 250 surprise', 'C: QUIT', 'S: 221 bye')));
    const stray = ofType(r.events, 'reply').find((e) => e.reply.code === 250)!;
    expect(stray.to).toBeNull();
  });
});

describe('mid-stream start and gaps', () => {
  it('starts in unknown and resynchronises at the first command and reply lines', () => {
    const r = run(script([
      { dir: 'c2s', text: 'O:<b@x>\r\n' }, // tail of a RCPT line
      { dir: 's2c', text: '0 ok\r\n' },
      ...cs('C: DATA', 'S: 354 go', 'C: hello', 'C: .', 'S: 250 queued', 'C: QUIT', 'S: 221 bye'),
    ], { sawSyn: false }));
    const s = r.sessions[0]!;
    expect(s.midstream).toBe(true);
    expect(ofType(r.events, 'resync').map((e) => [e.dir, e.cause])).toEqual([['c2s', 'midstream'], ['s2c', 'midstream']]);
    expect(dialogue(r.events)).toEqual(['C DATA', 'S 354 -> DATA', 'C <end-of-data>', 'S 250 -> <end-of-data>', 'C QUIT', 'S 221 -> QUIT']);
    const first = ofType(r.events, 'reply')[0]!;
    expect(first.stateBefore).toBe('unknown');
    expect(ofType(r.events, 'command')[0]!.cmd.state).toBe('unknown');
  });

  it('a capture that starts inside DATA resyncs at the lone dot', () => {
    const r = run(script([{ dir: 'c2s', text: 'more body\r\nRcpt text: not a command\r\n.\r\n' }, ...cs('S: 250 queued', 'C: QUIT', 'S: 221 bye')], { sawSyn: false }));
    expect(dialogue(r.events)).toEqual(['C <end-of-data>', 'S 250 -> <end-of-data>', 'C QUIT', 'S 221 -> QUIT']);
  });

  it('a gap inside DATA ends the body as incomplete and resyncs', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: DATA', 'S: 354 go', 'C: part one'),
      { gap: 'c2s', length: 1460 },
      ...cs('C: rest of body', 'C: .', 'S: 250 queued', 'C: QUIT', 'S: 221 bye'),
    ]));
    const gap = ofType(r.events, 'gap')[0]!;
    expect(gap).toMatchObject({ dir: 'c2s', length: 1460, inside: 'data', state: 'data' });
    expect(ofType(r.events, 'data-end')[0]).toMatchObject({ complete: false, bytes: 10 });
    expect(dialogue(r.events).slice(-4)).toEqual(['C <end-of-data>', 'S 250 -> <end-of-data>', 'C QUIT', 'S 221 -> QUIT']);
  });

  it('a gap inside a BDAT chunk is reported with the chunk cut short', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok'),
      { dir: 'c2s', text: 'BDAT 1000 LAST\r\n0123456789' },
      { gap: 'c2s', length: 'unknown' },
      ...cs('S: 250 queued', 'C: QUIT', 'S: 221 bye'),
    ]));
    expect(ofType(r.events, 'gap')[0]).toMatchObject({ inside: 'bdat' });
    expect(ofType(r.events, 'bdat-chunk')[0]).toMatchObject({ size: 1000, received: 10, complete: false });
    expect(dialogue(r.events).slice(-2)).toEqual(['C QUIT', 'S 221 -> QUIT']);
  });

  it('a server-side gap drops the pending replies rather than mis-pairing them', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx'),
      { dir: 'c2s', text: 'MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n' },
      { gap: 's2c', length: 8 },
      { dir: 's2c', text: ' ok\r\n250 ok\r\n' },
      ...cs('C: QUIT', 'S: 221 bye'),
    ]));
    const reps = ofType(r.events, 'reply');
    expect(reps.find((e) => e.to?.verb === 'MAIL')).toBeUndefined();
    expect(reps.at(-1)!.to?.verb).toBe('QUIT');
  });

  it('RST inside DATA: body incomplete, transaction aborted, <end-of-data> never sent', () => {
    const r = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: DATA', 'S: 354 go', 'C: half a body'),
      { close: 'rst' },
    ]));
    expect(ofType(r.events, 'data-end')[0]).toMatchObject({ complete: false });
    const end = ofType(r.events, 'session-end')[0]!;
    expect(end).toMatchObject({ reason: 'rst', closedBy: 'rst', state: 'data', pending: [] });
    expect(r.sessions[0]!.transactions[0]!.outcome).toBe('aborted');
    expect(ofType(r.events, 'transaction-end').map((e) => e.outcome)).toEqual(['aborted']);
  });
});

describe('line anomalies', () => {
  it('bare LF and over-long command lines are reported', () => {
    const r = run(script([...cs('S: 220 mx'), { dir: 'c2s', text: 'EHLO c\n' }, ...cs('S: 250 mx', `C: NOOP ${'x'.repeat(600)}`, 'S: 250 ok')]));
    const kinds = ofType(r.events, 'anomaly').map((e) => [e.kind, e.dir, e.length ?? null]);
    expect(kinds).toEqual([['bare-lf', 'c2s', 7], ['line-too-long', 'c2s', 607]]);
  });

  it('a line beyond the buffer limit is cut, memory stays bounded, parsing continues', () => {
    const r = run(script([...cs('S: 220 mx'), { dir: 'c2s', text: `NOOP ${'y'.repeat(100_000)}\r\n` }, ...cs('S: 250 ok', 'C: QUIT', 'S: 221 bye')], { chunk: 1460 }));
    const a = ofType(r.events, 'anomaly').find((e) => e.kind === 'line-too-long')!;
    expect(a.length).toBe(100_007);
    expect(a.detail).toMatch(/cut/);
    const noop = ofType(r.events, 'command').find((e) => e.cmd.verb === 'NOOP')!;
    expect(noop.cmd.arg.length).toBeLessThanOrEqual(4096);
    expect(dialogue(r.events).slice(-2)).toEqual(['C QUIT', 'S 221 -> QUIT']);
  });

  it('malformed reply lines and code mismatches are anomalies; a code change ends the unterminated reply', () => {
    const r = run(script(cs('S: 220 mx', 'C: EHLO c', 'S: 250-mx\r\n251-odd\r\n250 ok', 'S: hello there', 'C: QUIT', 'S: 221 bye')));
    expect(ofType(r.events, 'anomaly').map((e) => e.kind)).toEqual(['reply-code-mismatch', 'reply-code-mismatch', 'malformed-reply']);
    // "250-mx" answered EHLO; "251-odd" and "250 ok" had no command left to answer.
    expect(ofType(r.events, 'reply').map((e) => `${e.reply.code}:${e.to?.verb ?? '-'}`)).toEqual(['220:<connect>', '250:EHLO', '251:-', '250:-', '221:QUIT']);
    expect(dialogue(r.events).slice(-2)).toEqual(['C QUIT', 'S 221 -> QUIT']);
  });
});
