import { NET, u16, type LinkResult } from './link-result.js';

/** EtherType values (IEEE 802 numbers registry). */
export const ETHERTYPE = {
  IPV4: 0x0800,
  IPV6: 0x86dd,
  /** IEEE 802.1Q customer VLAN tag. */
  VLAN: 0x8100,
  /** IEEE 802.1ad service VLAN tag (S-tag, outer tag of QinQ). */
  QINQ_8021AD: 0x88a8,
  /** Pre-standard QinQ outer tag used by some switches. */
  QINQ_9100: 0x9100,
  /** RFC 2516 PPPoE session stage. */
  PPPOE_SESSION: 0x8864,
} as const;

/** RFC 1661 PPP protocol numbers carried in PPPoE (RFC 1332 IPv4, RFC 5072 IPv6). */
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/**
 * Tags stacked deeper than this end the walk as 'other': a frame cannot hold
 * more than a few in practice, and it bounds the loop on hostile input.
 */
const MAX_TAGS = 8;

/**
 * Follows an EtherType found at the end of a link header (Ethernet, SLL, SLL2):
 * VLAN tags (802.1Q, 802.1ad, 0x9100) stacked in any order, each 4 bytes
 * (TCI, then the next EtherType; IEEE 802.1Q §9.5), and a PPPoE session header
 * (RFC 2516 §4: ver/type, code, session id, length; then the 2-byte PPP protocol).
 */
export function followEthertype(buf: Buffer, off: number, end: number, type: number, out: LinkResult): void {
  for (let tags = 0; tags <= MAX_TAGS; tags++) {
    switch (type) {
      case ETHERTYPE.IPV4:
        // Wireshark also hands an EtherType 0x0800 frame whose version nibble is 6 to IPv6.
        out.net = NET.IP_ANY;
        out.offset = off;
        out.end = end;
        return;
      case ETHERTYPE.IPV6:
        out.net = NET.IPV6;
        out.offset = off;
        out.end = end;
        return;
      case ETHERTYPE.VLAN:
      case ETHERTYPE.QINQ_8021AD:
      case ETHERTYPE.QINQ_9100:
        if (off + 4 > end) {
          out.net = NET.TRUNCATED;
          return;
        }
        type = u16(buf, off + 2);
        off += 4;
        continue;
      case ETHERTYPE.PPPOE_SESSION: {
        if (off + 8 > end) {
          out.net = NET.TRUNCATED;
          return;
        }
        // The PPPoE length counts the PPP protocol field and the payload; it ends the
        // IP data before any Ethernet padding (RFC 2516 §4).
        const pppEnd = off + 6 + u16(buf, off + 4);
        const proto = u16(buf, off + 6);
        out.offset = off + 8;
        out.end = pppEnd < end ? pppEnd : end;
        out.net = proto === PPP_IPV4 ? NET.IPV4 : proto === PPP_IPV6 ? NET.IPV6 : NET.OTHER;
        return;
      }
      default:
        out.net = NET.OTHER;
        return;
    }
  }
  out.net = NET.OTHER;
}
