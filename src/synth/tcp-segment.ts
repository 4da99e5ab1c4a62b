/** One TCP segment in one frame: link header + IP header + TCP header (RFC 793 §3.1) + payload. */
import { finishChecksum, sumWords } from './checksum.js';
import { IPV4_HEADER, IPV6_HEADER, pseudoHeaderSum, writeIpv4Header, writeIpv6Header } from './ip.js';

export interface SegmentFields {
  readonly src: Buffer;
  readonly dst: Buffer;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** TCP_FLAGS bits (src/decode/types.ts). */
  readonly flags: number;
  readonly window: number;
  /** TCP options, already padded to a multiple of 4 bytes. */
  readonly options?: Buffer;
  readonly payload: Buffer;
  /** IPv4 identification (ignored for IPv6). */
  readonly ipId: number;
  /** Fill the TCP checksum (true) or leave it zero (as checksum offload does; faster for huge benches). */
  readonly checksum: boolean;
}

/** TCP option MSS (kind 2, length 4), RFC 793 §3.1 / RFC 9293 §3.7.1. */
export function mssOption(mss: number): Buffer {
  const b = Buffer.alloc(4);
  b[0] = 2;
  b[1] = 4;
  b.writeUInt16BE(mss, 2);
  return b;
}

export function buildSegmentFrame(link: Buffer, f: SegmentFields): Buffer {
  const v6 = f.src.length === 16;
  const ipLen = v6 ? IPV6_HEADER : IPV4_HEADER;
  const optLen = f.options?.length ?? 0;
  if (optLen % 4 !== 0 || optLen > 40) throw new Error('TCP options must be padded to 4 bytes, at most 40');
  const tcpHeaderLen = 20 + optLen;
  const tcpLen = tcpHeaderLen + f.payload.length;
  const buf = Buffer.allocUnsafe(link.length + ipLen + tcpLen);
  link.copy(buf, 0);
  const ipOff = link.length;
  if (v6) writeIpv6Header(buf, ipOff, f.src, f.dst, tcpLen);
  else writeIpv4Header(buf, ipOff, f.src, f.dst, tcpLen, f.ipId);
  const t = ipOff + ipLen;
  buf.writeUInt16BE(f.srcPort, t);
  buf.writeUInt16BE(f.dstPort, t + 2);
  buf.writeUInt32BE(f.seq >>> 0, t + 4);
  buf.writeUInt32BE(f.ack >>> 0, t + 8);
  buf[t + 12] = (tcpHeaderLen / 4) << 4;
  buf[t + 13] = f.flags & 0xff;
  buf.writeUInt16BE(f.window & 0xffff, t + 14);
  buf.writeUInt16BE(0, t + 16);
  buf.writeUInt16BE(0, t + 18); // urgent pointer
  if (f.options) f.options.copy(buf, t + 20);
  f.payload.copy(buf, t + tcpHeaderLen);
  if (f.checksum) {
    const sum = sumWords(buf, t, t + tcpLen, pseudoHeaderSum(f.src, f.dst, tcpLen));
    buf.writeUInt16BE(finishChecksum(sum), t + 16);
  }
  return buf;
}
