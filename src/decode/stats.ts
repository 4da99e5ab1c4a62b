/**
 * What the decoder did with each packet. Every packet lands in exactly one
 * outcome counter (tcp, nonTcp, nonIp, unsupportedLink, truncated, malformed,
 * fragmentHeld), so the outcomes sum to `packets`; the rest are extra facts.
 * A fragment that completes a train takes the outcome of the reassembled datagram.
 */
export interface DecodeStats {
  packets: number;
  /** Segments handed to the sink. */
  tcp: number;
  /** IPv4/IPv6 carrying another protocol (UDP, ICMP, ESP, ...). */
  nonTcp: number;
  /** Link frames carrying neither IPv4 nor IPv6 (ARP, LLDP, STP, ...). */
  nonIp: number;
  /** Packets of a link type without a decoder. */
  unsupportedLink: number;
  /** Cut (by the snap length or a short frame) before a complete link, IP or TCP header. */
  truncated: number;
  /** Headers that contradict themselves (IHL < 5, data offset < 5, bad version). */
  malformed: number;
  /** Fragments held for reassembly (a completing fragment counts as its datagram instead). */
  fragmentHeld: number;
  /** Datagrams reassembled from fragments. */
  reassembled: number;
  /** Fragment trains dropped (timeout, overflow, too big, incomplete at flush). */
  fragmentTrainsDropped: number;
  /** Link types seen without a decoder, in order of first sight. */
  unsupportedLinkTypes: number[];
  /** Anomalies reported to the sink. */
  anomalies: number;
}

export function createStats(): DecodeStats {
  return {
    packets: 0,
    tcp: 0,
    nonTcp: 0,
    nonIp: 0,
    unsupportedLink: 0,
    truncated: 0,
    malformed: 0,
    fragmentHeld: 0,
    reassembled: 0,
    fragmentTrainsDropped: 0,
    unsupportedLinkTypes: [],
    anomalies: 0,
  };
}
