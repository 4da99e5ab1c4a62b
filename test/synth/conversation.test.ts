/**
 * The synthesizer checked against tshark (the oracle): link layers, checksums,
 * sequence wraparound, and each impairment showing up as Wireshark's TCP analysis says.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TcpConversation, internetChecksum, type LinkSpec, type SynthFrame } from '../../src/synth/index.js';
import { framesToCapture } from '../helpers/dialogue.js';
import { HAVE_TSHARK, tshark, tsharkFollow } from '../helpers/tshark.js';

const dir = mkdtempSync(join(tmpdir(), 'synth-'));
let n = 0;
function save(frames: SynthFrame[]): string {
  const p = join(dir, `c${n++}.pcap`);
  writeFileSync(p, framesToCapture(frames, 'pcap', frames[0]!.linkType));
  return p;
}
/** One row per frame: the requested fields, tab-separated. */
function fields(file: string, names: string[], filter?: string): string[][] {
  const args = ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields'];
  if (filter) args.push('-Y', filter);
  for (const f of names) args.push('-e', f);
  return tshark(args).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const C2S = Buffer.from('EHLO client.example.org\r\nMAIL FROM:<a@example.org>\r\n');
const S2C = Buffer.from('220 mx.example.net ESMTP\r\n250 ok\r\n');

describe('internet checksum', () => {
  it('matches the RFC 1071 §3 worked example', () => {
    // 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2; the checksum is its complement.
    expect(internetChecksum(Buffer.from('0001f203f4f5f6f7', 'hex'))).toBe(~0xddf2 & 0xffff);
    // An odd length pads with a zero byte.
    expect(internetChecksum(Buffer.from('0001f203f4f5f6f7ab', 'hex'))).toBe(internetChecksum(Buffer.from('0001f203f4f5f6f7ab00', 'hex')));
  });
  it('the word-view fast path agrees with a plain big-endian sum at every alignment and length', () => {
    const big = Buffer.alloc(3000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 17) & 0xff;
    const slow = (b: Buffer, s: number, e: number): number => {
      let sum = 0;
      for (let i = s; i < e; i += 2) sum += (b[i]! << 8) | (i + 1 < e ? b[i + 1]! : 0);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      return ~sum & 0xffff;
    };
    for (const start of [0, 1, 2, 3]) {
      for (const len of [0, 1, 2, 33, 34, 35, 1459, 1460, 2990]) {
        expect(internetChecksum(big, start, start + len), `start ${start} len ${len}`).toBe(slow(big, start, start + len));
      }
    }
  });
});

describe.skipIf(!HAVE_TSHARK)('frames decode in tshark', () => {
  const links: [string, LinkSpec][] = [
    ['ethernet', { type: 'ethernet' }],
    ['802.1Q', { type: 'ethernet', vlan: [42] }],
    ['QinQ', { type: 'ethernet', vlan: [100, 42] }],
    ['SLL', { type: 'sll' }],
    ['SLL2', { type: 'sll2' }],
    ['raw', { type: 'raw' }],
    ['null', { type: 'null' }],
  ];
  for (const [name, link] of links) {
    for (const v of [4, 6] as const) {
      it(`${name} over IPv${v}: valid checksums, the bytes follow back`, () => {
        const conv = new TcpConversation({
          link,
          client: { ip: v === 4 ? '192.0.2.1' : '2001:db8::1', port: 40000 },
          server: { ip: v === 4 ? '198.51.100.2' : '2001:db8:0:1::25', port: 25 },
          mss: 20,
        });
        conv.send('s2c', S2C).send('c2s', C2S).close();
        const frames = conv.drain();
        const f = save(frames);
        const rows = fields(f, ['tcp.checksum.status', v === 4 ? 'ip.checksum.status' : 'ipv6.plen', 'vlan.id', 'tcp.stream', 'ieee8021ad.id']);
        expect(rows.length).toBe(frames.length);
        for (const r of rows) {
          expect(r[0]).toBe('1'); // 1 = good
          if (v === 4) expect(r[1]).toBe('1');
          expect(r[3]).toBe('0');
          // The inner (or only) tag is 802.1Q; a QinQ outer tag is 802.1ad (ieee8021ad.id).
          if (link.type === 'ethernet' && link.vlan) expect(r[2]).toBe(String(link.vlan.at(-1)));
          if (link.type === 'ethernet' && link.vlan?.length === 2) expect(r[4]).toBe(String(link.vlan[0]));
        }
        const [s] = tsharkFollow(f, [0]);
        expect(s!.fromNode0).toEqual(C2S);
        expect(s!.fromNode1).toEqual(S2C);
        expect(fields(f, ['frame.number'], 'tcp.analysis.flags')).toEqual([]);
      });
    }
  }

  it('sequence numbers wrap at 2^32 without analysis warnings', () => {
    const conv = new TcpConversation({ client: { ip: '10.0.0.1', port: 1, isn: 0xfffffff0 }, server: { ip: '10.0.0.2', port: 25, isn: 0xfffffff8 }, mss: 7 });
    conv.send('s2c', S2C).send('c2s', C2S).close('s2c');
    const f = save(conv.drain());
    const seqs = fields(f, ['tcp.seq_raw'], 'tcp.srcport == 1').map((r) => Number(r[0]));
    expect(seqs.some((s) => s > 0xfffffff0)).toBe(true);
    expect(seqs.some((s) => s < 0x100)).toBe(true);
    expect(tsharkFollow(f, [0])[0]!.fromNode0).toEqual(C2S);
    expect(fields(f, ['frame.number'], 'tcp.analysis.flags')).toEqual([]);
  });

  it('drop: the capture misses segment 1, tshark marks the next one and the ACK', () => {
    const conv = new TcpConversation({ client: { ip: '10.0.0.1', port: 1000 }, server: { ip: '10.0.0.2', port: 25 } });
    conv.send('c2s', Buffer.alloc(3000, 0x41), { mss: 1000, drop: [1] });
    const frames = conv.drain();
    expect(frames.length).toBe(3 + 2 + 1);
    const f = save(frames);
    expect(fields(f, ['frame.number', 'tcp.len'], 'tcp.analysis.lost_segment')).toEqual([['5', '1000']]);
    expect(fields(f, ['frame.number', 'tcp.ack'], 'tcp.analysis.ack_lost_segment')).toEqual([['6', '3001']]);
  });

  it('lose: the peer acknowledges only up to the hole', () => {
    const conv = new TcpConversation({ client: { ip: '10.0.0.1', port: 1000 }, server: { ip: '10.0.0.2', port: 25 } });
    conv.send('c2s', Buffer.alloc(1124, 1), { mss: 536, lose: [1, 2] }).wait(600_000).send('s2c', '421 4.4.2 timeout\r\n').close('s2c');
    const f = save(conv.drain());
    const acks = fields(f, ['tcp.ack'], 'tcp.srcport == 25 && tcp.flags.syn == 0').map((r) => Number(r[0]));
    expect(acks.every((a) => a === 537)).toBe(true);
    // The client's next segment (its ACK of the 421) carries seq 1125: tshark sees the hole there.
    expect(fields(f, ['tcp.seq', 'tcp.srcport'], 'tcp.analysis.lost_segment')).toEqual([['1125', '1000']]);
  });

  it('swap, duplicate and retransmit show as out-of-order and retransmissions', () => {
    const conv = new TcpConversation({ client: { ip: '10.0.0.1', port: 1000 }, server: { ip: '10.0.0.2', port: 25 } });
    conv.send('c2s', Buffer.alloc(3000, 0x42), { mss: 1000, swap: [[1, 2]], duplicate: [0], retransmit: [{ segment: 2, bytes: Buffer.alloc(1000, 0x43) }] });
    const f = save(conv.drain());
    // Emission order: 1, 2001 (swapped ahead), 1001, then the duplicate of 1 (10 µs later, so
    // tshark calls it out-of-order rather than a retransmission), then 2001 again with other bytes.
    expect(fields(f, ['tcp.seq', 'tcp.len'], 'tcp.len > 0').map((r) => r[0])).toEqual(['1', '2001', '1001', '1', '2001']);
    expect(fields(f, ['frame.number'], 'tcp.analysis.out_of_order').map((r) => r[0])).toEqual(['6', '7']);
    expect(fields(f, ['frame.number'], 'tcp.analysis.retransmission').map((r) => r[0])).toEqual(['9']);
  });

  it('mid-stream: no handshake frames, data first', () => {
    const conv = new TcpConversation({ client: { ip: '10.0.0.1', port: 1000 }, server: { ip: '10.0.0.2', port: 25 }, handshake: false });
    conv.send('s2c', S2C);
    const f = save(conv.drain());
    expect(fields(f, ['tcp.flags.syn', 'tcp.len'])[0]).toEqual(['0', String(S2C.length)]);
  });

  it('snapLength cuts captured bytes and keeps the wire length', () => {
    const conv = new TcpConversation({ client: { ip: '10.0.0.1', port: 1000 }, server: { ip: '10.0.0.2', port: 25 }, snapLength: 60 });
    conv.send('c2s', Buffer.alloc(500, 0x44));
    const frames = conv.drain();
    const data = frames.find((fr) => fr.origLength > 500)!;
    expect(data.data.length).toBe(60);
    const f = save(frames);
    expect(fields(f, ['frame.cap_len', 'frame.len'], 'frame.len > 500')).toEqual([['60', String(data.origLength)]]);
  });

  it('RST ends the stream with RST|ACK at the next sequence number', () => {
    const conv = new TcpConversation({ client: { ip: '10.0.0.1', port: 1000 }, server: { ip: '10.0.0.2', port: 25 } });
    conv.send('c2s', 'DATA\r\n').rst('c2s');
    const f = save(conv.drain());
    expect(fields(f, ['tcp.seq', 'tcp.flags.reset', 'tcp.flags.ack'], 'tcp.flags.reset == 1')).toEqual([['7', '1', '1']]);
  });
});

describe('clock and drain', () => {
  it('times never go backwards and drain empties the list', () => {
    const conv = new TcpConversation({ client: { ip: '10.0.0.1', port: 1000 }, server: { ip: '10.0.0.2', port: 25 } });
    conv.send('c2s', Buffer.alloc(5000), { afterMs: 1500 }).send('s2c', 'x', { swap: [], duplicate: [0] });
    const frames = conv.drain();
    for (let i = 1; i < frames.length; i++) {
      const a = frames[i - 1]!.time;
      const b = frames[i]!.time;
      expect(b.sec > a.sec || (b.sec === a.sec && b.nsec >= a.nsec)).toBe(true);
    }
    expect(conv.frames.length).toBe(0);
    expect(() => conv.at({ sec: 0, nsec: 0 })).toThrow();
  });
});
