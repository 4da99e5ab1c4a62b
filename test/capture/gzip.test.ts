/**
 * Compressed captures (src/capture/compressed.ts): gzip is read as it is, as Wireshark
 * does, from a file or standard input, with the same packets as the plain capture; a
 * gzip stream cut short is analyzed up to the cut and reported; other compressors get
 * the command that unpacks them. The .gz files are made by the gzip program (an
 * independent writer) as well as by node:zlib.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/capture/errors.js';
import { orderByFirstPacket, readCaptures, sniffFormat } from '../../src/capture/index.js';
import type { CaptureSummary } from '../../src/capture/types.js';
import { CONFORMANCE, type PacketRecord, record, tmp } from './helpers.js';

const PLAIN = [
  join(CONFORMANCE, 'zeek/basic.pcap'),
  join(CONFORMANCE, 'zeek/bdat-cmd-invalid.pcapng'),
  join(CONFORMANCE, 'netmon-twincat/Valid_Test_Data.cap'),
];
const HAVE_GZIP = spawnSync('sh', ['-c', 'command -v gzip'], { encoding: 'utf8' }).stdout.trim() !== '';

async function read(inputs: string[], opts: Parameters<typeof readCaptures>[2] = {}): Promise<{ packets: PacketRecord[]; summaries: CaptureSummary[] }> {
  const packets: PacketRecord[] = [];
  const summaries = await readCaptures(inputs, (p) => packets.push(record(p)), { chunkBytes: 4096, ...opts });
  return { packets, summaries };
}

function gz(bytes: Buffer, name: string, tool: 'gzip' | 'zlib'): string {
  const f = join(tmp(), name);
  writeFileSync(f, tool === 'zlib' ? gzipSync(bytes) : execFileSync('gzip', ['-c', '-9'], { input: bytes, maxBuffer: 1 << 28 }));
  return f;
}

describe('gzip-compressed captures', () => {
  for (const plain of PLAIN) {
    for (const tool of ['gzip', 'zlib'] as const) {
      it.skipIf(tool === 'gzip' && !HAVE_GZIP)(`${plain.split('/').pop()} compressed by ${tool}: the same packets, said to be compressed`, async () => {
        const want = await read([plain]);
        expect(want.packets.length).toBeGreaterThan(0);
        const f = gz(readFileSync(plain), 'c.gz', tool);
        const got = await read([f]);
        expect(got.packets).toEqual(want.packets);
        const { file: _a, variant, ...rest } = got.summaries[0]!;
        const { file: _b, variant: plainVariant, ...plainRest } = want.summaries[0]!;
        expect(rest).toEqual(plainRest);
        expect(variant).toBe(`${plainVariant}, gzip-compressed`);
      });
    }
  }

  it('from standard input, and as several gzip members in a row (cat a.gz b.gz), like gunzip', async () => {
    const bytes = readFileSync(PLAIN[0]!);
    const want = await read([PLAIN[0]!]);
    const members = Buffer.concat([gzipSync(bytes.subarray(0, 1000)), gzipSync(bytes.subarray(1000, 5000)), gzipSync(bytes.subarray(5000))]);
    const stdin = Readable.from([members.subarray(0, 7), members.subarray(7)]);
    expect((await read(['-'], { stdin })).packets).toEqual(want.packets);
    const f = join(tmp(), 'members.gz');
    writeFileSync(f, members);
    expect((await read([f])).packets).toEqual(want.packets);
  });

  it('progress is counted in file bytes, up to the compressed size', async () => {
    const f = gz(readFileSync(PLAIN[0]!), 'p.gz', 'zlib');
    const seen: number[] = [];
    await read([f], { onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(readFileSync(f).length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('a gzip file cut short: the packets before the cut, and damage at the compressed offset', async () => {
    const whole = gzipSync(readFileSync(PLAIN[0]!));
    const f = join(tmp(), 'cut.gz');
    writeFileSync(f, whole.subarray(0, Math.floor(whole.length / 2)));
    const all = await read([PLAIN[0]!]);
    const got = await read([f]);
    expect(got.packets.length).toBeGreaterThan(0);
    expect(got.packets.length).toBeLessThan(all.packets.length);
    expect(got.packets).toEqual(all.packets.slice(0, got.packets.length));
    expect(got.summaries[0]!.damage).toEqual({
      file: f,
      offset: Math.floor(whole.length / 2),
      block: 'gzip stream',
      reason: `the gzip data ends early (the file was cut, or copied while still being written); nothing after compressed byte ${Math.floor(whole.length / 2)} could be read`,
    });
  });

  it('damage found late (a wrong CRC in the trailer): what came before is read, the damage reported', async () => {
    // Level 0 (stored blocks): 1 MB compressed, so the reader's 16 KiB writes into zlib matter.
    const plainFile = join(import.meta.dirname, '../../fixtures/captures/real/postfix-1mb.pcap');
    const all = await read([plainFile]);
    const z = gzipSync(readFileSync(plainFile), { level: 0 });
    z[z.length - 8] = (z[z.length - 8] as number) ^ 0xff; // CRC32 (RFC 1952 §2.3.1)
    const f = join(tmp(), 'crc.gz');
    writeFileSync(f, z);
    const got = await read([f]);
    expect(got.packets).toEqual(all.packets.slice(0, got.packets.length));
    // At most the last write into zlib (64 KiB) is lost, and the packet it cut through.
    const lost = all.packets.slice(got.packets.length).reduce((n, p) => n + p.data.length / 2, 0);
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThan(64 * 1024 + 65_536);
    expect(got.summaries[0]!.damage).toMatchObject({ file: f, block: 'gzip stream', offset: z.length });
    expect(got.summaries[0]!.damage!.reason).toMatch(/^the gzip data is corrupt \(incorrect data check\)/);
  });

  it('cut before any packet, or corrupt from the start: one-line error naming the file', async () => {
    const whole = gzipSync(readFileSync(PLAIN[0]!));
    const f = join(tmp(), 'short.gz');
    writeFileSync(f, whole.subarray(0, 12));
    await expect(readCaptures([f], () => {})).rejects.toThrow(new UserError(f, 12, `${f}: the gzip data ends early (the file was cut, or copied while still being written) (at or before compressed byte 12)`));
    const bad = Buffer.from(whole);
    bad.fill(0xff, 10, 40); // the deflate data itself
    const g = join(tmp(), 'bad.gz');
    writeFileSync(g, bad);
    await expect(readCaptures([g], () => {})).rejects.toThrow(/bad\.gz: the gzip data is corrupt \(.+\) \(at or before compressed byte \d+\)$/);
  });

  it('a gzip that holds no capture says so', async () => {
    const f = join(tmp(), 'text.gz');
    writeFileSync(f, gzipSync('Hello, this is a mail log\nline two\n'));
    await expect(readCaptures([f], () => {})).rejects.toThrow(`${f} (inside its gzip compression) looks like a text file, not a packet capture`);
  });

  it('rotated captures gzip-compressed one by one are still read in time order', async () => {
    const bytes = readFileSync(PLAIN[0]!);
    const d = tmp();
    // Two files whose names sort against their time order.
    const later = join(d, 'capture_2.pcap.gz');
    const earlier = join(d, 'capture_10.pcap.gz');
    const all = await read([PLAIN[0]!]);
    expect(all.packets.length).toBeGreaterThan(3);
    // Split at a record boundary: pcap header + the first N records, then the header + the rest.
    const header = bytes.subarray(0, 24);
    let pos = 24;
    for (let i = 0; i < 3; i++) pos += 16 + bytes.readUInt32LE(pos + 8);
    writeFileSync(earlier, gzipSync(bytes.subarray(0, pos)));
    writeFileSync(later, gzipSync(Buffer.concat([header, bytes.subarray(pos)])));
    expect(await orderByFirstPacket([later, earlier])).toEqual([earlier, later]);
  });
});

describe('compressors we do not read: the command that unpacks them', () => {
  const cases: [string, number[], RegExp][] = [
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0x24], /^is zstd-compressed; decompress it first \(`zstd -d file\.zst`, or `zstdcat file\.zst \| smtpscope analyze -`\)$/],
    ['lz4', [0x04, 0x22, 0x4d, 0x18, 0x64], /^is lz4-compressed; decompress it first \(`lz4 -d/],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00], /^is xz-compressed; decompress it first \(`xz -d/],
    ['bzip2', [0x42, 0x5a, 0x68, 0x39, 0x31], /^is bzip2-compressed; decompress it first \(`bunzip2/],
    ['zip', [0x50, 0x4b, 0x03, 0x04, 0x14], /^is a zip archive; unpack it first \(`unzip file\.zip`, then analyze the capture inside\)$/],
    ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00], /^is a 7-Zip archive; unpack it first/],
  ];
  for (const [name, magic, message] of cases) {
    it(name, () => {
      const b = Buffer.concat([Buffer.from(magic), Buffer.alloc(64, 0x5a)]);
      const r = sniffFormat(b);
      expect('error' in r && r.error).toMatch(message);
    });
  }

  const ZSTD = spawnSync('sh', ['-c', 'command -v zstd'], { encoding: 'utf8' }).stdout.trim();
  it.skipIf(ZSTD === '')('a file made by the zstd program', async () => {
    const f = join(tmp(), 'c.pcap.zst');
    execFileSync(ZSTD, ['-q', '-f', PLAIN[0]!, '-o', f]);
    await expect(readCaptures([f], () => {})).rejects.toThrow(`${f} is zstd-compressed; decompress it first`);
  });
});
