import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapParser } from '../../src/capture/pcap.js';
import type { Packet } from '../../src/capture/types.js';
import { BufferSink, PcapWriter } from '../../src/capture/writer.js';
import { CONFORMANCE, ODD_CHUNKS, chunkCuts, epoch, feed, tmp, tsharkFields } from './helpers.js';

const small = readFileSync(join(CONFORMANCE, 'suricata-verify/smtp-quit.pcap'));
const medium = readFileSync(join(CONFORMANCE, 'zeek/basic.pcap'));
const make = (cb: (p: Packet) => void): PcapParser => new PcapParser('t.pcap', cb);

/** A little capture built with our writer: varied lengths (0..300), one truncated packet. */
function built(opts: { endian: 'le' | 'be'; precision: 'us' | 'ns' }): Buffer {
  const sink = new BufferSink();
  const w = new PcapWriter(sink, { linkType: 1, snaplen: 200, ...opts });
  for (let i = 0; i < 12; i++) {
    const data = Buffer.alloc(i * 25, i + 1);
    w.write({ time: { sec: 1_700_000_000 + i, nsec: (i * 123_456_789) % 1e9 }, data, origLength: i === 11 ? 400 : data.length });
  }
  w.close();
  return sink.toBuffer();
}

describe('PcapParser chunking', () => {
  const whole = feed(make, small, []);
  it('reads the small capture whole', () => {
    expect(whole.summary.damage).toBeNull();
    expect(whole.packets.length).toBe(whole.summary.packets);
    expect(whole.packets.length).toBeGreaterThan(3);
  });
  it('gives identical packets split at every offset', () => {
    for (let cut = 1; cut < small.length; cut++) expect(feed(make, small, [cut])).toEqual(whole);
  });
  for (const size of ODD_CHUNKS) {
    it(`gives identical packets in ${size}-byte chunks`, () => {
      expect(feed(make, small, chunkCuts(small.length, size))).toEqual(whole);
      const m = feed(make, medium, []);
      expect(feed(make, medium, chunkCuts(medium.length, size))).toEqual(m);
    });
  }
  it('hands out views of the chunk, not copies, for records inside it', () => {
    const views: boolean[] = [];
    const p = new PcapParser('t', (pk) => views.push(pk.data.buffer === small.buffer));
    p.push(small);
    p.end();
    expect(views.length).toBeGreaterThan(0);
    expect(views.every((v) => v)).toBe(true);
  });
});

describe('PcapParser variants', () => {
  for (const endian of ['le', 'be'] as const) {
    for (const precision of ['us', 'ns'] as const) {
      it(`reads ${precision} ${endian} written by our writer, as tshark does`, () => {
        const buf = built({ endian, precision });
        const { packets, summary } = feed(make, buf, chunkCuts(buf.length, 7));
        expect(summary.damage).toBeNull();
        expect(summary.precision).toBe(precision);
        expect(summary.truncatedPackets).toBe(3); // 225, 250 and 275 bytes exceed snaplen 200
        const f = join(tmp(), 'x.pcap');
        writeFileSync(f, buf);
        const ts = tsharkFields(f);
        expect(ts.length).toBe(12);
        expect(packets.map((p) => [String(p.origLength), String(p.data.length / 2), epoch(p.sec, p.nsec)])).toEqual(ts);
      });
    }
  }
});

describe('PcapParser damage', () => {
  const whole = feed(make, medium, []);
  const offsets = whole.packets.map((p) => p.fileOffset);
  it('keeps the packets before a cut inside packet data and names the record and offset', () => {
    const k = 5;
    const start = offsets[k] as number; // record k+1
    const cutAt = start + 16 + 3;
    for (const size of [1, 13, 4096, cutAt]) {
      const { packets, summary } = feed(make, medium.subarray(0, cutAt), chunkCuts(cutAt, size));
      expect(packets).toEqual(whole.packets.slice(0, k));
      expect(summary.damage).toEqual({
        file: 't.pcap',
        offset: start,
        block: `packet record ${k + 1}`,
        reason: `file ends in the middle of packet record ${k + 1} at offset ${start} (19 of ${16 + whole.packets[k]!.data.length / 2} bytes present)`,
      });
    }
  });
  it('reports a cut inside a record header', () => {
    const start = offsets[2] as number;
    const { packets, summary } = feed(make, medium.subarray(0, start + 5), []);
    expect(packets.length).toBe(2);
    expect(summary.damage?.offset).toBe(start);
    expect(summary.damage?.reason).toMatch(/^file ends in the middle of packet record 3 at offset \d+ \(5 of at least 16 bytes present\)$/);
  });
  it('stops at an absurd captured length', () => {
    const bad = Buffer.from(medium);
    const start = offsets[7] as number;
    bad.writeUInt32LE(0x00ffffff, start + 8);
    const { packets, summary } = feed(make, bad, chunkCuts(bad.length, 1000));
    expect(packets).toEqual(whole.packets.slice(0, 7));
    expect(summary.damage?.block).toBe('packet record 8');
    expect(summary.damage?.offset).toBe(start);
    expect(summary.damage?.reason).toContain('claims 16777215 captured bytes');
  });
  it('a file that is only a header has no packets and no damage', () => {
    const { packets, summary } = feed(make, medium.subarray(0, 24), []);
    expect(packets).toEqual([]);
    expect(summary.damage).toBeNull();
    expect(summary.linkTypes).toEqual([1]);
  });
});

describe('PcapWriter to a file', () => {
  it('streams records to a file that capinfos and tshark read', async () => {
    const { fileSink } = await import('../../src/capture/writer.js');
    const f = join(tmp(), 'live.pcap');
    const w = new PcapWriter(fileSink(f), { linkType: 1, precision: 'ns', endian: 'be' });
    const src = feed(make, medium, []).packets;
    for (const p of src) w.write({ time: { sec: p.sec, nsec: p.nsec }, data: Buffer.from(p.data, 'hex'), origLength: p.origLength });
    w.close();
    expect(tsharkFields(f).map((r) => r[2])).toEqual(src.map((p) => epoch(p.sec, p.nsec)));
    expect(feed(make, readFileSync(f), []).packets.map((p) => p.data)).toEqual(src.map((p) => p.data));
  });
});
