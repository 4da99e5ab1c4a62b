/**
 * What a link-layer decoder finds: which network protocol follows and where.
 * Decoders fill a caller-owned object instead of returning a new one, so the
 * per-packet path allocates nothing here.
 */
export const NET = {
  /** Neither IPv4 nor IPv6 (ARP, LLDP, IPX, ...). */
  OTHER: 0,
  /** IP, version taken from the first nibble (raw IP link types). */
  IP_ANY: 1,
  IPV4: 4,
  IPV6: 6,
  /** The frame ends inside the link-layer header. */
  TRUNCATED: -1,
} as const;
export type Net = (typeof NET)[keyof typeof NET];

export interface LinkResult {
  net: Net;
  /** Offset of the network header in the packet buffer. */
  offset: number;
  /** End of the network data (exclusive); a PPPoE length may end it before the frame does. */
  end: number;
}

export function newLinkResult(): LinkResult {
  return { net: NET.OTHER, offset: 0, end: 0 };
}

/** Decodes the link header of buf[start, end) into `out`. Never throws. */
export type LinkDecoder = (buf: Buffer, start: number, end: number, out: LinkResult) => void;

/** Big-endian 16-bit read without bounds checks; callers check bounds first. */
export function u16(buf: Buffer, i: number): number {
  return (buf[i]! << 8) | buf[i + 1]!;
}

/** Big-endian 32-bit read (unsigned) without bounds checks. */
export function u32(buf: Buffer, i: number): number {
  return ((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) >>> 0;
}
