import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/capture/errors.js';
import { readCaptures, sniffFormat } from '../../src/capture/index.js';
import { CONFORMANCE, type PacketRecord, record, run, tmp } from './helpers.js';

const BASIC = join(CONFORMANCE, 'zeek/basic.pcap');
const STARTTLS = join(CONFORMANCE, 'zeek/starttls.pcap');

async function readAll(inputs: string[], opts = {}): Promise<PacketRecord[]> {
  const out: PacketRecord[] = [];
  await readCaptures(inputs, (p) => out.push(record(p)), opts);
  return out;
}

async function userError(bytes: Buffer | string): Promise<string> {
  const f = join(tmp(), 'input');
  writeFileSync(f, bytes);
  try {
    await readCaptures([f], () => {});
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).file).toBe(f);
    return (e as Error).message.replace(f, 'FILE');
  }
  throw new Error('no UserError');
}

describe('sniffFormat and the messages for what we do not read', () => {
  it('recognises the formats by magic', () => {
    expect(sniffFormat(readFileSync(BASIC).subarray(0, 64))).toEqual({ format: 'pcap' });
    expect(sniffFormat(readFileSync(join(CONFORMANCE, 'zeek/bdat-cmd-invalid.pcapng')).subarray(0, 64))).toEqual({ format: 'pcapng' });
    expect(sniffFormat(readFileSync(join(CONFORMANCE, 'netmon-twincat/Valid_Test_Data.cap')).subarray(0, 64))).toEqual({ format: 'netmon' });
  });
  it('empty file', async () => {
    expect(await userError(Buffer.alloc(0))).toBe('FILE is empty (0 bytes), not a capture');
  });
  it('gzip inside gzip (gzip itself is read: test/capture/gzip.test.ts)', async () => {
    expect(await userError(gzipSync(gzipSync(readFileSync(BASIC))))).toBe(
      'FILE (inside its gzip compression) is gzip-compressed twice; decompress it once (`gunzip file.gz`), then analyze the result',
    );
  });
  it('snoop (made by editcap)', async () => {
    const d = tmp();
    run('editcap', ['-F', 'snoop', BASIC, join(d, 'x.snoop')]);
    expect(await userError(readFileSync(join(d, 'x.snoop')))).toBe('FILE is a Solaris snoop capture; convert it with `editcap -F pcapng in.snoop out.pcapng`');
  });
  it('ERF (built by hand, confirmed by capinfos)', async () => {
    // ERF type 2 (Ethernet) records: 8-byte time stamp, type, flags, rlen, lctr, wlen, 2 pad bytes, frame.
    const frames = (await readAll([BASIC])).slice(0, 4).map((p) => Buffer.from(p.data, 'hex'));
    const erf = Buffer.concat(
      frames.map((fr, i) => {
        const r = Buffer.alloc(18 + fr.length);
        r.writeUInt32LE(0, 0);
        r.writeUInt32LE(1_600_000_000 + i, 4);
        r[8] = 2;
        r[9] = 0x04; // varying record lengths
        r.writeUInt16BE(r.length, 10);
        r.writeUInt16BE(fr.length, 14);
        fr.copy(r, 18);
        return r;
      }),
    );
    const f = join(tmp(), 'x.erf');
    writeFileSync(f, erf);
    expect(run('capinfos', ['-t', f])).toMatch(/File type:\s+Endace ERF/);
    expect(await userError(erf)).toMatch(/^FILE looks like an Endace ERF capture .*`editcap -F pcapng in\.erf out\.pcapng`$/);
  });
  it("tshark's text output", async () => {
    const text = run('tshark', ['-r', BASIC, '-c', '5']);
    expect(await userError(text)).toMatch(/^FILE looks like tshark's text output, not a capture; save the packets themselves with `tshark -w/);
    const verbose = run('tshark', ['-r', BASIC, '-c', '1', '-V']);
    expect(await userError(verbose)).toMatch(/tshark's text output/);
  });
  it('other text', async () => {
    expect(await userError('Hello, this is a mail log\nline two\n')).toBe('FILE looks like a text file, not a packet capture');
  });
  it('Windows ETL (pktmon)', async () => {
    const etl = Buffer.alloc(8192);
    etl.writeUInt32LE(65536, 0);
    Buffer.from('C:\\Windows\\PktMon.etl', 'utf16le').copy(etl, 0x200);
    expect(await userError(etl)).toMatch(/^FILE looks like a Windows ETW trace .*`pktmon etl2pcap file\.etl/);
  });
  it('NetMon 1.x and unknown binary', async () => {
    expect(await userError(Buffer.concat([Buffer.from('RTSS'), Buffer.alloc(60)]))).toMatch(/^FILE is a Network Monitor 1\.x capture.*`editcap -F pcapng in\.cap out\.pcapng`$/);
    expect(await userError(Buffer.from([0xde, 0xad, 0xbe, 0xef, ...new Array<number>(60).fill(0)]))).toMatch(/^FILE is not a capture file smtpscope reads \(first bytes de ad be ef\)/);
  });
  it('missing file', async () => {
    await expect(readCaptures(['/nonexistent/x.pcap'], () => {})).rejects.toThrow('cannot open /nonexistent/x.pcap: no such file');
  });
  it('a capture damaged before its first packet is a UserError naming the offset', async () => {
    const b = Buffer.from(readFileSync(BASIC).subarray(0, 24 + 16 + 10));
    const f = join(tmp(), 'cut.pcap');
    writeFileSync(f, b);
    const err = await readCaptures([f], () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).offset).toBe(24);
    expect((err as Error).message).toBe(`${f}: file ends in the middle of packet record 1 at offset 24 (26 of ${16 + readFileSync(BASIC).readUInt32LE(24 + 8)} bytes present)`);
  });
});

describe('readCaptures', () => {
  it('numbers frames 1.. across files and returns one summary per input', async () => {
    const a = await readAll([BASIC]);
    const b = await readAll([STARTTLS]);
    const out: PacketRecord[] = [];
    const sums = await readCaptures([BASIC, STARTTLS], (p) => out.push(record(p)));
    expect(out.map((p) => p.frame)).toEqual(Array.from({ length: a.length + b.length }, (_, i) => i + 1));
    expect(out.map((p) => p.data)).toEqual([...a, ...b].map((p) => p.data));
    expect(sums.map((s) => [s.format, s.packets, s.damage])).toEqual([
      ['pcap', a.length, null],
      ['pcap', b.length, null],
    ]);
    expect(sums[0]!.first).toEqual({ sec: a[0]!.sec, nsec: a[0]!.nsec });
  });
  it('a small reused read buffer gives the same packets', async () => {
    const want = await readAll([BASIC]);
    for (const chunkBytes of [1, 7, 100, 1513]) expect(await readAll([BASIC], { chunkBytes })).toEqual(want);
  });
  it("'-' reads a stream of chunks", async () => {
    const buf = readFileSync(BASIC);
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let o = 0; o < buf.length; o += 999) yield buf.subarray(o, o + 999);
    }
    expect(await readAll(['-'], { stdin: chunks() })).toEqual(await readAll([BASIC]));
  });
  it('damage after some packets: summary with damage, packets kept', async () => {
    const buf = readFileSync(BASIC);
    const f = join(tmp(), 'cut.pcap');
    writeFileSync(f, buf.subarray(0, buf.length - 7));
    const out: PacketRecord[] = [];
    const [s] = await readCaptures([f], (p) => out.push(record(p)));
    expect(out.length).toBe((await readAll([BASIC])).length - 1);
    expect(s!.damage?.reason).toMatch(/^file ends in the middle of packet record \d+/);
  });

  describe('the same packets from every format editcap writes', () => {
    for (const src of [BASIC, STARTTLS, join(CONFORMANCE, 'zeek/ipv6-smtp-gmail.pcap')]) {
      it(src.split('/').pop()!, async () => {
        const want = await readAll([src]);
        const d = tmp();
        const strip = (p: PacketRecord): unknown => ({ ...p, fileOffset: 0, nsec: Math.floor(p.nsec / 1000) });
        for (const [fmt, format] of [['pcapng', 'pcapng'], ['nsecpcap', 'pcap'], ['netmon2', 'netmon'], ['pcap', 'pcap']] as const) {
          const f = join(d, `x.${fmt}`);
          run('editcap', ['-F', fmt, src, f]);
          const got: PacketRecord[] = [];
          const [s] = await readCaptures([f], (p) => got.push(record(p)), { chunkBytes: 4093 });
          expect(s!.format).toBe(format);
          expect(got.map(strip)).toEqual(want.map(strip));
        }
      });
    }
  });
});
