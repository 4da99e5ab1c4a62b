/**
 * Decode anomaly kinds, declared once (habit 1): the union type and the list of
 * ids come from this array. Each is an observation about one packet (or one
 * fragment train), reported through DecodeSink.anomaly and never thrown.
 */
export const DECODE_ANOMALY_KINDS = [
  /** A link type with no decoder in link-types.ts; reported once per link type. */
  'unsupported-link-type',
  /** The frame ends inside the link-layer header (or a VLAN/PPPoE header). */
  'link-truncated',
  /** Fewer captured bytes than the IP header needs (20 for IPv4 / IHL*4, 40 for IPv6, extension headers). */
  'ip-truncated-header',
  /** IPv4 IHL < 5, total length < IHL*4, or an IP version nibble that fits no decoder. */
  'ip-bad-header',
  /** An extension header claims more bytes than the IPv6 payload holds. */
  'ipv6-bad-extension-header',
  /** TCP header shorter than 20 bytes, or its data offset runs past the captured bytes. */
  'tcp-truncated-header',
  /** TCP data offset < 5 or beyond the segment length the IP header claims. */
  'tcp-bad-data-offset',
  /** A fragment train older than LIMITS.fragmentTimeoutSec, dropped unassembled. */
  'ip-fragment-timeout',
  /** Still incomplete at the end of the capture (flush). */
  'ip-fragment-incomplete',
  /** More than LIMITS.maxFragmentTrains trains at once: the oldest is dropped. */
  'ip-fragment-overflow',
  /** A train whose data would exceed LIMITS.maxFragmentBytes: dropped. */
  'ip-fragment-too-big',
  /** Overlapping fragments whose bytes differ (the lower offset, then the earlier arrival, wins). */
  'ip-fragment-overlap-conflict',
  /** Two last fragments (MF = 0) with different ends, or a fragment past the end: the first end wins. */
  'ip-fragment-bad-length',
  /** A fragment cut by the snap length: its bytes are unknown, so it cannot be reassembled. */
  'ip-fragment-truncated',
] as const;

export type DecodeAnomalyKind = (typeof DECODE_ANOMALY_KINDS)[number];
