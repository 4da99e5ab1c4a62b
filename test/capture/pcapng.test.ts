import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapngParser } from '../../src/capture/pcapng.js';
import type { Packet } from '../../src/capture/types.js';
import { BufferSink, PcapngWriter, type PcapngInterface } from '../../src/capture/writer.js';
import { CONFORMANCE, ODD_CHUNKS, chunkCuts, epoch, feed, run, tmp, tsharkFields } from './helpers.js';

const make = (cb: (p: Packet) => void): PcapngParser => new PcapngParser('t.pcapng', cb);

/** A raw block in the given byte order, body padded to 4 (pcapng §3.1). */
function rawBlock(le: boolean, type: number, body: Buffer): Buffer {
  const len = 12 + ((body.length + 3) & ~3);
  const b = Buffer.alloc(len);
  const w = (v: number, o: number): number => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  w(type, 0);
  w(len, 4);
  body.copy(b, 8);
  w(len, len - 4);
  return b;
}

function u32s(le: boolean, ...vs: number[]): Buffer {
  const b = Buffer.alloc(vs.length * 4);
  vs.forEach((v, i) => (le ? b.writeUInt32LE(v, i * 4) : b.writeUInt32BE(v, i * 4)));
  return b;
}

function section(endian: 'le' | 'be', interfaces: PcapngInterface[], packets: [number, number, number, number][], extra: Buffer[] = []): Buffer {
  const sink = new BufferSink();
  const w = new PcapngWriter(sink, { endian, interfaces, comment: `section ${endian}` });
  for (const [iface, sec, nsec, len] of packets) w.write({ time: { sec, nsec }, data: Buffer.alloc(len, len & 0xff) }, iface);
  w.close();
  return Buffer.concat([sink.toBuffer(), ...extra]);
}

/** 1_700_000_003 s in ms units of an interface whose if_tsoffset is 100 s. */
const MS = 1_700_000_003_000 - 100_000;

/** Two sections of different byte order, interfaces of different link types and resolutions, SPB, PB, an unknown block. */
function twoSections(): Buffer {
  const a = section(
    'le',
    [{ linkType: 1, tsresol: 9 }, { linkType: 113, tsresol: 3, tsoffset: 100 }],
    [[0, 1_700_000_000, 123_456_789, 60], [1, 1_700_000_001, 5_000_000, 33], [0, 1_700_000_002, 1, 1514]],
    [
      rawBlock(true, 0x00001234, Buffer.from('unknown block, skipped by its length')),
      // A custom block (§4.8): no packet, but Wireshark gives it frame number 4.
      rawBlock(true, 0x00000bad, Buffer.concat([u32s(true, 32473), Buffer.from('custom')])),
      // Obsolete Packet Block (type 2) on interface 1: ifid u16, drops u16, ts, caplen, origlen, data.
      rawBlock(true, 2, Buffer.concat([Buffer.from([1, 0, 0, 0]), u32s(true, Math.floor(MS / 2 ** 32), MS % 2 ** 32, 4, 10), Buffer.from('abcd')])),
    ],
  );
  const b = section(
    'be',
    [{ linkType: 101, tsresol: 0x80 | 20, snaplen: 64 }, { linkType: 1, tsresol: 6 }],
    [[1, 1_700_000_010, 999_999_000, 74], [0, 1_700_000_011, 500_000_000, 100]],
    // Simple Packet Block: original length 100, data padded; captured = min(100, snaplen 64, room).
    [rawBlock(false, 3, Buffer.concat([u32s(false, 100), Buffer.alloc(64, 7)]))],
  );
  return Buffer.concat([a, b]);
}

describe('PcapngParser', () => {
  const buf = twoSections();
  const whole = feed(make, buf, []);

  it('reads two sections of different byte order with their own interfaces, as tshark does', () => {
    expect(whole.summary.damage).toBeNull();
    expect(whole.packets.map((p) => p.linkType)).toEqual([1, 113, 1, 113, 1, 101, 101]);
    expect(whole.summary.linkTypes).toEqual([1, 113, 101]);
    expect(whole.summary.precision).toBe('ns');
    const f = join(tmp(), 'two.pcapng');
    writeFileSync(f, buf);
    const ts = tsharkFields(f);
    expect(ts[3]).toEqual(['8', '8', '']); // the custom block: 'custom' padded to 8
    ts.splice(3, 1);
    expect(ts[6]).toEqual(['100', '64', '']); // SPB: no time stamp; we carry the previous packet's
    ts[6] = ['100', '64', '1700000011.500000000'];
    expect(whole.packets.map((p) => [String(p.origLength), String(p.data.length / 2), epoch(p.sec, p.nsec)])).toEqual(ts);
    expect(whole.packets.map((p) => p.frame)).toEqual([1, 2, 3, 5, 6, 7, 8]);
    // The 2^-20 interface keeps ~µs: .5 s exactly, and tsoffset shifted the ms interface by 100 s.
    expect(whole.packets[6]).toMatchObject({ sec: 1_700_000_011, nsec: 500_000_000, origLength: 100 });
    expect(whole.packets[6]!.data.length / 2).toBe(64);
    expect(whole.packets[1]).toMatchObject({ sec: 1_700_000_001, nsec: 5_000_000 });
    expect(whole.packets[3]).toMatchObject({ sec: 1_700_000_003, nsec: 0, data: '61626364' });
  });

  it('gives identical packets split at every offset', () => {
    for (let cut = 1; cut < buf.length; cut++) expect(feed(make, buf, [cut])).toEqual(whole);
  });
  for (const size of ODD_CHUNKS) {
    it(`gives identical packets in ${size}-byte chunks`, () => {
      expect(feed(make, buf, chunkCuts(buf.length, size))).toEqual(whole);
    });
  }

  it('reads the conformance pcapng files as tshark does', () => {
    for (const f of ['zeek/bdat-cmd-invalid.pcapng', 'wireshark-notes/smtp-ssl.pcapng', 'wireshark-notes/smtp2525-ssl.pcapng']) {
      const file = join(CONFORMANCE, f);
      const data = readFileSync(file);
      const r = feed(make, data, chunkCuts(data.length, 333));
      expect(r.summary.damage).toBeNull();
      expect(r.packets.map((p) => [String(p.origLength), String(p.data.length / 2), epoch(p.sec, p.nsec)])).toEqual(tsharkFields(file));
    }
  });

  it('our writer output is read by capinfos', () => {
    const f = join(tmp(), 'w.pcapng');
    writeFileSync(f, section('le', [{ linkType: 1, tsresol: 9 }], [[0, 1_600_000_000, 5, 60], [0, 1_600_000_001, 7, 70]]));
    const out = run('capinfos', ['-c', '-T', '-m', '-r', f]);
    expect(out.trim().split(',').slice(-1)).toEqual(['2']);
  });

  describe('damage', () => {
    const offsets = whole.packets.map((p) => p.fileOffset);
    it('a trailing length that differs from the leading one', () => {
      const bad = Buffer.from(buf);
      const at = offsets[2] as number;
      const len = bad.readUInt32LE(at + 4);
      bad.writeUInt32LE(len + 4, at + len - 4);
      const r = feed(make, bad, chunkCuts(bad.length, 5));
      expect(r.packets).toEqual(whole.packets.slice(0, 2));
      expect(r.summary.damage).toMatchObject({ offset: at, block: 'pcapng block 0x00000006 #6' });
      expect(r.summary.damage?.reason).toContain(`trailing block length ${len + 4} differs from the leading ${len}`);
    });
    it('a block length that is not a multiple of 4', () => {
      const bad = Buffer.from(buf);
      const at = offsets[1] as number;
      bad.writeUInt32LE(bad.readUInt32LE(at + 4) + 1, at + 4);
      const r = feed(make, bad, []);
      expect(r.packets.length).toBe(1);
      expect(r.summary.damage?.offset).toBe(at);
      expect(r.summary.damage?.reason).toContain('impossible length');
    });
    it('a packet naming an interface the section does not have', () => {
      const bad = Buffer.from(buf);
      const at = offsets[0] as number;
      bad.writeUInt32LE(5, at + 8);
      const r = feed(make, bad, []);
      expect(r.packets).toEqual([]);
      expect(r.summary.damage?.reason).toContain('packet names interface 5, but the section has 2 interface(s)');
    });
    it('a file cut in the middle of a block', () => {
      const at = offsets[4] as number;
      const r = feed(make, buf.subarray(0, at + 30), chunkCuts(at + 30, 7));
      expect(r.packets).toEqual(whole.packets.slice(0, 4));
      expect(r.summary.damage?.offset).toBe(at);
      expect(r.summary.damage?.reason).toMatch(/^file ends in the middle of pcapng block 0x00000006 #\d+ at offset \d+/);
    });
  });
});
