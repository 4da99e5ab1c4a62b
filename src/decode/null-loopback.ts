import { NET, u32, type LinkResult } from './link-result.js';

/**
 * BSD loopback encapsulations: a 4-byte protocol family, then the IP packet.
 * https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html and LINKTYPE_LOOP.html
 *   AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD),
 *   30 (Darwin/macOS), which is why all three mean IPv6 in a capture file.
 */
const FAMILY_HEADER = 4;
const AF_INET = 2;

function familyToNet(family: number): LinkResult['net'] {
  if (family === AF_INET) return NET.IPV4;
  if (family === 24 || family === 28 || family === 30) return NET.IPV6;
  return NET.OTHER;
}

/**
 * LINKTYPE_NULL (0): the family is in the byte order of the host that captured,
 * which the file does not record for this field. Families are small numbers, so,
 * like Wireshark's packet-null.c, read it little-endian and swap when only the
 * upper 16 bits are set.
 */
export function decodeNull(buf: Buffer, start: number, end: number, out: LinkResult): void {
  if (start + FAMILY_HEADER > end) {
    out.net = NET.TRUNCATED;
    return;
  }
  const le = buf.readUInt32LE(start);
  const family = le > 0xffff ? u32(buf, start) : le;
  out.net = familyToNet(family);
  out.offset = start + FAMILY_HEADER;
  out.end = end;
}

/** LINKTYPE_LOOP (108, OpenBSD): the same family field, always in network byte order. */
export function decodeLoop(buf: Buffer, start: number, end: number, out: LinkResult): void {
  if (start + FAMILY_HEADER > end) {
    out.net = NET.TRUNCATED;
    return;
  }
  out.net = familyToNet(u32(buf, start));
  out.offset = start + FAMILY_HEADER;
  out.end = end;
}
