import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/smtp/line-splitter.js';
import { parseReplyLine, ReplyAssembler } from '../../src/smtp/reply.js';
import { partitions, pieces } from './helpers/chunking.js';

const T = { sec: 0, nsec: 0 };

/** Bytes → line splitter → reply assembler; returns replies and notes as strings. */
function replies(input: Buffer, cuts: number[]): string[] {
  const sp = new LineSplitter();
  const ra = new ReplyAssembler();
  const out: string[] = [];
  pieces(input.length, cuts).forEach(([a, b], i) => {
    const buf = Buffer.from(input.subarray(a, b));
    let pos = 0;
    while (pos < buf.length) {
      pos = sp.next(buf, pos, buf.length, i + 1, T);
      const l = sp.line;
      if (!l) continue;
      const r = ra.push(l.bytes.toString('utf8'), l.frame, l.time, l.firstFrame, l.firstTime);
      const cut = ra.takeInterrupted();
      if (cut) out.push(`${cut.code} ${cut.enhanced ?? '-'} ${JSON.stringify(cut.lines)} ${JSON.stringify(cut.text)}`);
      for (const n of ra.notes) out.push(`note ${n.kind}`);
      if (r) out.push(`${r.code} ${r.enhanced ?? '-'} ${JSON.stringify(r.lines)} ${JSON.stringify(r.text)}`);
    }
  });
  return out;
}

describe('ReplyAssembler', () => {
  const input = Buffer.from(
    '220 mx ESMTP\r\n250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n550 5.1.1 <x@y>: unknown\r\n' +
      'garbage\r\n354\r\n250-a\r\n251 b\r\n699 odd\r\n',
  );
  const expected = [
    '220 - ["220 mx ESMTP"] "mx ESMTP"',
    '250 - ["250-mx.example","250-PIPELINING","250 SIZE 10"] "mx.example\\nPIPELINING\\nSIZE 10"',
    '550 5.1.1 ["550 5.1.1 <x@y>: unknown"] "5.1.1 <x@y>: unknown"',
    'note malformed-reply',
    '354 - ["354"] ""',
    '250 - ["250-a"] "a"',
    'note reply-code-mismatch',
    '251 - ["251 b"] "b"',
    'note invalid-reply-code',
    '699 - ["699 odd"] "odd"',
  ];

  it('assembles multi-line replies and notes malformed lines', () => {
    expect(replies(input, [])).toEqual(expected);
  });

  for (const p of partitions(input.length)) {
    it(`gives identical replies: ${p.name}`, () => {
      expect(replies(input, p.cuts)).toEqual(expected);
    });
  }

  it('keeps the frames of the first and the last line', () => {
    const ra = new ReplyAssembler();
    expect(ra.push('250-a', 3, T, 3, T)).toBeNull();
    expect(ra.inProgress).toBe(true);
    expect(ra.push('250 b', 5, T, 4, T)).toMatchObject({ firstFrame: 3, frame: 5 });
  });

  it('flushes an unfinished multi-line reply at the end', () => {
    const ra = new ReplyAssembler();
    ra.push('250-a', 1, T, 1, T);
    expect(ra.flush(2, T)).toMatchObject({ code: 250, lines: ['250-a'] });
    expect(ra.flush(2, T)).toBeNull();
  });
});

describe('parseReplyLine', () => {
  it.each([
    ['250 ok', { code: 250, last: true, text: 'ok', validCode: true }],
    ['250-ok', { code: 250, last: false, text: 'ok', validCode: true }],
    ['250', { code: 250, last: true, text: '', validCode: true }],
    ['199 x', { code: 199, last: true, text: 'x', validCode: false }],
    ['260 x', { code: 260, last: true, text: 'x', validCode: false }],
  ])('%s', (line, value) => {
    expect(parseReplyLine(line)).toEqual({ value });
  });
  it.each([['25'], ['2x0 ok'], ['250ok'], [''], ['EHLO x']])('%s is not a reply line', (line) => {
    expect(parseReplyLine(line)).toHaveProperty('error');
  });
});
