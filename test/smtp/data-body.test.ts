import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/limits.js';
import { BodyScanner, parseHeaderBlock } from '../../src/smtp/data-body.js';
import { partitions, pieces } from './helpers/chunking.js';

const T = { sec: 0, nsec: 0 };

/** Feeds the pieces (piece i = frame i+1); returns a summary and where the scanner stopped. */
function scan(input: Buffer, cuts: number[], mode: 'dot' | 'counted' = 'dot') {
  const s = new BodyScanner(mode);
  let stoppedAt = -1;
  for (const [a, b] of pieces(input.length, cuts)) {
    const buf = Buffer.from(input.subarray(a, b));
    const pos = s.push(buf, 0, buf.length, 1, T);
    buf.fill(0x5a); // borrowed: must not be read later
    if (s.done && stoppedAt === -1) stoppedAt = a + pos;
  }
  const st = s.finish();
  return {
    done: s.done,
    stoppedAt,
    bytes: st.bytes,
    lines: st.lines,
    look: st.lookalikes.map((l) => `${l.kind}@${l.offset}`),
    bareLf: st.bareLf.count,
    bareCr: st.bareCr.count,
    eightBit: st.eightBit.count > 0,
    long: st.longLines.count,
    headers: st.headers,
  };
}

describe('BodyScanner (dot mode)', () => {
  const body = Buffer.concat([
    Buffer.from('From: a@x\r\nSubject: t\r\n  folded\r\nMessage-ID: <id@x>\r\n\r\n'),
    Buffer.from('..stuffed\r\nlf.lf\n.\ncrlf.lf\r\n.\nx\r.\r\ny\r\n.\rz\r\n'),
    Buffer.from([0xc3, 0xa9, 0x0d, 0x0a]),
    Buffer.from('.\r\nAFTER\r\n'), // the end, then bytes that belong to the command stream
  ]);
  const endAt = body.indexOf('AFTER');
  const expected = {
    done: true,
    stoppedAt: endAt,
    // header 11+12+10+20+2 = 55; ..stuffed 11-1; lf.lf\n 6; .\n 2-1; crlf.lf 9; .\n 1; x\r.\r\n 5; y 3; .\rz 5-1; é 4
    bytes: 55 + 10 + 6 + 1 + 9 + 1 + 5 + 3 + 4 + 4,
    lines: 5 + 9,
    // offsets: where the line holding the dot (or, for CR.CRLF, the bare CR) starts
    look: ['LF.LF@72', 'CRLF.LF@83', 'CR.CRLF@85', 'CRLF.CR@93'],
    bareLf: 3,
    bareCr: 2, // x\r.  and  .\rz
    eightBit: true,
    long: 0,
    headers: { from: 'a@x', subject: 't folded', messageId: '<id@x>', to: null, date: null, received: 0, truncated: false },
  };

  it('finds the end, undoes stuffing, records look-alikes and headers', () => {
    expect(scan(body, [])).toEqual(expected);
  });

  for (const p of partitions(body.length)) {
    it(`gives identical results: ${p.name}`, () => {
      expect(scan(body, p.cuts)).toEqual(expected);
    });
  }

  it('an empty body ends at once (the DATA line supplied the first CRLF)', () => {
    expect(scan(Buffer.from('.\r\n'), [])).toMatchObject({ done: true, bytes: 0, lines: 0, stoppedAt: 3 });
  });

  it.each([
    ['LF.LF', 'a\n.\nb\r\n.\r\n'],
    ['LF.CRLF', 'a\n.\r\nb\r\n.\r\n'],
    ['CR.CRLF', 'a\r.\r\nb\r\n.\r\n'],
    ['CRLF.LF', 'a\r\n.\nb\r\n.\r\n'],
    ['CRLF.CR', 'a\r\n.\rb\r\n.\r\n'],
  ])('%s is a look-alike, not the end', (kind, text) => {
    const r = scan(Buffer.from(text), []);
    expect(r.look.map((l) => l.split('@')[0])).toEqual([kind]);
    expect(r.stoppedAt).toBe(text.length);
  });

  it('counts lines over 1000 octets without counting a stuffed dot', () => {
    const exact = '.' + 'x'.repeat(998) + '\r\n'; // 1001 on the wire, 1000 after unstuffing
    const over = 'y'.repeat(999) + '\r\n'; // 1001
    expect(scan(Buffer.from(exact + over + '.\r\n'), [], 'dot').long).toBe(1);
  });

  it('stops keeping header bytes at LIMITS.maxHeaderBytes and says so', () => {
    const big = 'X-Big: ' + 'a'.repeat(LIMITS.maxHeaderBytes) + '\r\nSubject: late\r\n\r\nbody\r\n.\r\n';
    const r = scan(Buffer.from(big), []);
    expect(r.done).toBe(true);
    expect(r.headers).toMatchObject({ truncated: true, subject: null });
  });
});

describe('BodyScanner (counted mode, BDAT)', () => {
  it('never ends by itself and reports CRLF.CRLF as a look-alike', () => {
    const data = Buffer.from('a\r\n.\r\nb\r\n');
    for (const p of partitions(data.length)) {
      const r = scan(data, p.cuts, 'counted');
      expect(r).toMatchObject({ done: false, bytes: 9, lines: 3, look: ['CRLF.CRLF@3'] });
    }
  });
});

describe('parseHeaderBlock', () => {
  it('unfolds, takes the first of each field and counts Received', () => {
    const h = parseHeaderBlock('Received: a\r\nReceived: b\r\n\tc\r\nTo: x@y\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: one\r\nSubject: two\r\n', false);
    expect(h).toEqual({ messageId: null, subject: 'one', from: null, to: 'x@y', date: 'Mon, 1 Jan 2024 00:00:00 +0000', received: 2, truncated: false });
  });
  it('ignores lines without a colon', () => {
    expect(parseHeaderBlock('garbage\r\nFrom: f\r\n', false).from).toBe('f');
  });
});

/**
 * The ordinary-line fast path (runs of CRLF lines) against a naive line-by-line
 * count, on bodies that mix such runs with every way a line can stop being ordinary:
 * a leading dot, a bare CR inside, a bare LF, exactly LIMITS.textLine octets and one
 * more, an empty line; fed whole and in random pieces.
 */
describe('BodyScanner ordinary-line runs', () => {
  const PARTS = [
    'y'.repeat(76) + '\r\n',
    'y'.repeat(76) + '\r\n' + 'z'.repeat(40) + '\r\n',
    '\r\n',
    '.dot\r\n',
    'in\rside\r\n',
    'bare\n',
    'a'.repeat(LIMITS.textLine - 2) + '\r\n',
    'b'.repeat(LIMITS.textLine - 1) + '\r\n',
    'cr at end\r',
  ];
  /** Lines, octets, bare LF/CR and long lines, the slow obvious way (counted mode: no stuffing). */
  function naive(body: string) {
    let lines = 0, bytes = 0, bareLf = 0, bareCr = 0, long = 0;
    let start = 0;
    for (let i = 0; i < body.length; i++) {
      if (body[i] === '\r' && i + 1 < body.length && body[i + 1] !== '\n') bareCr++;
      if (body[i] !== '\n') continue;
      const octets = i + 1 - start;
      lines++;
      bytes += octets;
      if (i === start || body[i - 1] !== '\r') bareLf++;
      if (octets > LIMITS.textLine) long++;
      start = i + 1;
    }
    return { lines, bytes, bareLf, bareCr, long };
  }
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  it('counts exactly like a line-by-line scan, whole and in random pieces', () => {
    for (let t = 0; t < 300; t++) {
      let text = 'Subject: s\r\n\r\n';
      for (let i = rnd(30); i > 0; i--) text += PARTS[rnd(PARTS.length)]!;
      text += 'end\r\n';
      const input = Buffer.from(text, 'latin1');
      const want = naive(text);
      const cuts = Array.from({ length: rnd(8) }, () => rnd(input.length)).sort((a, b) => a - b);
      for (const c of [[], cuts]) {
        const got = scan(input, c, 'counted');
        expect({ lines: got.lines, bytes: got.bytes, bareLf: got.bareLf, bareCr: got.bareCr, long: got.long }).toEqual(want);
      }
    }
  });
});
