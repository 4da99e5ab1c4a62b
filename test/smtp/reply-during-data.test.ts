/**
 * Facts smtp/ states about a server that does not follow the strict dialogue:
 * a reply while the DATA body is open (the server took an end-of-data look-alike
 * as the end of data: SMTP smuggling works against it), a capture whose server
 * never greeted, and the positions other rules need (gap streamOffset, BDAT 8-bit
 * count, frame of the first body octet).
 */
import { describe, expect, it } from 'vitest';
import { dialogueOf } from '../../src/smtp/index.js';
import { analyzeFile } from './helpers/pipeline.js';
import { cs, dialogue, ofType, run, script, type Step } from './helpers/script.js';

const SV = '/work/shared/conformance/suricata-verify';
const ZEEK = '/work/shared/conformance/zeek';

const ENVELOPE = cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: DATA', 'S: 354 go');

/** The server answers right after <LF>.<LF>, then the client sends a second envelope. */
const SMUGGLED: Step[] = [
  ...ENVELOPE,
  { dir: 'c2s', text: 'Subject: one\r\n\r\nfirst message\n.\n' },
  { dir: 's2c', text: '250 queued as 1\r\n' },
  { dir: 'c2s', text: 'MAIL FROM:<forged@x>\r\n' },
  { dir: 's2c', text: '250 ok\r\n' },
  { dir: 'c2s', text: 'QUIT\r\n' },
  { dir: 's2c', text: '221 bye\r\n' },
];

describe('a reply while the DATA body is open', () => {
  for (const chunk of [undefined, 1, 2, 3, 5, 7, 13]) {
    it(`body ending in <LF>.<LF>: the server took the look-alike as the end of data (chunk ${chunk ?? 'whole'})`, () => {
      const r = run(script(SMUGGLED, chunk ? { chunk } : {}));
      const ends = ofType(r.events, 'data-end');
      expect(ends).toHaveLength(1);
      expect(ends[0]).toMatchObject({ complete: true, terminator: 'LF.LF', lookalikeCount: 1 });
      // "Subject: one\r\n\r\nfirst message\n" : the dot line is terminator, not message.
      expect(ends[0]!.bytes).toBe(30);
      expect(dialogue(r.events).slice(-6)).toEqual(['C <end-of-data>', 'S 250 -> <end-of-data>', 'C MAIL FROM:<forged@x>', 'S 250 -> MAIL', 'C QUIT', 'S 221 -> QUIT']);
      const s = r.sessions[0]!;
      // The smuggled MAIL opens a second transaction (closed by QUIT without data: aborted).
      expect(s.transactions.map((t) => [t.mailFrom, t.outcome])).toEqual([['a@x', 'accepted'], ['forged@x', 'aborted']]);
      expect(s.transactions[0]!.result?.code).toBe(250);
      expect(ofType(r.events, 'anomaly').filter((a) => a.kind === 'reply-during-data')).toEqual([]);
      expect(s.unpairedReplies).toEqual([]);
    });
  }

  it('the same facts whatever segment boundary splits the body (every offset)', () => {
    const body = Buffer.from('Subject: one\r\n\r\nfirst message\r\n.\rx\r\nend\n.\n');
    const facts = (steps: Step[]) => {
      const r = run(script([...ENVELOPE, ...steps, ...cs('S: 250 queued', 'C: QUIT', 'S: 221 bye')]));
      const e = ofType(r.events, 'data-end')[0]!;
      return JSON.stringify([e.complete, e.terminator, e.bytes, e.lines, e.lookalikes.map((l) => [l.kind, l.offset]), dialogue(r.events).slice(-4)]);
    };
    const whole = facts([{ dir: 'c2s', bytes: body }]);
    expect(whole).toContain('"LF.LF"');
    for (let i = 1; i < body.length; i++) {
      expect(facts([{ dir: 'c2s', bytes: body.subarray(0, i) }, { dir: 'c2s', bytes: body.subarray(i) }]), `split at ${i}`).toBe(whole);
    }
  });

  it('each pending look-alike kind ends the body when the server answers after it', () => {
    const cases: [string, string][] = [
      ['x\n.\n', 'LF.LF'],
      ['x\r\n.\n', 'CRLF.LF'],
      ['x\n.\r\n', 'LF.CRLF'],
      ['x\r.\r\n', 'CR.CRLF'],
      ['x\r\n.\r', 'CRLF.CR'],
    ];
    for (const [tail, kind] of cases) {
      const r = run(script([...ENVELOPE, { dir: 'c2s', text: `Subject: k\r\n\r\n${tail}` }, ...cs('S: 250 queued', 'C: QUIT', 'S: 221 bye')]));
      const end = ofType(r.events, 'data-end')[0]!;
      expect(end, kind).toMatchObject({ complete: true, terminator: kind });
      expect(end.lookalikes.map((l) => l.kind), kind).toContain(kind);
      expect(dialogue(r.events).slice(-4), kind).toEqual(['C <end-of-data>', 'S 250 -> <end-of-data>', 'C QUIT', 'S 221 -> QUIT']);
    }
  });

  it('the ordinary <CRLF>.<CRLF> end says so', () => {
    const r = run(script([...ENVELOPE, ...cs('C: Subject: s', 'C: ', 'C: body', 'C: .', 'S: 250 ok', 'C: QUIT', 'S: 221 bye')]));
    expect(ofType(r.events, 'data-end')[0]).toMatchObject({ complete: true, terminator: 'CRLF.CRLF' });
  });

  it('no look-alike before the reply: the body stays open and the reply is flagged', () => {
    const r = run(script([...ENVELOPE, { dir: 'c2s', text: 'Subject: s\r\n\r\npart one\r\n' }, ...cs('S: 451 4.3.0 timeout'), { close: 'fin' }]));
    const an = ofType(r.events, 'anomaly').filter((a) => a.kind === 'reply-during-data');
    expect(an).toHaveLength(1);
    expect(an[0]!.detail).toContain('451');
    expect(dialogue(r.events).at(-1)).toBe('S 451 -> null');
    expect(ofType(r.events, 'data-end')[0]).toMatchObject({ complete: false, terminator: null });
  });

  it('a look-alike followed by more body octets is not where the server ended (text after it)', () => {
    const r = run(script([...ENVELOPE, { dir: 'c2s', text: 'Subject: s\r\n\r\na\n.\nmore text\r\n' }, ...cs('S: 250 queued'), { close: 'fin' }]));
    expect(ofType(r.events, 'anomaly').map((a) => a.kind)).toContain('reply-during-data');
    expect(ofType(r.events, 'data-end')[0]).toMatchObject({ complete: false });
  });

  it('a 354-class reply does not end the body', () => {
    const r = run(script([...ENVELOPE, { dir: 'c2s', text: 'a\n.\n' }, ...cs('S: 354 again'), { close: 'fin' }]));
    expect(ofType(r.events, 'data-end')[0]).toMatchObject({ complete: false });
  });

  it('suricata-verify smtp-url-base64.pcap: the 250 answers the <LF>.<LF> end of data', async () => {
    const { events, sessions } = await analyzeFile(`${SV}/smtp-url-base64.pcap`);
    const end = ofType(events, 'data-end')[0]!;
    expect(end).toMatchObject({ complete: true, terminator: 'LF.LF' });
    const reply = ofType(events, 'reply').at(-1)!;
    expect(reply.to?.verb).toBe('<end-of-data>');
    expect(reply.reply.text).toContain('queued');
    const s = sessions[0]!;
    expect(s.transactions[0]).toMatchObject({ outcome: 'accepted' });
    expect(s.unpairedReplies).toEqual([]);
  });
});

describe('no greeting in a capture whose start was seen', () => {
  it('suricata-verify smtp-rset-starttls.pcap: the first 250 answers EHLO, not the connection', async () => {
    const { events, sessions } = await analyzeFile(`${SV}/smtp-rset-starttls.pcap`);
    const s = sessions[0]!;
    expect(s.greetingMissing).toBe(true);
    expect(s.greetingCode).toBeNull();
    expect(s.earlyTalker).toBeNull();
    expect(ofType(events, 'greeting')).toEqual([]);
    expect(ofType(events, 'anomaly').filter((a) => a.kind === 'missing-greeting')).toHaveLength(1);
    expect(dialogue(events).filter((l) => !l.startsWith('C <connect>'))).toEqual(['C EHLO', 'S 250 -> EHLO', 'C RSET', 'C STARTTLS', 'S 250 -> RSET', 'S 220 -> STARTTLS']);
    expect(s.tls?.verb).toBe('STARTTLS');
    // tshark's view of the dialogue is unchanged: same commands and replies in order.
    expect(dialogueOf(s).replies.map((r) => r[0])).toEqual([250, 250, 220]);
  });

  it('an early client whose server then greets with 220 keeps the greeting', () => {
    const r = run(script([...cs('C: EHLO fast', 'S: 220 mx', 'S: 250 mx', 'C: QUIT', 'S: 221 bye')]));
    expect(r.sessions[0]!.greetingMissing).toBe(false);
    expect(ofType(r.events, 'greeting')).toHaveLength(1);
    expect(r.sessions[0]!.earlyTalker).not.toBeNull();
  });

  it('a 554 after an early command is still the greeting (a refusal)', () => {
    const r = run(script([...cs('C: EHLO fast', 'S: 554 no service', 'S: 250 mx')]));
    expect(ofType(r.events, 'greeting')[0]!.reply.code).toBe(554);
    expect(r.sessions[0]!.greetingMissing).toBe(false);
  });

  it('a 500 before any client command is the (refusing) greeting', () => {
    const r = run(script([...cs('S: 500 not smtp', 'C: QUIT', 'S: 221 bye')]));
    expect(ofType(r.events, 'greeting')[0]!.reply.code).toBe(500);
    expect(r.sessions[0]!.greetingMissing).toBe(false);
  });

  it('mid-stream captures are left to resync (no greeting expected)', () => {
    const r = run(script([...cs('C: NOOP', 'S: 250 ok')], { sawSyn: false }));
    expect(r.sessions[0]!.greetingMissing).toBe(false);
  });
});

describe('positions for other rules', () => {
  it('gap events carry the stream offset from tcp/', () => {
    const r = run(script([...cs('S: 220 mx', 'C: EHLO c'), { gap: 'c2s', length: 40 }, ...cs('C: QUIT', 'S: 221 bye')]));
    const g = ofType(r.events, 'gap');
    expect(g).toHaveLength(1);
    expect(g[0]).toMatchObject({ dir: 'c2s', streamOffset: 'EHLO c\r\n'.length, length: 40 });
  });

  it('bdat-chunk events count the chunk\'s 8-bit segments', () => {
    const steps: Step[] = [
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250-mx\r\n250 CHUNKING', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok'),
      { dir: 'c2s', bytes: Buffer.from('BDAT 6\r\nabc\r\n') },
      { dir: 'c2s', bytes: Buffer.from('\r\n') },
      ...cs('S: 250 c1'),
      { dir: 'c2s', bytes: Buffer.concat([Buffer.from('BDAT 6 LAST\r\n'), Buffer.from('caf\xc3\xa9\n', 'latin1')]) },
      ...cs('S: 250 queued', 'C: QUIT', 'S: 221 bye'),
    ];
    const r = run(script(steps));
    const chunks = ofType(r.events, 'bdat-chunk');
    expect(chunks.map((c) => c.eightBit.count)).toEqual([0, 1]);
    const frameOfLast = r.events.find((e) => e.type === 'command' && e.cmd.verb === 'BDAT' && e.cmd.arg === '6 LAST')!.frame;
    expect(chunks[1]!.eightBit.firstFrame).toBe(frameOfLast);
    expect(chunks[0]!.eightBit.firstFrame).toBeNull();
  });

  it('zeek bdat-nonascii.pcap: the 604-octet chunk carries 8-bit octets', async () => {
    const { events } = await analyzeFile(`${ZEEK}/bdat-nonascii.pcap`);
    const chunks = ofType(events, 'bdat-chunk');
    expect(chunks[0]).toMatchObject({ size: 604, eightBit: { count: 1, firstFrame: 13 } });
  });

  it('data-start/data-end give the frame of the first body octet: early (before the 354) and on time', () => {
    const early = run(script([
      ...cs('S: 220 mx', 'C: EHLO c', 'S: 250 mx', 'C: MAIL FROM:<a@x>', 'S: 250 ok', 'C: RCPT TO:<b@x>', 'S: 250 ok', 'C: DATA'),
      { dir: 'c2s', text: 'Subject: early\r\n' },
      ...cs('S: 354 go', 'C: ', 'C: text', 'C: .', 'S: 250 ok'),
    ]));
    const bodyFrame = early.events.find((e) => e.type === 'command' && e.cmd.verb === 'DATA')!.frame + 1;
    expect(ofType(early.events, 'data-start')[0]!.firstBodyFrame).toBe(bodyFrame);
    expect(ofType(early.events, 'data-end')[0]!.firstBodyFrame).toBe(bodyFrame);

    const onTime = run(script([...ENVELOPE, ...cs('C: Subject: s', 'C: .', 'S: 250 ok')]));
    const start = ofType(onTime.events, 'data-start')[0]!;
    expect(start.firstBodyFrame).toBeNull();
    expect(ofType(onTime.events, 'data-end')[0]!.firstBodyFrame).toBe(start.frame + 1);
  });
});
