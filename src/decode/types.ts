import type { Time } from '../util/time.js';

/** TCP flag bits as in the header's byte 13. */
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/**
 * A TCP segment decoded from one packet (or from a reassembled IPv4 fragment train).
 * `payload`, `src` and `dst` are BORROWED views into the packet buffer (or into an owned
 * reassembly buffer): valid until the segment callback returns. So is the Segment object
 * itself: createDecoder refills one object per segment; keep fields (a `time` is never
 * reused), not the Segment.
 */
export interface Segment {
  readonly frame: number;
  readonly time: Time;
  readonly ipVersion: 4 | 6;
  /** Raw address bytes: 4 (IPv4) or 16 (IPv6). */
  readonly src: Buffer;
  readonly dst: Buffer;
  /**
   * Optional (additive): the buffer holding both addresses, the source at addrOffset
   * and the destination right after it (4 or 16 bytes each). createDecoder sets them
   * so the flow table can key a flow without the src/dst views, which it then builds
   * only on demand; other producers (tests) may give src/dst alone.
   */
  readonly addr?: Buffer;
  readonly addrOffset?: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  /** Captured payload bytes. */
  readonly payload: Buffer;
  /**
   * Optional (additive): `payload` is payloadBuf[payloadStart, payloadEnd). createDecoder
   * sets them and builds the `payload` view only when asked, so that tcp/ and smtp/, which
   * work on offsets, cost no view per segment. Borrowed exactly like `payload`.
   */
  readonly payloadBuf?: Buffer;
  readonly payloadStart?: number;
  readonly payloadEnd?: number;
  /**
   * Payload length the IP header claims. Greater than payload.length when the snap
   * length cut the packet: the missing tail is a gap, never invented.
   */
  readonly payloadLength: number;
}

/** Something in a packet that we could not decode; counted and reported, never thrown. */
export interface DecodeAnomaly {
  readonly frame: number;
  readonly kind: string;
  readonly detail: string;
}

export interface DecodeSink {
  segment(s: Segment): void;
  anomaly?(a: DecodeAnomaly): void;
}
