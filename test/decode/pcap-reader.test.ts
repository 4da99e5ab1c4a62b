import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPcap, writePcap } from './helpers/pcap-reader.js';

/** The test helper reader must itself be right, or the differential proves nothing. */
describe('test helper: classic pcap reader', () => {
  const frames = [Buffer.from('aabbcc', 'hex'), Buffer.alloc(70, 7), Buffer.alloc(0)];
  const le = writePcap(228, frames);

  /** The same file with every header field written big-endian. */
  function toBigEndian(file: Buffer): Buffer {
    const out = Buffer.from(file);
    out.writeUInt32BE(file.readUInt32LE(0), 0);
    out.writeUInt16BE(file.readUInt16LE(4), 4);
    out.writeUInt16BE(file.readUInt16LE(6), 6);
    for (const o of [8, 12, 16, 20]) out.writeUInt32BE(file.readUInt32LE(o), o);
    for (let off = 24; off < file.length; off += 16 + file.readUInt32LE(off + 8)) {
      for (let k = 0; k < 16; k += 4) out.writeUInt32BE(file.readUInt32LE(off + k), off + k);
    }
    return out;
  }

  it('reads µs little-endian and big-endian files identically', () => {
    const a = readPcap(le);
    const b = readPcap(toBigEndian(le));
    expect(a.linkType).toBe(228);
    expect(a.packets.map((p) => p.data.toString('hex'))).toEqual(frames.map((f) => f.toString('hex')));
    expect(b).toEqual(a);
    expect(a.damaged).toBe(false);
  });

  it('reads nanosecond files (editcap -F nsecpcap) with the same times', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcap-reader-'));
    writeFileSync(join(dir, 'us.pcap'), le);
    execFileSync('editcap', ['-F', 'nsecpcap', join(dir, 'us.pcap'), join(dir, 'ns.pcap')]);
    const ns = readFileSync(join(dir, 'ns.pcap'));
    expect(ns.readUInt32LE(0)).toBe(0xa1b23c4d);
    const a = readPcap(le);
    const b = readPcap(ns);
    expect(b.packets.map((p) => [p.time, p.data.toString('hex')])).toEqual(a.packets.map((p) => [p.time, p.data.toString('hex')]));
  });

  it('stops at a record cut short and says the file is damaged', () => {
    const r = readPcap(le.subarray(0, le.length - 60));
    expect(r.packets).toHaveLength(1);
    expect(r.damaged).toBe(true);
  });
});
