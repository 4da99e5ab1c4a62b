import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/capture/errors.js';
import { readCaptures } from '../../src/capture/index.js';
import { bufferSource, readNetmon } from '../../src/capture/netmon.js';
import type { CaptureSummary } from '../../src/capture/types.js';
import { BufferSink, PcapngWriter } from '../../src/capture/writer.js';
import { CONFORMANCE, type PacketRecord, epoch, record, run, tmp, tsharkFields } from './helpers.js';

const DIR = join(CONFORMANCE, 'netmon-twincat');

async function readBuf(buf: Buffer, windowBytes?: number): Promise<{ packets: PacketRecord[]; summary: CaptureSummary }> {
  const packets: PacketRecord[] = [];
  const summary = await readNetmon(bufferSource(buf), 'x.cap', (p) => packets.push(record(p)), windowBytes === undefined ? {} : { windowBytes });
  return { packets, summary };
}

function durationSec(s: CaptureSummary): string {
  const ns = BigInt(s.last!.sec - s.first!.sec) * 1_000_000_000n + BigInt(s.last!.nsec - s.first!.nsec);
  return `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

describe('NetMon 2.x (TwinCAT conformance files)', () => {
  const valid = readFileSync(join(DIR, 'Valid_Test_Data.cap'));

  it('Valid_Test_Data.cap: 710 frames, 255.755137 s, times and lengths as tshark', async () => {
    const { packets, summary } = await readBuf(valid);
    expect(summary.damage).toBeNull();
    expect(summary.packets).toBe(710);
    expect(durationSec(summary)).toBe('255.755137000');
    expect(summary.linkTypes).toEqual([1]);
    expect(summary.variant).toBe('NetMon 2.0');
    const ts = tsharkFields(join(DIR, 'Valid_Test_Data.cap'));
    expect(packets.map((p) => [String(p.origLength), String(p.data.length / 2), epoch(p.sec, p.nsec)])).toEqual(ts);
  });

  it('reads frames through the frame table: same bytes, another table gives Valid_ReadRequest.cap 2 frames', async () => {
    const { packets, summary } = await readBuf(readFileSync(join(DIR, 'Valid_ReadRequest.cap')));
    expect(summary.packets).toBe(2);
    expect(durationSec(summary)).toBe('0.030385000');
    expect(packets.map((p) => p.data.length / 2).reduce((a, b) => a + b)).toBe(132);
  });

  it('gives identical packets with small read windows (frames straddle every window edge)', async () => {
    const whole = await readBuf(valid);
    for (const w of [16, 17, 61, 100, 1000, 4099]) expect(await readBuf(valid, w)).toEqual(whole);
  });

  it('Invalid_Header_GMBU.cap is not a capture we read (clear UserError)', async () => {
    const f = join(DIR, 'Invalid_Header_GMBU.cap');
    await expect(readCaptures([f], () => {})).rejects.toThrow(UserError);
    await expect(readCaptures([f], () => {})).rejects.toThrow(/is not a capture file smtpscope reads \(first bytes 47 4d 42 56\)/);
  });

  it('Invalid_Header_Version.cap names the unsupported version', async () => {
    const f = join(DIR, 'Invalid_Header_Version.cap');
    await expect(readCaptures([f], () => {})).rejects.toThrow(/Network Monitor capture whose header says version 3\.0; only version 2\.x/);
  });

  it('damage: a frame table entry past the end of file, after some frames', async () => {
    const bad = Buffer.from(valid);
    const table = bad.readUInt32LE(24);
    bad.writeUInt32LE(0x7fffffff, table + 4 * 9);
    const { packets, summary } = await readBuf(bad);
    expect(packets.length).toBe(9);
    expect(summary.damage).toMatchObject({ block: 'frame 10', offset: 0x7fffffff });
  });

  it('damage: a frame whose data runs past the end of the file', async () => {
    const whole = await readBuf(valid);
    const table = valid.readUInt32LE(24);
    // A file whose last 20 bytes are frame 21's header and 4 of its 60 data bytes.
    const f = Buffer.concat([valid.subarray(0, table + 710 * 4), Buffer.alloc(20)]);
    const at = f.length - 20;
    f.writeUInt32LE(at, table + 20 * 4);
    f.writeUInt32LE(60, at + 8);
    f.writeUInt32LE(60, at + 12);
    const { packets, summary } = await readBuf(f, 512);
    expect(packets).toEqual(whole.packets.slice(0, 20));
    expect(summary.damage).toEqual({ file: 'x.cap', offset: at, block: 'frame 21', reason: `file ends in the middle of frame 21 at offset ${at} (needs 76 bytes)` });
  });
});

describe('NetMon 2.x without a usable frame table: frames read in file order', () => {
  // Network Monitor writes the table when the capture stops: a capture copied while it runs, or cut, has none.
  const valid = readFileSync(join(DIR, 'Valid_Test_Data.cap'));
  const editcapMade = (() => {
    const d = tmp();
    run('editcap', ['-F', 'netmon2', join(CONFORMANCE, 'zeek/starttls.pcap'), join(d, 'x.cap')]);
    return readFileSync(join(d, 'x.cap'));
  })();

  for (const [name, file] of [
    ['TwinCAT NetMon 2.0', valid],
    ['editcap NetMon 2.0', editcapMade],
  ] as const) {
    it(`${name}: the table cut off, or absent from the header: every frame, in order, and the damage said`, async () => {
      const whole = await readBuf(file);
      expect(whole.summary.damage).toBeNull();
      const tableOff = file.readUInt32LE(24);
      const cut = file.subarray(0, tableOff);
      const a = await readBuf(cut, 333);
      expect(a.packets).toEqual(whole.packets);
      expect(a.summary.damage).toEqual({
        file: 'x.cap',
        offset: tableOff,
        block: 'frame table',
        reason: `frame table (offset ${tableOff}, ${file.readUInt32LE(28)} bytes) runs past the end of the file (${tableOff} bytes); ${whole.packets.length} frame(s) read in file order instead`,
      });
      const none = Buffer.from(file);
      none.writeUInt32LE(0, 24);
      none.writeUInt32LE(0, 28);
      const b = await readBuf(none);
      expect(b.packets).toEqual(whole.packets);
      // The old table's bytes are still at the end: the walk stops there, after every frame.
      expect(b.summary.damage!.reason.startsWith(`the file has no frame table (Network Monitor writes it when the capture stops); ${whole.packets.length} frame(s) read in file order instead`)).toBe(true);
    });
  }

  it('a copy cut in the middle of a frame: the frames before it, and where it stops', async () => {
    const whole = await readBuf(valid);
    const frame11 = valid.readUInt32LE(valid.readUInt32LE(24) + 10 * 4);
    const cut = valid.subarray(0, frame11 + 20);
    const { packets, summary } = await readBuf(cut);
    expect(packets).toEqual(whole.packets.slice(0, 10));
    expect(summary.damage!.reason).toMatch(new RegExp(`; 10 frame\\(s\\) read in file order instead; the file ends in the middle of frame 11 at offset ${frame11} \\(needs \\d+ bytes\\)$`));
  });

  it('a table whose first entry is wrong is not trusted; one wrong later is damage there (frames before it kept)', async () => {
    const whole = await readBuf(valid);
    const bad = Buffer.from(valid);
    bad.writeUInt32LE(0x7fffffff, bad.readUInt32LE(24));
    const { packets, summary } = await readBuf(bad);
    expect(packets).toEqual(whole.packets);
    expect(summary.damage!.reason).toMatch(/^frame table entry 1 points to offset 2147483647, past the end of the file \(\d+ bytes\); 710 frame\(s\) read in file order instead$/);
  });

  it('through readCaptures and the CLI path: analyzed, exit 0, damage reported', async () => {
    const d = tmp();
    const f = join(d, 'running.cap');
    writeFileSync(f, valid.subarray(0, valid.readUInt32LE(24)));
    const [s] = await readCaptures([f], () => {});
    expect(s!.packets).toBe(710);
    expect(s!.damage!.block).toBe('frame table');
  });
});

describe('NetMon 2.x written by editcap', () => {
  it('editcap -F netmon2 of a pcap gives the same packets (time at µs)', async () => {
    const src = join(CONFORMANCE, 'zeek/starttls.pcap');
    const d = tmp();
    const cap = join(d, 'x.cap');
    run('editcap', ['-F', 'netmon2', src, cap]);
    const a: PacketRecord[] = [];
    const b: PacketRecord[] = [];
    await readCaptures([src], (p) => a.push(record(p)));
    const [s] = await readCaptures([cap], (p) => b.push(record(p)));
    expect(s!.format).toBe('netmon');
    const strip = (p: PacketRecord): unknown => ({ ...p, fileOffset: 0, nsec: Math.floor(p.nsec / 1000) });
    expect(b.length).toBeGreaterThan(10);
    expect(b.map(strip)).toEqual(a.map(strip));
  });

  it('mixed media types travel in the 2.1 per-frame trailer', async () => {
    // editcap writes NetMon 2.1 with per-frame media types when link types differ.
    const sink = new BufferSink();
    const w = new PcapngWriter(sink, { interfaces: [{ linkType: 1 }, { linkType: 6 }] });
    for (let i = 0; i < 4; i++) w.write({ time: { sec: 1_600_000_000 + i, nsec: i * 1000 }, data: Buffer.alloc(60 + i, i) }, i % 2);
    const d = tmp();
    writeFileSync(join(d, 'mixed.pcapng'), sink.toBuffer());
    run('editcap', ['-F', 'netmon2', join(d, 'mixed.pcapng'), join(d, 'mixed.cap')]);
    const { packets, summary } = await readBuf(readFileSync(join(d, 'mixed.cap')), 70);
    expect(summary.variant).toMatch(/^NetMon 2\.[1-9]/);
    expect(summary.damage).toBeNull();
    expect(packets.map((p) => [p.linkType, p.data.length / 2, p.sec])).toEqual([
      [1, 60, 1_600_000_000],
      [6, 61, 1_600_000_001],
      [1, 62, 1_600_000_002],
      [6, 63, 1_600_000_003],
    ]);
    expect(packets.map((p) => [String(p.origLength), String(p.data.length / 2), epoch(p.sec, p.nsec)])).toEqual(tsharkFields(join(d, 'mixed.cap')));
  });

  it('from standard input (spooled to a temporary file)', async () => {
    const f = join(DIR, 'Valid_Test_Data.cap');
    const buf = readFileSync(f);
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let o = 0; o < buf.length; o += 1000) yield buf.subarray(o, o + 1000);
    }
    const a: PacketRecord[] = [];
    const b: PacketRecord[] = [];
    await readCaptures([f], (p) => a.push(record(p)));
    const [s] = await readCaptures(['-'], (p) => b.push(record(p)), { stdin: chunks() });
    expect(s!.file).toBe('-');
    expect(b).toEqual(a);
  });
});
