/**
 * Damaged input, at random (seeded, so a failure replays): real captures of every format
 * with bytes flipped, runs overwritten, ranges cut out or repeated, and the end cut off,
 * then `smtpscope analyze` in every output format. Whatever the damage, the outcome is
 * exit 0 with a report that validates against the schema, or exit 2 with one line
 * naming the file; never a stack trace, never another status (STANDARDS: "bad input
 * gets a clear one-line error ... a partly damaged capture is analyzed up to the damage").
 * FUZZ_COUNT (copies per capture, default 30), FUZZ_STDIN (of them also through standard
 * input, default 6) and FUZZ_SEED (default 1000) run more or
 * other copies; FUZZ_DEBUG=1 prints every refusal. Found so far, and fixed: a pcapng time
 * stamp past year 9999 broke the ISO time (and past a JavaScript Date would have thrown);
 * gzip output before the damage was dropped, and how much depended on how the input
 * arrived (file or standard input); a NetMon file without its table was refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/index.js';
import { ROOT } from '../helpers/corpus.js';
import { prng } from '../helpers/prng.js';
import { errLines, fixture, runMain } from './helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema/report.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** One kind of damage, chosen by the generator. */
function damage(src: Buffer, rnd: () => number): { bytes: Buffer; what: string } {
  const b = Buffer.from(src);
  const at = (n = b.length) => Math.floor(rnd() * n);
  const kind = Math.floor(rnd() * 5);
  if (kind === 0) {
    const n = 1 + at(8);
    const where: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = at();
      b[p] = at(256);
      where.push(p);
    }
    return { bytes: b, what: `bytes changed at ${where.join(',')}` };
  }
  if (kind === 1) {
    const p = at();
    const len = 1 + at(64);
    const v = rnd() < 0.5 ? 0xff : 0x00;
    b.fill(v, p, Math.min(b.length, p + len));
    return { bytes: b, what: `${len} bytes of ${v} at ${p}` };
  }
  if (kind === 2) {
    const p = at();
    const len = 1 + at(200);
    return { bytes: Buffer.concat([b.subarray(0, p), b.subarray(p + len)]), what: `${len} bytes cut out at ${p}` };
  }
  if (kind === 3) {
    const p = at();
    const len = 1 + at(200);
    return { bytes: Buffer.concat([b.subarray(0, p + len), b.subarray(p, p + len), b.subarray(p + len)]), what: `${len} bytes repeated at ${p}` };
  }
  const end = at();
  return { bytes: b.subarray(0, end), what: `cut at ${end}` };
}

const SOURCES: [string, Buffer][] = [
  ['pcap', readFileSync(fixture('real/postfix-starttls.pcap'))],
  ['pcap (pipelined)', readFileSync(fixture('real/postfix-pipelined.pcap'))],
  ['pcapng', readFileSync(fixture('variants/plain.writer-be.pcapng'))],
  ['netmon', readFileSync(fixture('variants/plain.editcap.netmon2.cap'))],
  ['sll2', readFileSync(fixture('variants/plain.tcpdump-any-sll2.pcap'))],
  ['xexch50', readFileSync(fixture('mission/xexch50-blob-dropped.pcap'))],
  ['auth', readFileSync(fixture('real/smtp-server-auth-login.pcap'))],
  ['gzip', gzipSync(readFileSync(fixture('real/postfix-1mb.pcap')))],
];
const FORMATS = ['json', 'table', 'jsonl', 'markdown', 'html'] as const;
const PER_SOURCE = Number(process.env.FUZZ_COUNT ?? 30);

describe('damaged captures: exit 0 with a valid report, or exit 2 with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smtpscope-fuzz-'));
  SOURCES.forEach(([name, src], s) => {
    it(`${name}: ${PER_SOURCE} damaged copies`, async () => {
      const rnd = prng(Number(process.env.FUZZ_SEED ?? 1000) + s);
      let ok = 0;
      let refused = 0;
      for (let i = 0; i < PER_SOURCE; i++) {
        const { bytes, what } = damage(src, rnd);
        const file = join(dir, `${s}-${i}.cap`);
        writeFileSync(file, bytes);
        const format = FORMATS[i % FORMATS.length]!;
        // Mostly analyze; every third copy through sessions or transcript instead (their own renderers).
        const command = i % 3 === 1 ? ['sessions'] : i % 3 === 2 && format !== 'jsonl' && format !== 'html' ? ['transcript', '--session', '1'] : ['analyze'];
        const sideFormat = i % 2 === 0 ? 'json' : 'table';
        const r = await runMain([...command, '--format', command[0] === 'analyze' ? format : sideFormat, file]);
        if (command[0] !== 'analyze') {
          const where = `${name} copy ${i} (${what}), ${command.join(' ')}`;
          expect(r.stderr, where).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError/);
          // transcript --session 1 exits 2 when damage left no session 1: one line, like any usage error.
          expect([0, 2], `${where}: exit ${r.code}: ${r.stderr}`).toContain(r.code);
          if (r.code === 2) expect(errLines(r), where).toHaveLength(1);
          else if (sideFormat === 'json') JSON.parse(r.stdout);
          else expect(r.stdout.length, where).toBeGreaterThan(0);
          continue;
        }
        const where = `${name} copy ${i} (${what}), --format ${format}`;
        if (process.env.FUZZ_DEBUG && format === 'json' && r.code === 0 && !validate(JSON.parse(r.stdout))) console.log(where, JSON.stringify(validate.errors), JSON.stringify(JSON.parse(r.stdout).inputs));
        expect(r.stderr, where).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError/);
        expect([0, 2], `${where}: exit ${r.code}: ${r.stderr}`).toContain(r.code);
        if (r.code === 2) {
          refused++;
          if (process.env.FUZZ_DEBUG) console.log(where, r.stderr.trim());
          expect(r.stdout, where).toBe('');
          const lines = errLines(r);
          expect(lines, where).toHaveLength(1);
          expect(lines[0], where).toMatch(/^smtpscope: /);
          expect(lines[0], where).toContain(`${s}-${i}.cap`);
        } else {
          ok++;
          if (format === 'json') expect(validate(JSON.parse(r.stdout)) ? [] : JSON.stringify(validate.errors?.slice(0, 3)), where).toEqual([]);
          else expect(r.stdout.length, where).toBeGreaterThan(0);
        }
      }
      // Standard input reads the same damaged bytes through its own path (stream chunks of
      // odd sizes, NetMon spooled): the same report, or the same refusal, as the file.
      const viaStdin = prng(77 + s);
      for (let i = 0; i < Number(process.env.FUZZ_STDIN ?? 6); i++) {
        const { bytes, what } = damage(src, viaStdin);
        const file = join(dir, `${s}-stdin-${i}.cap`);
        writeFileSync(file, bytes);
        const pieces: Buffer[] = [];
        for (let o = 0; o < bytes.length; ) {
          const n = 1 + Math.floor(viaStdin() * 3000);
          pieces.push(bytes.subarray(o, o + n));
          o += n;
        }
        const norm = (m: unknown) => JSON.stringify(m).replaceAll(JSON.stringify(file).slice(1, -1), '-');
        const fromFile = await analyze([file]).then(norm, (e: Error) => `error: ${e.message.replaceAll(file, 'standard input')}`);
        const fromStdin = await analyze(['-'], { stdin: Readable.from(pieces) }).then(norm, (e: Error) => `error: ${e.message}`);
        expect(fromStdin, `${name} stdin copy ${i} (${what})`).toBe(fromFile);
      }
      // The damage was mostly survivable: the test is not only feeding files the sniffer refuses.
      expect(ok, `${ok} analyzed, ${refused} refused`).toBeGreaterThan(PER_SOURCE / 3);
    }, 120_000);
  });
});
