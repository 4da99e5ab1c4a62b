/** smtpSessionFrames: the benchmark's unit session, checked with tshark. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smtpSessionFrames, type SynthFrame } from '../../src/synth/index.js';
import { framesToCapture } from '../helpers/dialogue.js';
import { HAVE_TSHARK, tshark, tsharkFollow } from '../helpers/tshark.js';

const dir = mkdtempSync(join(tmpdir(), 'synth-session-'));

describe.skipIf(!HAVE_TSHARK)('smtpSessionFrames', () => {
  for (const bodyBytes of [0, 1, 2, 79, 80, 81, 200_000]) {
    it(`body ${bodyBytes} bytes: a complete, valid delivery`, () => {
      const frames: SynthFrame[] = [];
      const gen = smtpSessionFrames({ client: { ip: '10.1.0.1', port: 40000 }, server: { ip: '10.2.0.1', port: 25 } }, { bodyBytes, recipients: 2, writeBytes: 1000 });
      let r = gen.next();
      while (!r.done) { frames.push(r.value); r = gen.next(); }
      const f = join(dir, `s${bodyBytes}.pcap`);
      writeFileSync(f, framesToCapture(frames, 'pcap', 1));
      const codes = tshark(['-r', f, '-Y', 'smtp.response.code', '-T', 'fields', '-e', 'smtp.response.code']).split('\n').filter(Boolean);
      expect(codes.map((c) => c.split(',')[0])).toEqual(['220', '250', '250', '250', '250', '354', '250', '221']);
      const c2s = tsharkFollow(f, [0])[0]!.fromNode0.toString('latin1');
      const data = c2s.slice(c2s.indexOf('DATA\r\n') + 6, c2s.lastIndexOf('.\r\nQUIT'));
      const headers = 'From: alice@example.org\r\nTo: user0@example.net\r\nSubject: bench\r\n\r\n';
      expect(data.length).toBe(headers.length + Math.max(bodyBytes, bodyBytes === 1 ? 2 : 0));
      expect(data.includes('\r\n.')).toBe(false);
      expect(r.value.sec).toBeGreaterThanOrEqual(frames.at(-1)!.time.sec);
    });
  }
});
