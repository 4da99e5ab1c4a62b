import { decodeEthernet } from './ethernet.js';
import { NET, type LinkDecoder, type LinkResult } from './link-result.js';
import { decodeLoop, decodeNull } from './null-loopback.js';
import { decodeSll, decodeSll2 } from './sll.js';

/** Raw IP: the packet starts with the IP header; its version nibble says which. */
function decodeRawIp(_buf: Buffer, start: number, end: number, out: LinkResult): void {
  out.net = NET.IP_ANY;
  out.offset = start;
  out.end = end;
}

function decodeRawIpv4(_buf: Buffer, start: number, end: number, out: LinkResult): void {
  out.net = NET.IPV4;
  out.offset = start;
  out.end = end;
}

function decodeRawIpv6(_buf: Buffer, start: number, end: number, out: LinkResult): void {
  out.net = NET.IPV6;
  out.offset = start;
  out.end = end;
}

/**
 * The one table from LINKTYPE_* value (https://www.tcpdump.org/linktypes.html)
 * to decoder. Anything missing is counted as an unsupported link type.
 */
export const LINK_TYPES = [
  { linkType: 0, name: 'NULL', decode: decodeNull },
  { linkType: 1, name: 'ETHERNET', decode: decodeEthernet },
  // DLT 12 and 14 are DLT_RAW on most platforms (12 is LOOP only on OpenBSD,
  // where pcap files get 108 instead); libpcap writes LINKTYPE_RAW (101) for them.
  { linkType: 12, name: 'RAW (DLT 12)', decode: decodeRawIp },
  { linkType: 14, name: 'RAW (DLT 14)', decode: decodeRawIp },
  { linkType: 101, name: 'RAW', decode: decodeRawIp },
  { linkType: 108, name: 'LOOP', decode: decodeLoop },
  { linkType: 113, name: 'LINUX_SLL', decode: decodeSll },
  { linkType: 228, name: 'IPV4', decode: decodeRawIpv4 },
  { linkType: 229, name: 'IPV6', decode: decodeRawIpv6 },
  { linkType: 276, name: 'LINUX_SLL2', decode: decodeSll2 },
] as const satisfies readonly { linkType: number; name: string; decode: LinkDecoder }[];

const BY_TYPE = new Map<number, LinkDecoder>(LINK_TYPES.map((l) => [l.linkType, l.decode]));

export function linkDecoder(linkType: number): LinkDecoder | undefined {
  return BY_TYPE.get(linkType);
}

export const SUPPORTED_LINK_TYPES: readonly number[] = LINK_TYPES.map((l) => l.linkType);
