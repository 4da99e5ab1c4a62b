import type { DecodeAnomalyKind } from './anomalies.js';
import { u16, u32 } from './link-result.js';

const MIN_HEADER = 20;

export interface TcpHeader {
  /** The fixed 20-byte header was captured and the data offset is sane: the segment is usable. */
  ok: boolean;
  /**
   * 'tcp-truncated-header' (cut by the capture; with ok = true when only options
   * were cut) or 'tcp-bad-data-offset' (the header lies); null when all is well.
   */
  anomaly: DecodeAnomalyKind | null;
  detail: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** Start of the payload in the buffer (after options); may lie past the captured end when options were cut. */
  payloadStart: number;
}

export function newTcpHeader(): TcpHeader {
  return { ok: false, anomaly: null, detail: '', srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, payloadStart: 0 };
}

/**
 * TCP header, RFC 9293 §3.1. Options are skipped via the data offset and not
 * interpreted. The checksum is NOT verified, as in Wireshark's default
 * (tcp.check_checksum off): checksum offload makes locally captured segments
 * carry wrong checksums, and the reassembly must still see their bytes.
 * `capEnd` is the end of the captured segment, `claimedEnd` where the IP header
 * says it ends.
 */
export function parseTcpHeader(buf: Buffer, p: number, capEnd: number, claimedEnd: number, out: TcpHeader): void {
  out.ok = false;
  if (p + MIN_HEADER > capEnd) {
    out.anomaly = 'tcp-truncated-header';
    out.detail = `TCP header needs 20 bytes, ${Math.max(0, capEnd - p)} captured`;
    return;
  }
  const headerLength = (buf[p + 12]! >> 4) * 4;
  if (headerLength < MIN_HEADER || p + headerLength > claimedEnd) {
    out.anomaly = 'tcp-bad-data-offset';
    out.detail = `TCP data offset ${headerLength} bytes, segment ${claimedEnd - p} bytes`;
    return;
  }
  out.ok = true;
  if (p + headerLength > capEnd) {
    // The fixed header is whole, only options are cut (a 68-byte snap length does
    // this to a SYN with options). Every field we use is known, so, like tshark,
    // the segment still counts; the anomaly records the cut.
    out.anomaly = 'tcp-truncated-header';
    out.detail = `TCP options cut: header of ${headerLength} bytes, ${capEnd - p} captured`;
  } else {
    out.anomaly = null;
  }
  out.srcPort = u16(buf, p);
  out.dstPort = u16(buf, p + 2);
  out.seq = u32(buf, p + 4);
  out.ack = u32(buf, p + 8);
  out.flags = buf[p + 13]!;
  out.window = u16(buf, p + 14);
  out.payloadStart = p + headerLength;
}
