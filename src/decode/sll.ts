import { followEthertype } from './ethertype.js';
import { NET, u16, type LinkResult } from './link-result.js';

/**
 * Linux "cooked" captures (tcpdump -i any).
 * SLL (LINKTYPE_LINUX_SLL, 113), https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html:
 *   packet type(2) ARPHRD type(2) address length(2) address(8) protocol type(2) = 16 bytes.
 * SLL2 (LINKTYPE_LINUX_SLL2, 276), https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html:
 *   protocol type(2) reserved(2) interface index(4) ARPHRD type(2) packet type(1)
 *   address length(1) address(8) = 20 bytes.
 * The protocol type is an EtherType for the ARPHRD types that carry IP; values
 * below 0x0600 (802.2 LLC, CAN, ...) are not IP.
 */
const SLL_HEADER = 16;
const SLL2_HEADER = 20;

export function decodeSll(buf: Buffer, start: number, end: number, out: LinkResult): void {
  if (start + SLL_HEADER > end) {
    out.net = NET.TRUNCATED;
    return;
  }
  followEthertype(buf, start + SLL_HEADER, end, u16(buf, start + 14), out);
}

export function decodeSll2(buf: Buffer, start: number, end: number, out: LinkResult): void {
  if (start + SLL2_HEADER > end) {
    out.net = NET.TRUNCATED;
    return;
  }
  followEthertype(buf, start + SLL2_HEADER, end, u16(buf, start), out);
}
