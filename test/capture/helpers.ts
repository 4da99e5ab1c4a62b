import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureParser } from '../../src/capture/framed.js';
import type { CaptureSummary, Packet, PacketCallback } from '../../src/capture/types.js';

export const CONFORMANCE = '/work/shared/conformance';

/** A packet reduced to what must be identical however the input was chunked (data copied). */
export interface PacketRecord {
  frame: number;
  sec: number;
  nsec: number;
  linkType: number;
  origLength: number;
  fileOffset: number;
  data: string;
}

export function record(p: Packet): PacketRecord {
  return {
    frame: p.frame,
    sec: p.time.sec,
    nsec: p.time.nsec,
    linkType: p.linkType,
    origLength: p.origLength,
    fileOffset: p.fileOffset,
    data: p.data.toString('hex'),
  };
}

export type ParserFactory = (onPacket: PacketCallback) => CaptureParser;

/** Feeds `buf` in the given pieces (cut points), returns packets and summary. */
export function feed(make: ParserFactory, buf: Buffer, cuts: number[]): { packets: PacketRecord[]; summary: CaptureSummary } {
  const packets: PacketRecord[] = [];
  const parser = make((p) => packets.push(record(p)));
  let prev = 0;
  for (const c of [...cuts, buf.length]) {
    // Copy each piece into a buffer that is then scribbled over, as a reused read
    // buffer would be: any packet that kept a view would show the damage.
    const piece = Buffer.from(buf.subarray(prev, c));
    parser.push(piece);
    piece.fill(0xee);
    prev = c;
  }
  parser.end();
  return { packets, summary: parser.summary() };
}

export function chunkCuts(len: number, size: number): number[] {
  const cuts: number[] = [];
  for (let o = size; o < len; o += size) cuts.push(o);
  return cuts;
}

export const ODD_CHUNKS = [1, 2, 3, 5, 7, 13, 4096] as const;

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'smtpscope-capture-test-'));
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 });
}

/** tshark's view: one [frame.len, frame.cap_len, frame.time_epoch] per frame. */
export function tsharkFields(file: string): string[][] {
  return run('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch'])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

export function epoch(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

/** Classic µs pcaps among the conformance captures (by magic, not by name). */
export function conformancePcaps(): string[] {
  const out: string[] = [];
  for (const d of ['zeek', 'suricata-verify']) {
    for (const f of readdirSync(join(CONFORMANCE, d))) if (f.endsWith('.pcap')) out.push(join(CONFORMANCE, d, f));
  }
  return out.sort();
}
