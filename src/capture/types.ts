import type { Precision, Time } from '../util/time.js';

/** The capture formats we read; chosen by magic bytes, never by file name. */
export const CAPTURE_FORMATS = ['pcap', 'pcapng', 'netmon'] as const;
export type CaptureFormat = (typeof CAPTURE_FORMATS)[number];

/**
 * One captured frame.
 * `data` is a BORROWED view into the reader's chunk buffer: valid only until the
 * packet callback returns. A consumer that keeps bytes must copy them (gopacket's rule).
 * The Packet object itself is borrowed too: a reader may refill one object for every
 * record (pcap.ts does), so keep its fields (`time` objects are never reused), not it.
 */
export interface Packet {
  /** 1-based, as Wireshark numbers frames; continues across several input files. */
  readonly frame: number;
  readonly time: Time;
  /** DLT / LINKTYPE_* value (pcapng: the interface's; NetMon: mapped from its media type). */
  readonly linkType: number;
  readonly data: Buffer;
  /** Length on the wire; greater than data.length when the snap length cut the packet. */
  readonly origLength: number;
  /** Byte offset of the packet's record (header) in its input. */
  readonly fileOffset: number;
  /**
   * Optional (additive): `data` is chunk[dataStart, dataEnd). The pcap reader sets
   * these and builds the `data` view only when it is asked for, so that the decoder,
   * which works on offsets, costs no view per packet. Borrowed exactly like `data`.
   */
  readonly chunk?: Buffer;
  readonly dataStart?: number;
  readonly dataEnd?: number;
}

/** Where a capture is damaged. Reported, not thrown past (habit 7). */
export interface CaptureDamage {
  readonly file: string;
  readonly offset: number;
  /** e.g. 'packet record 17', 'pcapng block 0x00000006 #12', 'frame table'. */
  readonly block: string;
  readonly reason: string;
}

/** What a reader says about one input when it is done. */
export interface CaptureSummary {
  file: string;
  format: CaptureFormat;
  /** 'pcap' µs or ns, both byte orders; detail for people. */
  variant: string;
  precision: Precision;
  linkTypes: number[];
  packets: number;
  bytes: number;
  first: Time | null;
  last: Time | null;
  /** Packets whose captured length is smaller than the original length. */
  truncatedPackets: number;
  damage: CaptureDamage | null;
  /** Live capture: packets lost before they reached us. Null for a file (it holds what was captured). */
  drops: CaptureDrops | null;
}

/** What a live capture lost on the way in (libpcap's pcap_stats). */
export interface CaptureDrops {
  /** Matched the filter but found the kernel's capture buffer full (ps_drop); null: unknown. */
  kernel: number | null;
  /** Lost by the interface itself while capturing (ps_ifdrop); null: unknown. */
  interface: number | null;
  /** Why `kernel` is unknown, in words; null when it is known. */
  unavailable: string | null;
}

export type PacketCallback = (p: Packet) => void;
