import { describe, expect, it } from 'vitest';
import { BodyScanner } from '../../src/smtp/data-body.js';
import { BodyScanner as Orig } from '../../src/smtp/zz-data-body-orig.js';

function rng(seed: number) { let s = seed >>> 0; return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; }; }
const pieces = ['\r\n', '\n', '\r', '.', '..', 'A', 'é', '\r\n.\r\n', '\n.\n', '\r.\r\n', 'x'.repeat(990), 'y'.repeat(76) + '\r\n', 'z'.repeat(998) + '\r\n', 'w'.repeat(999) + '\r\n', 'Subject: hi\r\n', '\r\n\r\n'];
function run(S: typeof BodyScanner | typeof Orig, mode: 'dot' | 'counted', buf: Buffer, cuts: number[]) {
  const sc = new S(mode);
  let prev = 0; let frame = 1; let ret: number[] = [];
  for (const c of [...cuts, buf.length]) { if (c < prev) continue; ret.push(sc.push(buf, prev, c, frame++, { sec: 0, nsec: 0 })); if (sc.done) break; prev = c; }
  return { stats: JSON.parse(JSON.stringify(sc.finish())), ret, done: sc.done };
}
describe('fast path equals original', () => {
  it('random bodies', () => {
    const r = rng(7);
    for (let t = 0; t < 3000; t++) {
      let s = '';
      const n = Math.floor(r() * 40);
      for (let i = 0; i < n; i++) s += pieces[Math.floor(r() * pieces.length)];
      const buf = Buffer.from('Subject: a\r\n\r\n' + s, 'latin1');
      const cuts: number[] = [];
      const k = Math.floor(r() * 6);
      for (let i = 0; i < k; i++) cuts.push(Math.floor(r() * buf.length));
      cuts.sort((a, b) => a - b);
      for (const mode of ['dot', 'counted'] as const) {
        expect(run(BodyScanner, mode, buf, cuts)).toEqual(run(Orig, mode, buf, cuts));
        const b2 = Buffer.from(s, 'latin1');
        expect(run(BodyScanner, mode, b2, cuts.filter((c) => c <= b2.length))).toEqual(run(Orig, mode, b2, cuts.filter((c) => c <= b2.length)));
      }
    }
  });
});
