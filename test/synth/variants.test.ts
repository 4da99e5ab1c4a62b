/**
 * fixtures/captures/variants/: one real session (real/postfix-plain.pcap) in every
 * container and link-layer variant. Tool-made files (editcap, tcprewrite, tcpdump -y)
 * come from fixtures/make/record-real.sh; writer-made files are rebuilt here and must
 * match the committed bytes. To rebuild: UPDATE_FIXTURES=1 npx vitest run test/synth/variants.test.ts
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSink, PcapWriter, PcapngWriter } from '../../src/capture/writer.js';
import { LINKTYPE, TcpConversation, linkTypeOf, type LinkSpec, type SynthFrame } from '../../src/synth/index.js';
import { linkHeader } from '../../src/synth/link.js';
import type { Time } from '../../src/util/time.js';
import { FIXTURES } from '../helpers/corpus.js';
import { HAVE_TSHARK, tshark, tsharkFollow } from '../helpers/tshark.js';

const UPDATE = process.env['UPDATE_FIXTURES'] === '1';
const SOURCE = join(FIXTURES, 'captures', 'real', 'postfix-plain.pcap');
const VARIANTS = join(FIXTURES, 'captures', 'variants');
const SERVER_PORT = 2525;

interface Rec { time: Time; data: Buffer; origLength: number }

/** The records of a little-endian µs pcap as tcpdump writes it (only what this test needs). */
function readLePcap(buf: Buffer): Rec[] {
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('expected a little-endian µs pcap');
  const out: Rec[] = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const incl = buf.readUInt32LE(off + 8);
    out.push({ time: { sec: buf.readUInt32LE(off), nsec: buf.readUInt32LE(off + 4) * 1000 }, origLength: buf.readUInt32LE(off + 12), data: buf.subarray(off + 16, off + 16 + incl) });
    off += 16 + incl;
  }
  return out;
}

/** Ethernet/IPv4/TCP offsets of a tcpdump-on-lo frame. */
function tcpInfo(d: Buffer): { dir: 'c2s' | 's2c'; flags: number; payload: Buffer } {
  const ip = 14;
  const ihl = (d[ip]! & 0x0f) * 4;
  const t = ip + ihl;
  const total = d.readUInt16BE(ip + 2);
  return {
    dir: d.readUInt16BE(t + 2) === SERVER_PORT ? 'c2s' : 's2c',
    flags: d[t + 13]!,
    payload: d.subarray(t + (d[t + 12]! >> 4) * 4, ip + total),
  };
}

function relink(recs: Rec[], spec: LinkSpec): SynthFrame[] {
  return recs.map((r) => {
    const h = linkHeader(spec, tcpInfo(r.data).dir, 4);
    const data = Buffer.concat([h, r.data.subarray(14)]);
    return { time: r.time, linkType: linkTypeOf(spec), data, origLength: r.origLength - 14 + h.length };
  });
}

/** The session re-synthesized over IPv6, one frame per original frame, at the original times. */
function ipv6Twin(recs: Rec[]): SynthFrame[] {
  const conv = new TcpConversation({
    client: { ip: '2001:db8::10', port: tcpInfo(recs[0]!.data).dir === 'c2s' ? recs[0]!.data.readUInt16BE(34) : 0 },
    server: { ip: '2001:db8::25', port: SERVER_PORT },
    start: recs[0]!.time, segmentGapUs: 0, ackDelayUs: 0, mss: 65_000,
  });
  for (const r of recs.slice(3)) {
    const { dir, flags, payload } = tcpInfo(r.data);
    conv.at(r.time);
    if (flags & 0x01) conv.fin(dir, { ack: false });
    else if (payload.length > 0) conv.send(dir, payload, { ack: 'none' });
    else conv.ack(dir);
  }
  return conv.drain();
}

function pcap(frames: readonly (SynthFrame | Rec)[], linkType: number, precision: 'us' | 'ns', endian: 'le' | 'be'): Buffer {
  const sink = new BufferSink();
  const w = new PcapWriter(sink, { linkType, precision, endian });
  for (const f of frames) w.write(f);
  return sink.toBuffer();
}
function pcapng(frames: readonly Rec[], linkType: number, endian: 'le' | 'be'): Buffer {
  const sink = new BufferSink();
  const w = new PcapngWriter(sink, { interfaces: [{ linkType, tsresol: 6, name: 'lo' }], endian });
  for (const f of frames) w.write(f);
  return sink.toBuffer();
}

function writerVariants(): Record<string, Buffer> {
  const recs = readLePcap(readFileSync(SOURCE));
  const eth = LINKTYPE.ETHERNET;
  const rl = (spec: LinkSpec): Buffer => pcap(relink(recs, spec), linkTypeOf(spec), 'us', 'le');
  return {
    'plain.writer-us-le.pcap': pcap(recs, eth, 'us', 'le'),
    'plain.writer-us-be.pcap': pcap(recs, eth, 'us', 'be'),
    'plain.writer-ns-le.pcap': pcap(recs, eth, 'ns', 'le'),
    'plain.writer-ns-be.pcap': pcap(recs, eth, 'ns', 'be'),
    'plain.writer-le.pcapng': pcapng(recs, eth, 'le'),
    'plain.writer-be.pcapng': pcapng(recs, eth, 'be'),
    'plain.writer-sll.pcap': rl({ type: 'sll' }),
    'plain.writer-sll2.pcap': rl({ type: 'sll2' }),
    'plain.writer-vlan42.pcap': rl({ type: 'ethernet', vlan: [42] }),
    'plain.writer-qinq100-42.pcap': rl({ type: 'ethernet', vlan: [100, 42] }),
    'plain.writer-raw.pcap': rl({ type: 'raw' }),
    'plain.writer-null.pcap': rl({ type: 'null' }),
    'plain.synth-ipv6.pcap': pcap(ipv6Twin(recs), eth, 'us', 'le'),
  };
}

describe('writer-made variants are reproducible', () => {
  const built = writerVariants();
  for (const [name, bytes] of Object.entries(built)) {
    it(name, () => {
      const p = join(VARIANTS, name);
      if (UPDATE) writeFileSync(p, bytes);
      expect(existsSync(p), `${p} missing: run with UPDATE_FIXTURES=1`).toBe(true);
      expect(readFileSync(p).equals(bytes)).toBe(true);
    });
  }
  it('re-writing tcpdump\'s file through PcapWriter gives tcpdump\'s bytes', () => {
    expect(built['plain.writer-us-le.pcap']!.equals(readFileSync(SOURCE))).toBe(true);
  });
});

describe.skipIf(!HAVE_TSHARK)('every variant carries the same session for tshark', () => {
  const fieldArgs = ['-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'tcp.checksum.status', '-e', 'tcp.stream', '-e', 'frame.time_epoch'];
  let want: ReturnType<typeof tsharkFollow>[number];
  let refTimes: string[];
  beforeAll(() => {
    want = tsharkFollow(SOURCE, [0])[0]!;
    refTimes = tshark(['-r', SOURCE, ...fieldArgs]).split('\n').filter(Boolean).map((r) => r.split('\t')[2]!);
  });
  for (const name of readdirSync(VARIANTS).sort()) {
    it(name, () => {
      const f = join(VARIANTS, name);
      const rows = tshark(['-r', f, ...fieldArgs]).split('\n').filter(Boolean).map((r) => r.split('\t'));
      expect(rows.length).toBe(refTimes.length);
      // Loopback captures carry offloaded (unfilled) checksums; the synth fills them: "good" (1) for ours.
      if (name.includes('synth')) for (const r of rows) expect(r.slice(0, 2)).toEqual(['1', '0']);
      const got = tsharkFollow(f, [0])[0]!;
      if (name.includes('tcpdump-any')) {
        // A separate recording of the same kind of session: the envelope and the reply codes
        // match; the message (Date, Message-Id) and Postfix's queue id differ.
        const envelope = (b: Buffer): string => b.toString('latin1').split('DATA\r\n')[0]!;
        const codes = (b: Buffer): string[] => b.toString('latin1').split('\r\n').map((l) => l.slice(0, 4));
        expect(envelope(got.fromNode0)).toBe(envelope(want.fromNode0));
        expect(codes(got.fromNode1)).toEqual(codes(want.fromNode1));
        return;
      }
      expect(got.fromNode0).toEqual(want.fromNode0);
      expect(got.fromNode1).toEqual(want.fromNode1);
      const times = rows.map((r) => r[2]);
      // The IPv6 twin's handshake is synthesized at the first frame's time; the rest keep theirs.
      if (name.includes('synth')) expect(times.slice(3)).toEqual(refTimes.slice(3));
      else expect(times).toEqual(refTimes);
    });
  }
});
