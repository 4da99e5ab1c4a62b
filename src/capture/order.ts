/**
 * interface.md: "Several files are read as one capture in time order (rotated captures)".
 * A rotated set given as `capture_*.pcap` sorts by name, which is not always time order
 * (capture_10 before capture_2), so the inputs are ordered by the time of their first
 * packet. Only the first chunk of each file is read for that.
 */
import * as fsp from 'node:fs/promises';
import { gunzipHead, isGzip } from './compressed.js';
import { sniffFormat } from './sniff.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import { compareTime, type Time } from '../util/time.js';

/** Bytes read to find the first packet (a pcapng file may open with long blocks). */
export const FIRST_PACKET_PROBE_BYTES = 1024 * 1024;
/** Compressed bytes inflated for that in a gzip file (its output is capped at 16 x the probe). */
const GZIP_PROBE_BYTES = 128 * 1024;

/** The time of a file's first packet, or null when it cannot be told cheaply (NetMon, damage, unreadable). */
export async function firstPacketTime(file: string): Promise<Time | null> {
  let fh: fsp.FileHandle | null = null;
  try {
    fh = await fsp.open(file, 'r');
    const buf = Buffer.alloc(FIRST_PACKET_PROBE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let head: Buffer = buf.subarray(0, bytesRead);
    if (isGzip(head)) {
      // Rotated captures are often gzip'ed one by one: the first packet is in the first inflated bytes.
      const inflated = gunzipHead(head.subarray(0, GZIP_PROBE_BYTES), FIRST_PACKET_PROBE_BYTES * 16);
      if (inflated === null) return null;
      head = inflated;
    }
    const sniff = sniffFormat(head);
    if ('error' in sniff || sniff.format === 'netmon') return null;
    let first: Time | null = null;
    const onPacket = (p: { time: Time }) => {
      first ??= { sec: p.time.sec, nsec: p.time.nsec };
    };
    const parser = sniff.format === 'pcap' ? new PcapParser(file, onPacket, 1) : new PcapngParser(file, onPacket, 1);
    parser.push(head);
    return first;
  } catch {
    return null; // readCaptures reports unreadable inputs with the proper message
  } finally {
    await fh?.close();
  }
}

/**
 * Inputs in the order of their first packets (stable: ties and unknown times keep the
 * order given). Standard input stays where it is given: it cannot be peeked at.
 */
export async function orderByFirstPacket(inputs: readonly string[]): Promise<string[]> {
  if (inputs.length < 2 || inputs.includes('-')) return [...inputs];
  const times = await Promise.all(inputs.map((f) => firstPacketTime(f)));
  const idx = inputs.map((_, i) => i);
  idx.sort((a, b) => {
    const ta = times[a];
    const tb = times[b];
    if (ta && tb) return compareTime(ta, tb) || a - b;
    return a - b;
  });
  return idx.map((i) => inputs[i]!);
}
