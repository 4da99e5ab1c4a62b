import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/decode/types.js';
import { run, toSegments } from './helpers.js';
import { NUMBERING_CASES } from './numbering-cases.js';

/** Classic pcap (LINKTYPE_ETHERNET) of Ethernet/IPv4/TCP frames; checksums left 0 (tshark does not check them by default). */
function pcapOf(segs: Segment[]): Buffer {
  const parts: Buffer[] = [];
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(65535, 16);
  gh.writeUInt32LE(1, 20);
  parts.push(gh);
  for (const s of segs) {
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(s.srcPort, 0);
    tcp.writeUInt16BE(s.dstPort, 2);
    tcp.writeUInt32BE(s.seq, 4);
    tcp.writeUInt32BE(s.ack, 8);
    tcp[12] = 5 << 4;
    tcp[13] = s.flags;
    tcp.writeUInt16BE(s.window, 14);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(40 + s.payload.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    s.src.copy(ip, 12);
    s.dst.copy(ip, 16);
    const eth = Buffer.from([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00]);
    const frame = Buffer.concat([eth, ip, tcp, s.payload]);
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(s.time.sec, 0);
    rh.writeUInt32LE(frame.length, 8);
    rh.writeUInt32LE(frame.length, 12);
    parts.push(rh, frame);
  }
  return Buffer.concat(parts);
}

function tsharkAvailable(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** tcp.stream of each open/first-packet, per frame, as our flow table numbers them. */
function ourStreams(steps: (typeof NUMBERING_CASES)[number]['steps']): number[] {
  const segs = toSegments(steps);
  const perFrame: number[] = [];
  // Each segment belongs to the flow whose event it produced or, silently, to the entry it hit:
  // read it back from the table's flows/tombstones through the events of a per-frame run.
  const r = run(steps, {}, false);
  const streamOf = new Map<string, number>();
  let f = 0;
  for (const s of segs) {
    f++;
    // The last 'open' at or before this frame for this 4-tuple decides its stream.
    const k = `${s.src.join('.')}:${s.srcPort}-${s.dst.join('.')}:${s.dstPort}`;
    const rk = `${s.dst.join('.')}:${s.dstPort}-${s.src.join('.')}:${s.srcPort}`;
    for (const e of r.raw) {
      if (e.type === 'open' && e.frame === f) {
        streamOf.set(k, e.flow.tcpStream);
        streamOf.set(rk, e.flow.tcpStream);
      }
    }
    perFrame.push(streamOf.get(k)!);
  }
  return perFrame;
}

describe('tcp.stream numbering matches Wireshark 4.0', () => {
  for (const c of NUMBERING_CASES) {
    it(c.name, () => {
      expect(ourStreams(c.steps)).toEqual(c.tshark);
    });
  }

  it.skipIf(!tsharkAvailable())('the recorded expectations are what tshark says now', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcp-numbering-'));
    for (const [i, c] of NUMBERING_CASES.entries()) {
      const file = join(dir, `case${i}.pcap`);
      writeFileSync(file, pcapOf(toSegments(c.steps)));
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const got = out.trim().split('\n').map(Number);
      expect({ name: c.name, streams: got }).toEqual({ name: c.name, streams: c.tshark });
    }
  });
});
