import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/smtp/line-splitter.js';
import { partitions, pieces } from './helpers/chunking.js';

const T = { sec: 0, nsec: 0 };

/** Feeds `input` in the given pieces (piece i has frame i+1); returns line summaries. */
function lines(input: Buffer, cuts: number[], cap?: number): string[] {
  const sp = new LineSplitter(cap);
  const out: string[] = [];
  pieces(input.length, cuts).forEach(([a, b], i) => {
    // a fresh copy per piece, overwritten after use: the splitter must not keep views
    const buf = Buffer.from(input.subarray(a, b));
    let pos = 0;
    while (pos < buf.length) {
      pos = sp.next(buf, pos, buf.length, i + 1, T);
      const l = sp.line;
      if (l) out.push(`${JSON.stringify(l.bytes.toString('latin1'))} len=${l.length} ${l.ending}${l.cut ? ' cut' : ''}${l.bareCr ? ' bareCR' : ''}`);
    }
    buf.fill(0x5a);
  });
  const f = sp.flush(99, T);
  if (f) out.push(`${JSON.stringify(f.bytes.toString('latin1'))} len=${f.length} ${f.ending}`);
  return out;
}

describe('LineSplitter', () => {
  const input = Buffer.from('EHLO a\r\n\r\nbare\nMAIL FROM:<x>\r\nodd\rcr\r\n\n\r\r\nlast');
  const expected = [
    '"EHLO a" len=8 crlf',
    '"" len=2 crlf',
    '"bare" len=5 lf',
    '"MAIL FROM:<x>" len=15 crlf',
    '"odd\\rcr" len=8 crlf bareCR',
    '"" len=1 lf',
    '"\\r" len=3 crlf bareCR',
    '"last" len=4 none',
  ];

  it('splits CRLF lines and notes bare LF, bare CR and an unterminated tail', () => {
    expect(lines(input, [])).toEqual(expected);
  });

  for (const p of partitions(input.length)) {
    it(`gives identical lines: ${p.name}`, () => {
      expect(lines(input, p.cuts)).toEqual(expected);
    });
  }

  it('reports the frames of the first byte and of the terminator', () => {
    const sp = new LineSplitter();
    const a = Buffer.from('NO');
    const b = Buffer.from('OP\r\n');
    sp.next(a, 0, 2, 7, T);
    expect(sp.line).toBeNull();
    expect(sp.pending).toBe(2);
    sp.next(b, 0, 4, 8, T);
    expect(sp.line).toMatchObject({ firstFrame: 7, frame: 8, length: 6 });
  });

  it('respects [start, end) and leaves bytes after the first line for the caller', () => {
    const sp = new LineSplitter();
    const buf = Buffer.from('xxA\r\nB\r\nyy');
    const pos = sp.next(buf, 2, 9, 1, T);
    expect(sp.line!.bytes.toString()).toBe('A');
    expect(pos).toBe(5);
    sp.next(buf, pos, 9, 1, T);
    expect(sp.line!.bytes.toString()).toBe('B');
  });

  describe('bounded remainder', () => {
    const long = Buffer.from(`${'x'.repeat(50)}\r\nshort\r\n`);
    const expectedCut = [`${JSON.stringify('x'.repeat(16))} len=52 crlf cut`, '"short" len=7 crlf'];
    for (const p of partitions(long.length)) {
      it(`cuts a line longer than the cap and keeps its true length: ${p.name}`, () => {
        expect(lines(long, p.cuts, 16)).toEqual(expectedCut);
      });
    }
    it('never buffers more than the cap', () => {
      const sp = new LineSplitter(64);
      const chunk = Buffer.alloc(1000, 0x41);
      for (let i = 0; i < 100; i++) sp.next(chunk, 0, chunk.length, i, T);
      expect(sp.pending).toBe(100_000);
      expect((sp as unknown as { rem: Buffer }).rem.length).toBeLessThanOrEqual(64);
      sp.next(Buffer.from('\n'), 0, 1, 101, T);
      expect(sp.line).toMatchObject({ length: 100_001, cut: true, ending: 'lf' });
      expect(sp.line!.bytes.length).toBe(64);
    });
  });
});
