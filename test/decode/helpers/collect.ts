import type { Packet } from '../../../src/capture/types.js';
import { createDecoder, type DecoderOptions, type DecodeStats } from '../../../src/decode/index.js';
import type { DecodeAnomaly } from '../../../src/decode/types.js';
import { formatIp } from './tshark-oracle.js';

/** A segment with its borrowed views turned into owned values. */
export interface SegmentSummary {
  frame: number;
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  payload: string;
  payloadLength: number;
}

export interface Collected {
  segments: SegmentSummary[];
  anomalies: DecodeAnomaly[];
  stats: DecodeStats;
}

export function decodeAll(packets: readonly Packet[], opts: DecoderOptions = {}, flush = true): Collected {
  const segments: SegmentSummary[] = [];
  const anomalies: DecodeAnomaly[] = [];
  const d = createDecoder(
    {
      segment(s) {
        segments.push({
          frame: s.frame,
          ipVersion: s.ipVersion,
          src: formatIp(s.src),
          dst: formatIp(s.dst),
          srcPort: s.srcPort,
          dstPort: s.dstPort,
          seq: s.seq,
          ack: s.ack,
          flags: s.flags,
          window: s.window,
          payload: s.payload.toString('latin1'),
          payloadLength: s.payloadLength,
        });
      },
      anomaly(a) {
        anomalies.push(a);
      },
    },
    opts,
  );
  for (const p of packets) d.packet(p);
  if (flush) d.flush();
  return { segments, anomalies, stats: d.stats() };
}

/** The outcome counters must account for every packet exactly once. */
export function outcomeSum(s: DecodeStats): number {
  return s.tcp + s.nonTcp + s.nonIp + s.unsupportedLink + s.truncated + s.malformed + s.fragmentHeld;
}
