/** IP addresses and headers: IPv4 (RFC 791 §3.1) and IPv6 (RFC 8200 §3). */
import { finishChecksum, sumWords } from './checksum.js';

export const IPPROTO_TCP = 6;
export const IPV4_HEADER = 20;
export const IPV6_HEADER = 40;

/** Parses a dotted IPv4 or a (possibly ::-compressed) IPv6 address into its bytes. */
export function parseIp(text: string): Buffer {
  if (text.includes(':')) return parseIpv6(text);
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`bad IPv4 address: ${text}`);
  return Buffer.from(parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error(`bad IPv4 address: ${text}`);
    return n;
  }));
}

function parseIpv6(text: string): Buffer {
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) throw new Error(`bad IPv6 address: ${text}`);
  const words = (s: string | undefined): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...new Array<number>(fill).fill(0), ...t];
  if (all.length !== 8 || all.some((w) => !(w >= 0 && w <= 0xffff))) throw new Error(`bad IPv6 address: ${text}`);
  const b = Buffer.alloc(16);
  all.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}

/** Writes an IPv4 header (no options, DF set, TTL 64) with its checksum at buf[off]. */
export function writeIpv4Header(buf: Buffer, off: number, src: Buffer, dst: Buffer, payloadLength: number, id: number): void {
  buf[off] = 0x45;
  buf[off + 1] = 0;
  buf.writeUInt16BE(IPV4_HEADER + payloadLength, off + 2);
  buf.writeUInt16BE(id & 0xffff, off + 4);
  buf.writeUInt16BE(0x4000, off + 6); // DF, fragment offset 0
  buf[off + 8] = 64;
  buf[off + 9] = IPPROTO_TCP;
  buf.writeUInt16BE(0, off + 10);
  src.copy(buf, off + 12);
  dst.copy(buf, off + 16);
  buf.writeUInt16BE(finishChecksum(sumWords(buf, off, off + IPV4_HEADER)), off + 10);
}

/** Writes an IPv6 header (no extension headers, hop limit 64) at buf[off]. */
export function writeIpv6Header(buf: Buffer, off: number, src: Buffer, dst: Buffer, payloadLength: number): void {
  buf.writeUInt32BE(0x60000000, off);
  buf.writeUInt16BE(payloadLength, off + 4);
  buf[off + 6] = IPPROTO_TCP;
  buf[off + 7] = 64;
  src.copy(buf, off + 8);
  dst.copy(buf, off + 24);
}

/**
 * The unfolded sum of the TCP pseudo-header: RFC 793 §3.1 (src, dst, zero, proto, TCP length)
 * and RFC 8200 §8.1 (src, dst, upper-layer length, zeros, next header).
 */
export function pseudoHeaderSum(src: Buffer, dst: Buffer, tcpLength: number): number {
  return sumWords(src, 0, src.length, sumWords(dst, 0, dst.length)) + IPPROTO_TCP + tcpLength;
}
