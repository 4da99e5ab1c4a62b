import { followEthertype } from './ethertype.js';
import { NET, u16, type LinkResult } from './link-result.js';

/** Destination MAC, source MAC, EtherType (IEEE 802.3 §3.1.1). */
const ETHERNET_HEADER = 14;

/**
 * LINKTYPE_ETHERNET (1). A type/length field of 1500 or less is an 802.3 length
 * with an LLC header after it: not IP for our purposes (Wireshark would follow
 * SNAP, which no SMTP capture we know of uses).
 * Padding to the 60-byte minimum is left in place: the IP total length trims it.
 */
export function decodeEthernet(buf: Buffer, start: number, end: number, out: LinkResult): void {
  if (start + ETHERNET_HEADER > end) {
    out.net = NET.TRUNCATED;
    return;
  }
  followEthertype(buf, start + ETHERNET_HEADER, end, u16(buf, start + 12), out);
}
