import type { DecodeAnomalyKind } from './anomalies.js';

/** What the IPv4/IPv6 header parsers found. */
export const IP = {
  TCP: 0,
  NON_TCP: 1,
  TRUNCATED: 2,
  MALFORMED: 3,
  /** A piece of a fragmented datagram: see fragOffset/more/fragId. */
  FRAGMENT: 4,
} as const;
export type IpStatus = (typeof IP)[keyof typeof IP];

/**
 * Filled by the parsers into a caller-owned object (no allocation per packet).
 * Offsets index the packet buffer.
 */
export interface IpResult {
  status: IpStatus;
  version: 4 | 6;
  /** Source address offset; the destination follows it (4 or 16 bytes each). */
  srcOff: number;
  /** Start of the transport header (TCP) or, for a fragment, of the fragment's data. */
  l4Start: number;
  /** End of the captured IP payload: min(frame end, what the header claims). Ethernet padding is beyond it. */
  capEnd: number;
  /** Where the IP header says the payload ends; beyond capEnd when the snap length cut the packet. */
  claimedEnd: number;
  /** IPv4 protocol, or the IPv6 next header of the (fragmentable) payload. */
  proto: number;
  fragOffset: number;
  more: boolean;
  fragId: number;
  anomaly: DecodeAnomalyKind | null;
  detail: string;
}

export function newIpResult(): IpResult {
  return {
    status: IP.NON_TCP,
    version: 4,
    srcOff: 0,
    l4Start: 0,
    capEnd: 0,
    claimedEnd: 0,
    proto: 0,
    fragOffset: 0,
    more: false,
    fragId: 0,
    anomaly: null,
    detail: '',
  };
}

export const IPPROTO_TCP = 6;
