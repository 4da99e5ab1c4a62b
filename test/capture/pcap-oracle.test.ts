import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PcapParser } from '../../src/capture/pcap.js';
import { execFileSync } from 'node:child_process';
import { conformancePcaps, feed } from './helpers.js';

function tsharkError(file: string): string {
  try {
    execFileSync('capinfos', ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    return String((e as { stderr: Buffer }).stderr);
  }
}

const require = createRequire(import.meta.url);
// pcap-parser (npm) is an independent reader of classic µs pcap: our oracle.
const pcapp = require('pcap-parser') as { parse(input: string): NodeJS.EventEmitter };

interface OraclePacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}

function oracle(file: string): Promise<{ sec: number; us: number; incl: number; orig: number; data: string }[]> {
  return new Promise((resolve, reject) => {
    const out: { sec: number; us: number; incl: number; orig: number; data: string }[] = [];
    const p = pcapp.parse(file);
    p.on('packet', (pk: OraclePacket) =>
      out.push({ sec: pk.header.timestampSeconds, us: pk.header.timestampMicroseconds, incl: pk.header.capturedLength, orig: pk.header.originalLength, data: pk.data.toString('hex') }),
    );
    p.on('end', () => resolve(out));
    // A damaged file: what was read before the damage is still the oracle's answer.
    p.on('error', () => resolve(out));
    void reject;
  });
}

const files = conformancePcaps();

describe('pcap reader against pcap-parser on every conformance pcap', () => {
  it('finds the conformance captures', () => {
    expect(files.length).toBeGreaterThan(80);
  });
  for (const file of files) {
    it(file.split('/').slice(-2).join('/'), async () => {
      const want = await oracle(file);
      const buf = readFileSync(file);
      // 4093: a prime chunk size, so records straddle chunk boundaries.
      const { packets, summary } = feed((cb) => new PcapParser(file, cb), buf, Array.from({ length: Math.floor(buf.length / 4093) }, (_, i) => (i + 1) * 4093));
      const got = packets.map((p) => ({ sec: p.sec, us: p.nsec / 1000, incl: p.data.length / 2, orig: p.origLength, data: p.data }));
      expect(summary.packets).toBe(packets.length);
      if (summary.damage === null) {
        expect(got).toEqual(want);
      } else {
        // Damaged capture (smtp-to-comma.pcap): tshark stops at the same record.
        expect(got).toEqual(want.slice(0, got.length));
        const tshark = tsharkError(file);
        expect(tshark).toContain(`after reading ${packets.length} packets`);
      }
    });
  }
});
