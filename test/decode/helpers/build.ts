/**
 * Hand-built packets for decode tests. Every builder returns a fresh Buffer;
 * checksums are left zero (the decoder does not verify them, like Wireshark).
 */
import type { Packet } from '../../../src/capture/types.js';

export interface TcpSpec {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  /** Option bytes, padded to a multiple of 4 with NOPs (kind 1). */
  options?: Buffer;
  payload?: Buffer;
}

export function tcp(spec: TcpSpec = {}): Buffer {
  let options = spec.options ?? Buffer.alloc(0);
  if (options.length % 4 !== 0) options = Buffer.concat([options, Buffer.alloc(4 - (options.length % 4), 1)]);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(spec.srcPort ?? 40000, 0);
  h.writeUInt16BE(spec.dstPort ?? 25, 2);
  h.writeUInt32BE(spec.seq ?? 0x11223344, 4);
  h.writeUInt32BE(spec.ack ?? 0x55667788, 8);
  h[12] = ((20 + options.length) / 4) << 4;
  h[13] = spec.flags ?? 0x18;
  h.writeUInt16BE(spec.window ?? 29200, 14);
  return Buffer.concat([h, options, spec.payload ?? Buffer.alloc(0)]);
}

export interface Ipv4Spec {
  src?: string;
  dst?: string;
  proto?: number;
  id?: number;
  /** Byte offset of this fragment (multiple of 8). */
  fragOffset?: number;
  more?: boolean;
  dontFragment?: boolean;
  options?: Buffer;
  /** Override the total length field (default: header + payload). */
  totalLength?: number;
}

export function ipv4(payload: Buffer, spec: Ipv4Spec = {}): Buffer {
  let options = spec.options ?? Buffer.alloc(0);
  if (options.length % 4 !== 0) options = Buffer.concat([options, Buffer.alloc(4 - (options.length % 4), 0)]);
  const hl = 20 + options.length;
  const h = Buffer.alloc(20);
  h[0] = 0x40 | (hl / 4);
  h.writeUInt16BE(spec.totalLength ?? hl + payload.length, 2);
  h.writeUInt16BE(spec.id ?? 0x1234, 4);
  const frag = (spec.fragOffset ?? 0) / 8;
  h.writeUInt16BE((spec.dontFragment ? 0x4000 : 0) | (spec.more ? 0x2000 : 0) | frag, 6);
  h[8] = 64;
  h[9] = spec.proto ?? 6;
  v4(spec.src ?? '192.0.2.1').copy(h, 12);
  v4(spec.dst ?? '198.51.100.2').copy(h, 16);
  return Buffer.concat([h, options, payload]);
}

export function v4(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

export function v6(a: string): Buffer {
  const [head = '', tail] = a.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const groups = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}

/** An IPv6 extension header: type + body (body padded so the header is a multiple of 8, or of 4 for AH). */
export interface Ext {
  type: 0 | 43 | 44 | 51 | 60;
  /** For the fragment header: offset (multiple of 8), more, id. */
  frag?: { offset: number; more: boolean; id: number };
  /** Extra body bytes (beyond the 2-byte next/len prefix) for 0/43/60/51. */
  bodyLength?: number;
}

export interface Ipv6Spec {
  src?: string;
  dst?: string;
  exts?: Ext[];
  /** Next header after the extension headers (default TCP). */
  next?: number;
  payloadLength?: number;
}

export function ipv6(payload: Buffer, spec: Ipv6Spec = {}): Buffer {
  const exts = spec.exts ?? [];
  const parts: Buffer[] = [];
  const types = exts.map((e) => e.type);
  exts.forEach((e, i) => {
    const next = i + 1 < exts.length ? types[i + 1]! : (spec.next ?? 6);
    if (e.type === 44) {
      const f = e.frag ?? { offset: 0, more: false, id: 1 };
      const b = Buffer.alloc(8);
      b[0] = next;
      b.writeUInt16BE(f.offset | (f.more ? 1 : 0), 2);
      b.writeUInt32BE(f.id, 4);
      parts.push(b);
    } else if (e.type === 51) {
      const total = 12 + (e.bodyLength ?? 0); // next, len, reserved(2), SPI(4), seq(4), ICV
      const len = Math.ceil(total / 8) * 8;
      const b = Buffer.alloc(len, 0xab);
      b[0] = next;
      b[1] = len / 4 - 2;
      parts.push(b);
    } else {
      const len = Math.ceil((2 + (e.bodyLength ?? 6)) / 8) * 8;
      const b = Buffer.alloc(len, 0);
      b[0] = next;
      b[1] = len / 8 - 1;
      b[2] = 1; // PadN option type, so option parsers in tshark stay happy
      b[3] = len - 4;
      parts.push(b);
    }
  });
  const body = Buffer.concat([...parts, payload]);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(spec.payloadLength ?? body.length, 4);
  h[6] = exts.length > 0 ? types[0]! : (spec.next ?? 6);
  h[7] = 64;
  v6(spec.src ?? '2001:db8::1').copy(h, 8);
  v6(spec.dst ?? '2001:db8::2').copy(h, 24);
  return Buffer.concat([h, body]);
}

const MAC_A = Buffer.from('020000000001', 'hex');
const MAC_B = Buffer.from('020000000002', 'hex');

/** Ethernet II with optional tags, each [tpid, vlanId]; padded to 60 bytes like a real NIC. */
export function ethernet(ethertype: number, payload: Buffer, tags: [number, number][] = [], pad = true): Buffer {
  const parts: Buffer[] = [MAC_B, MAC_A];
  for (const [tpid, vid] of tags) {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(tpid, 0);
    t.writeUInt16BE(vid, 2);
    parts.push(t);
  }
  const et = Buffer.alloc(2);
  et.writeUInt16BE(ethertype, 0);
  parts.push(et, payload);
  const frame = Buffer.concat(parts);
  return pad && frame.length < 60 ? Buffer.concat([frame, Buffer.alloc(60 - frame.length)]) : frame;
}

/** RFC 2516 PPPoE session frame payload (after the EtherType 0x8864). */
export function pppoe(pppProto: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = 0x11;
  h[1] = 0x00;
  h.writeUInt16BE(0x0042, 2);
  h.writeUInt16BE(payload.length + 2, 4);
  h.writeUInt16BE(pppProto, 6);
  return Buffer.concat([h, payload]);
}

export function sll(protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0); // packet type: to us
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  MAC_A.copy(h, 6);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

export function sll2(protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(2, 4); // interface index
  h.writeUInt16BE(1, 8); // ARPHRD_ETHER
  h[10] = 0;
  h[11] = 6;
  MAC_A.copy(h, 12);
  return Buffer.concat([h, payload]);
}

/** BSD null: family in the capturing host's byte order. */
export function nullLink(family: number, payload: Buffer, order: 'le' | 'be' = 'le'): Buffer {
  const h = Buffer.alloc(4);
  if (order === 'le') h.writeUInt32LE(family, 0);
  else h.writeUInt32BE(family, 0);
  return Buffer.concat([h, payload]);
}

/** OpenBSD loop: family in network byte order. */
export function loop(family: number, payload: Buffer): Buffer {
  return nullLink(family, payload, 'be');
}

export function packet(linkType: number, data: Buffer, frame = 1, sec = 1_700_000_000, origLength = data.length): Packet {
  return { frame, time: { sec, nsec: 0 }, linkType, data, origLength, fileOffset: 0 };
}
