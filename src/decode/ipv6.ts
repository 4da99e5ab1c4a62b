import { u16, u32 } from './link-result.js';
import { IP, IPPROTO_TCP, type IpResult } from './ip-result.js';

const FIXED_HEADER = 40;

/** RFC 8200 §4 extension headers we walk, and AH (RFC 4302 §2). */
export const IPV6_EXT = {
  HOP_BY_HOP: 0,
  ROUTING: 43,
  FRAGMENT: 44,
  AH: 51,
  DEST_OPTIONS: 60,
} as const;

/** Next-header values after which TCP may still follow: worth reassembling for. */
export function mayLeadToTcp(nextHeader: number): boolean {
  return (
    nextHeader === IPPROTO_TCP ||
    nextHeader === IPV6_EXT.ROUTING ||
    nextHeader === IPV6_EXT.DEST_OPTIONS ||
    nextHeader === IPV6_EXT.AH
  );
}

/**
 * IPv6 fixed header (RFC 8200 §3) then the extension-header chain. The payload
 * length ends the packet (trims link padding); jumbograms (RFC 2675) are not
 * supported. A zero payload length is taken as "what was captured", as for
 * IPv4 TSO: Linux TSO and BIG TCP captures carry it. This knowingly differs
 * from tshark 4.0, whose ipv6.tso_support is off by default and which then
 * calls the TCP header malformed (test/decode/crafted-differential.test.ts).
 * IPv6 has no header checksum.
 */
export function parseIpv6(buf: Buffer, off: number, end: number, out: IpResult): void {
  out.version = 6;
  out.anomaly = null;
  if (off + FIXED_HEADER > end) {
    out.status = IP.TRUNCATED;
    out.anomaly = 'ip-truncated-header';
    out.detail = `IPv6 header needs 40 bytes, ${Math.max(0, end - off)} captured`;
    return;
  }
  if (buf[off]! >> 4 !== 6) {
    out.status = IP.MALFORMED;
    out.anomaly = 'ip-bad-header';
    out.detail = `IPv6 version nibble ${buf[off]! >> 4}`;
    return;
  }
  const payloadLength = u16(buf, off + 4);
  out.srcOff = off + 8;
  out.claimedEnd = payloadLength === 0 ? end : off + FIXED_HEADER + payloadLength;
  out.capEnd = out.claimedEnd < end ? out.claimedEnd : end;
  walkIpv6Extensions(buf, off + FIXED_HEADER, buf[off + 6]!, out, true);
}

/**
 * Walks extension headers from `p` (first header type `next`) within
 * out.capEnd/out.claimedEnd, setting status, l4Start and proto.
 * `fragmentable` is false when walking a reassembled payload, where a second
 * fragment header would be nonsense (RFC 8200 §4.5) and counts as not-TCP.
 */
export function walkIpv6Extensions(buf: Buffer, p: number, next: number, out: IpResult, fragmentable: boolean): void {
  // Each step advances p by at least 8 bytes, so the loop ends within the payload.
  for (;;) {
    switch (next) {
      case IPPROTO_TCP:
        out.status = IP.TCP;
        out.proto = next;
        out.l4Start = p;
        return;
      case IPV6_EXT.HOP_BY_HOP:
      case IPV6_EXT.ROUTING:
      case IPV6_EXT.DEST_OPTIONS:
      case IPV6_EXT.AH: {
        if (!haveBytes(p, 2, next, out)) return;
        // Hdr Ext Len is in 8-octet units not counting the first 8 (RFC 8200 §4.3);
        // AH's Payload Len is in 4-octet units minus 2 (RFC 4302 §2.2).
        const len = next === IPV6_EXT.AH ? (buf[p + 1]! + 2) * 4 : (buf[p + 1]! + 1) * 8;
        if (!haveBytes(p, len, next, out)) return;
        next = buf[p]!;
        p += len;
        continue;
      }
      case IPV6_EXT.FRAGMENT: {
        if (!fragmentable) {
          out.status = IP.NON_TCP;
          out.proto = next;
          return;
        }
        if (!haveBytes(p, 8, next, out)) return;
        // RFC 8200 §4.5: Next Header(1) Reserved(1) Fragment Offset(13 bits)|Res(2)|M(1) Identification(4).
        const offsetFlags = u16(buf, p + 2);
        const fragOffset = offsetFlags & 0xfff8;
        const more = (offsetFlags & 1) !== 0;
        next = buf[p]!;
        if (fragOffset === 0 && !more) {
          // An atomic fragment (RFC 6946 §4): processed as if it had no fragment header.
          p += 8;
          continue;
        }
        out.status = IP.FRAGMENT;
        out.proto = next;
        out.fragOffset = fragOffset;
        out.more = more;
        out.fragId = u32(buf, p + 4);
        out.l4Start = p + 8;
        return;
      }
      default:
        // UDP, ICMPv6, ESP, No Next Header (59), ...
        out.status = IP.NON_TCP;
        out.proto = next;
        return;
    }
  }
}

function haveBytes(p: number, len: number, header: number, out: IpResult): boolean {
  if (p + len > out.claimedEnd) {
    out.status = IP.MALFORMED;
    out.anomaly = 'ipv6-bad-extension-header';
    out.detail = `extension header ${header} of ${len} bytes runs past the payload length`;
    return false;
  }
  if (p + len > out.capEnd) {
    out.status = IP.TRUNCATED;
    out.anomaly = 'ip-truncated-header';
    out.detail = `IPv6 extension header ${header} cut by the capture`;
    return false;
  }
  return true;
}
