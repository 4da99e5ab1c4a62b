import type { Time } from '../util/time.js';

/** Direction of bytes within a flow. Client = the side that sent the SYN (or, mid-stream, the non-server-port side). */
export type Dir = 'c2s' | 's2c';
export const DIRS = ['c2s', 's2c'] as const satisfies readonly Dir[];

export type CloseReason = 'fin' | 'rst' | 'timeout' | 'capture-end';

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** Per-direction counters kept by tcp/ for reports and transport rules. */
export interface HalfStats {
  segments: number;
  dataSegments: number;
  /** Payload bytes delivered in order (no duplicates). */
  bytes: number;
  /** Segments whose bytes were all already delivered or held. */
  retransmissions: number;
  /** Segments that arrived ahead of a hole and were held. */
  outOfOrder: number;
  /** Held bytes that disagreed with what was kept (first copy wins). */
  conflictingBytes: number;
  gaps: number;
  gapBytes: number;
  zeroWindow: number;
  /** Keep-alive probes (seq = next - 1, 0 or 1 byte): not data, not retransmissions. */
  keepAlives: number;
  /** Segments carrying bytes past this direction's FIN; those bytes are dropped. */
  ignoredAfterFin: number;
  synFrame: number | null;
  finFrame: number | null;
  rstFrame: number | null;
}

/** One TCP connection, numbered like Wireshark's tcp.stream. Live object: counters grow. */
export interface Flow {
  /** Wireshark's tcp.stream index for the same capture. */
  readonly tcpStream: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** How we chose who is client: 'syn', 'syn-ack', or 'port' (mid-stream guess). */
  readonly roleBy: 'syn' | 'syn-ack' | 'port';
  /** True when the SYN from the client was seen. */
  sawSyn: boolean;
  sawSynAck: boolean;
  readonly firstFrame: number;
  lastFrame: number;
  readonly firstTime: Time;
  lastTime: Time;
  /** Number of packets of this flow. */
  frames: number;
  readonly stats: { c2s: HalfStats; s2c: HalfStats };
  closeReason: CloseReason | null;
}

/**
 * What tcp/ delivers. Gaps and ends are deliveries, not exceptions
 * (Zeek's Undelivered, gopacket's Skip).
 * `bytes` is a BORROWED view, valid until the listener returns: copy what you keep.
 */
export type StreamEvent =
  | { type: 'open'; flow: Flow; frame: number; time: Time }
  | {
      type: 'data';
      flow: Flow;
      dir: Dir;
      bytes: Buffer;
      /**
       * Optional (additive): `bytes` is buf[start, end). tcp/ sets them and builds the
       * `bytes` view only when it is read; smtp/ works on the offsets. Borrowed like `bytes`.
       */
      buf?: Buffer;
      start?: number;
      end?: number;
      streamOffset: number;
      frame: number;
      time: Time;
    }
  | {
      type: 'gap';
      flow: Flow;
      dir: Dir;
      /** Stream offset (bytes since the start of the direction) where the hole starts. */
      streamOffset: number;
      length: number | 'unknown';
      /** The frame after the hole (or the last frame seen when the hole is at the end). */
      frame: number;
      time: Time;
    }
  | {
      type: 'close';
      flow: Flow;
      reason: CloseReason;
      /** Why a 'timeout' close happened: idle too long, evicted at the flow limit, or the 4-tuple reused by a new SYN. */
      cause?: 'idle' | 'evicted' | 'port-reuse';
      frame: number;
      time: Time;
    };

export type StreamListener = (ev: StreamEvent) => void;
