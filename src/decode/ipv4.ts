import { u16 } from './link-result.js';
import { IP, IPPROTO_TCP, type IpResult } from './ip-result.js';

const MIN_HEADER = 20;

/**
 * IPv4 header, RFC 791 §3.1. Options are skipped via IHL. The total length
 * ends the datagram, which trims Ethernet padding (IEEE 802.3 minimum frame);
 * when the capture holds less than the total length, capEnd < claimedEnd and
 * the TCP stage reports the missing bytes as a gap.
 * The header checksum is not verified (Wireshark's default, ip.check_checksum off):
 * captures taken on the sending host carry checksum-offload garbage.
 */
export function parseIpv4(buf: Buffer, off: number, end: number, out: IpResult): void {
  out.version = 4;
  out.anomaly = null;
  if (off + MIN_HEADER > end) {
    out.status = IP.TRUNCATED;
    out.anomaly = 'ip-truncated-header';
    out.detail = `IPv4 header needs 20 bytes, ${Math.max(0, end - off)} captured`;
    return;
  }
  const b0 = buf[off]!;
  const headerLength = (b0 & 0x0f) * 4;
  if (b0 >> 4 !== 4 || headerLength < MIN_HEADER) {
    out.status = IP.MALFORMED;
    out.anomaly = 'ip-bad-header';
    out.detail = `IPv4 version ${b0 >> 4}, header length ${headerLength}`;
    return;
  }
  if (off + headerLength > end) {
    out.status = IP.TRUNCATED;
    out.anomaly = 'ip-truncated-header';
    out.detail = `IPv4 header with options needs ${headerLength} bytes, ${end - off} captured`;
    return;
  }
  let totalLength = u16(buf, off + 2);
  if (totalLength === 0) {
    // A zero total length comes from TCP segmentation offload on the capturing
    // host (the NIC fills it in later). Wireshark (ip.tso_support, on by default)
    // then takes the captured length; so do we.
    totalLength = end - off;
  }
  if (totalLength < headerLength) {
    out.status = IP.MALFORMED;
    out.anomaly = 'ip-bad-header';
    out.detail = `IPv4 total length ${totalLength} < header length ${headerLength}`;
    return;
  }
  out.srcOff = off + 12;
  out.l4Start = off + headerLength;
  out.claimedEnd = off + totalLength;
  out.capEnd = out.claimedEnd < end ? out.claimedEnd : end;
  out.proto = buf[off + 9]!;
  const flagsOffset = u16(buf, off + 6);
  out.more = (flagsOffset & 0x2000) !== 0;
  out.fragOffset = (flagsOffset & 0x1fff) * 8;
  if (out.more || out.fragOffset !== 0) {
    out.fragId = u16(buf, off + 4);
    out.status = IP.FRAGMENT;
    return;
  }
  out.status = out.proto === IPPROTO_TCP ? IP.TCP : IP.NON_TCP;
}
