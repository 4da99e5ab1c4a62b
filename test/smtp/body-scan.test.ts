/**
 * The WebAssembly line kernel (src/smtp/body-scan.ts) against BodyScanner's JS path:
 * the same bodies, cut into the same pushes, must give the same statistics and stop at
 * the same octet. Bodies are random but built from what breaks a line scanner: CRLF,
 * bare CR and LF, a dot at a line start, CR.CRLF, 8-bit octets, lines around the
 * 1000-octet limit, pushes longer than the kernel's window and cuts inside CRLF.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/limits.js';
import { BODY_SCAN_MODULE, bodyScanKernel } from '../../src/smtp/body-scan.js';
import { BodyScanner } from '../../src/smtp/data-body.js';
import { SMTP_LIMITS } from '../../src/smtp/limits.js';
import { assemble, toWat } from '../../src/smtp/wasm-asm.js';
import { prng } from '../helpers/prng.js';

const T = { sec: 0, nsec: 0 };

/** One line of a body, chosen to hit the kernel's edge cases now and then. */
function line(rnd: () => number): string {
  const r = rnd();
  const len = (n: number) => 'x'.repeat(Math.max(0, n));
  if (r < 0.55) return len(Math.floor(rnd() * 80)) + '\r\n';
  if (r < 0.62) return '.' + len(1 + Math.floor(rnd() * 10)) + '\r\n'; // stuffed (never the terminator)
  if (r < 0.66) return len(LIMITS.textLine - 3 + Math.floor(rnd() * 5)) + '\r\n'; // 997..1001 + CRLF
  if (r < 0.68) return len(LIMITS.textLine * (1 + Math.floor(rnd() * 3)) + Math.floor(rnd() * 200)) + '\r\n';
  if (r < 0.72) return len(Math.floor(rnd() * 20)) + '\n'; // bare LF
  if (r < 0.75) return len(Math.floor(rnd() * 20)) + '\r' + len(Math.floor(rnd() * 3)) + '\r\n'; // bare CR
  if (r < 0.78) return 'caf\u00e9 ' + len(Math.floor(rnd() * 30)) + '\r\n'; // 8-bit in UTF-8
  if (r < 0.8) return '\r\n.\n'; // CRLF.LF look-alike
  if (r < 0.82) return '\r.\r\n'; // CR.CRLF look-alike
  if (r < 0.84) return '\r\n'; // empty line
  if (r < 0.86) return len(Math.floor(rnd() * 64)) + '\r';
  return ' ' + len(Math.floor(rnd() * 300)) + '\r\n';
}

function body(rnd: () => number, size: number, terminate: boolean): Buffer {
  const parts = ['From: a@example.org\r\nSubject: kernel\r\n\r\n'];
  let n = parts[0]!.length;
  while (n < size) {
    const l = line(rnd);
    parts.push(l);
    n += l.length;
  }
  if (terminate) parts.push('\r\n.\r\nQUIT\r\n');
  return Buffer.from(parts.join(''), 'utf8');
}

/** Cuts [0, length) into pushes: tiny, MSS-sized, and some longer than the kernel's window. */
function cuts(rnd: () => number, length: number): number[] {
  const at: number[] = [];
  let p = 0;
  while (p < length) {
    const r = rnd();
    const step =
      r < 0.2 ? 1 + Math.floor(rnd() * 4) : r < 0.8 ? 1 + Math.floor(rnd() * 1460) : 1 + Math.floor(rnd() * 3 * SMTP_LIMITS.bodyScanWindow);
    p = Math.min(length, p + step);
    at.push(p);
  }
  return at;
}

/** Feeds the pushes, each inside a larger buffer (pos > 0, octets after end), as the engine does. */
function run(input: Buffer, ends: number[], useKernel: boolean, mode: 'dot' | 'counted') {
  const s = new BodyScanner(mode, useKernel);
  const stops: number[] = [];
  let a = 0;
  let frame = 1;
  for (const b of ends) {
    const buf = Buffer.concat([Buffer.from('\r\n.\r'), input.subarray(a, b), Buffer.from('.\r\n\n')]);
    const pos = s.push(buf, 4, 4 + (b - a), frame++, T);
    stops.push(pos - 4);
    buf.fill(0x0a); // borrowed: must not be read later
    a = b;
    if (s.done) break;
  }
  return { stops, stats: s.finish() };
}

describe('body line kernel (WebAssembly) against the JS path', () => {
  it('is available on this Node (else the comparisons below compare the JS path with itself)', () => {
    expect(bodyScanKernel()).not.toBeNull();
  });

  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}: same statistics and stops`, () => {
      const rnd = prng(seed);
      const mode = seed % 5 === 0 ? 'counted' : 'dot';
      const input = body(rnd, 20_000 + Math.floor(rnd() * 300_000), mode === 'dot' && seed % 3 !== 0);
      const ends = cuts(rnd, input.length);
      const js = run(input, ends, false, mode);
      const wasm = run(input, ends, true, mode);
      expect(wasm.stops).toEqual(js.stops);
      expect(wasm.stats).toEqual(js.stats);
      // the body was read to its end: the comparison covered all of it
      expect(js.stops.length).toBe(ends.length);
      expect(js.stats.lines).toBeGreaterThan(input.length / 1000);
    });
  }

  it('whole body in one push, and one octet per push, agree', () => {
    const rnd = prng(99);
    const input = body(rnd, 70_000, true);
    for (const ends of [[input.length], Array.from({ length: 6000 }, (_, i) => i + 1).concat([input.length])]) {
      expect(run(input, ends, true, 'dot')).toEqual(run(input, ends, false, 'dot'));
    }
  });

  it('a clean body of long ordinary lines is counted exactly (the path the kernel speeds up)', () => {
    const lineText = 'y'.repeat(LIMITS.textLine - 2) + '\r\n'; // exactly at the limit
    const over = 'y'.repeat(LIMITS.textLine - 1) + '\r\n'; // one octet over
    const input = Buffer.from('Subject: s\r\n\r\n' + lineText.repeat(300) + over + lineText.repeat(300) + '.\r\n');
    const ends = [70_000, 140_000, 300_000, 500_000, input.length];
    const wasm = run(input, ends, true, 'dot');
    expect(wasm.stats.longLines.count).toBe(1);
    expect(wasm.stats.lines).toBe(2 + 601);
    expect(wasm).toEqual(run(input, ends, false, 'dot'));
  });
});

/** wabt's wat2wasm (Debian package wabt, installed by .ci/run), or null. */
const WAT2WASM = ['/usr/bin/wat2wasm', '/usr/local/bin/wat2wasm'].find((p) => existsSync(p)) ?? null;

describe('the in-repo assembler (src/smtp/wasm-asm.ts)', () => {
  it('emits a module the engine validates', () => {
    const bytes = assemble(BODY_SCAN_MODULE);
    expect(Buffer.from(bytes.subarray(0, 8)).toString('hex')).toBe('0061736d01000000'); // "\0asm", version 1
    expect((globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes)).toBe(true);
  });

  it('rejects an instruction it does not know, by name', () => {
    const bad = { ...BODY_SCAN_MODULE, funcs: [{ name: '$f', params: [], result: null, locals: [], body: 'i32.const 1 f64.sqrt drop' }] };
    expect(() => assemble(bad)).toThrow(/f64\.sqrt/);
  });

  it.skipIf(WAT2WASM === null)('writes the same bytes as wabt wat2wasm for the same text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpscope-wat-'));
    try {
      writeFileSync(join(dir, 'k.wat'), toWat(BODY_SCAN_MODULE));
      execFileSync(WAT2WASM!, [join(dir, 'k.wat'), '-o', join(dir, 'k.wasm')]);
      expect(Buffer.from(assemble(BODY_SCAN_MODULE)).equals(readFileSync(join(dir, 'k.wasm')))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('without WebAssembly (node --jitless): the JS path, the same report', () => {
  const main = join(import.meta.dirname, '../../dist/cli/main.js');
  const analyze = (nodeArgs: string[], capture: string) =>
    execFileSync(process.execPath, [...nodeArgs, main, 'analyze', '--format', 'json', join(import.meta.dirname, '../../fixtures/captures/real', capture)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });

  it.skipIf(!existsSync(main))('postfix-1mb and smtp smuggling look-alikes: byte-identical JSON', () => {
    for (const capture of ['postfix-1mb.pcap', 'postfix-bdat-crlfdotcrlf.pcap', 'postfix-rst-in-data.pcap']) {
      const fast = analyze([], capture);
      expect(JSON.parse(fast).sessions.length, capture).toBeGreaterThan(0);
      expect(analyze(['--jitless'], capture), capture).toBe(fast);
    }
  });
});
