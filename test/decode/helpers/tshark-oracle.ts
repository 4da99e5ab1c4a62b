/**
 * Differential oracle: the same capture through tshark and through our decoder,
 * one row per TCP segment, compared by frame number.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { createDecoder } from '../../../src/decode/index.js';
import type { DecodeAnomaly } from '../../../src/decode/types.js';
import { readPcap } from './pcap-reader.js';

const run = promisify(execFile);

export interface Row {
  frame: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  len: number;
  /** Captured payload as hex; filled only when asked for (withPayload). */
  payload?: string;
}

/** Columns in the order the tshark command prints them. */
const FIELDS = ['frame.number', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.len'];

/**
 * ICMP errors quote an IP+TCP header, which tshark dissects as tcp; they are not
 * segments of a flow, so both sides leave them out.
 */
const FILTER = 'tcp && !icmp && !icmpv6';

export async function tsharkRows(file: string, withPayload = false): Promise<Row[]> {
  const args = ['-n', '-r', file, '-Y', FILTER, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=l'];
  for (const f of FIELDS) args.push('-e', f);
  if (withPayload) args.push('-e', 'tcp.payload');
  let stdout: string;
  try {
    ({ stdout } = await run('tshark', args, { maxBuffer: 256 * 1024 * 1024 }));
  } catch (e) {
    // tshark exits non-zero on a damaged file after printing what it read.
    stdout = (e as { stdout?: string }).stdout ?? '';
  }
  const rows: Row[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const c = line.split('\t');
    const num = (i: number): number => (c[i] === undefined || c[i] === '' ? NaN : Number(c[i]));
    rows.push({
      frame: num(0),
      src: c[1] || c[2] || '',
      dst: c[3] || c[4] || '',
      srcPort: num(5),
      dstPort: num(6),
      seq: num(7),
      ack: num(8),
      flags: num(9) & 0xff,
      len: num(10),
      ...(withPayload ? { payload: (c[11] ?? '').replace(/:/g, '') } : {}),
    });
  }
  return rows;
}

/** pcapng → pcap through editcap, into a temp dir; pcap files pass through. */
export async function asPcap(file: string): Promise<string> {
  if (!file.endsWith('.pcapng')) return file;
  const dir = mkdtempSync(join(tmpdir(), 'decode-'));
  const out = join(dir, basename(file).replace(/\.pcapng$/, '.pcap'));
  await run('editcap', ['-F', 'pcap', file, out]);
  return out;
}

export function formatIp(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  // RFC 5952 §4: lower-case hex, no leading zeros, the longest run (>1) of zero groups as '::'.
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export interface OurResult {
  rows: Row[];
  anomalies: DecodeAnomaly[];
  packets: number;
  damaged: boolean;
}

export function decoderRows(pcapFile: string, withPayload = false): OurResult {
  const pcap = readPcap(readFileSync(pcapFile));
  const rows: Row[] = [];
  const anomalies: DecodeAnomaly[] = [];
  const decoder = createDecoder({
    segment(s) {
      rows.push({
        frame: s.frame,
        src: formatIp(s.src),
        dst: formatIp(s.dst),
        srcPort: s.srcPort,
        dstPort: s.dstPort,
        seq: s.seq,
        ack: s.ack,
        flags: s.flags,
        len: s.payloadLength,
        ...(withPayload ? { payload: s.payload.toString('hex') } : {}),
      });
    },
    anomaly(a) {
      anomalies.push(a);
    },
  });
  for (const p of pcap.packets) decoder.packet(p);
  decoder.flush();
  return { rows, anomalies, packets: pcap.packets.length, damaged: pcap.damaged };
}

export interface Disagreement {
  frame: number;
  ours: Row | null;
  tshark: Row | null;
}

/** Rows compared field by field; frames present on one side only are disagreements too. */
export function compareRows(ours: readonly Row[], theirs: readonly Row[]): Disagreement[] {
  const byFrame = new Map<number, Row>(ours.map((r) => [r.frame, r]));
  const out: Disagreement[] = [];
  for (const t of theirs) {
    const o = byFrame.get(t.frame) ?? null;
    byFrame.delete(t.frame);
    if (o === null || JSON.stringify(o) !== JSON.stringify(normaliseAck(t, o))) out.push({ frame: t.frame, ours: o, tshark: t });
  }
  for (const o of byFrame.values()) out.push({ frame: o.frame, ours: o, tshark: null });
  return out.sort((a, b) => a.frame - b.frame);
}

/** tshark prints no tcp.ack_raw when the ACK flag is clear; the header field is still there. */
function normaliseAck(t: Row, o: Row): Row {
  return Number.isNaN(t.ack) && (o.flags & 0x10) === 0 ? { ...t, ack: o.ack } : t;
}
