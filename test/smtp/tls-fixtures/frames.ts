/**
 * Test support for the TLS record parser: loads recorded frame files (format in
 * README.md) and replays them through createTlsParser, whole or re-chunked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dir } from '../../../src/tcp/events.js';
import { createTlsParser, type TlsEvent } from '../../../src/smtp/tls-records.js';

export interface Frame {
  dir: Dir;
  bytes: Buffer;
}

const here = path.dirname(fileURLToPath(import.meta.url));

export function fixturePath(name: string): string {
  return path.join(here, name);
}

/** Frame file: repeated [dir u8: 0 = c2s, 1 = s2c][length u32 BE][bytes]. */
export function loadFrames(name: string): Frame[] {
  const buf = fs.readFileSync(fixturePath(name));
  const out: Frame[] = [];
  let o = 0;
  while (o < buf.length) {
    const dir: Dir = buf[o] === 0 ? 'c2s' : 's2c';
    const len = buf.readUInt32BE(o + 1);
    out.push({ dir, bytes: buf.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return out;
}

/** Splits one frame's payload into the pieces pushed for it. */
export type Chunker = (bytes: Buffer, globalOffset: number) => Buffer[];

export const whole: Chunker = (b) => [b];

export function fixedChunks(size: number): Chunker {
  return (b) => {
    const out: Buffer[] = [];
    for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
    return out;
  };
}

/** Splits the frame that holds stream offset `at` (counted over all frames) at that point. */
export function splitAt(at: number): Chunker {
  return (b, g) => (at > g && at < g + b.length ? [b.subarray(0, at - g), b.subarray(at - g)] : [b]);
}

export interface Run {
  events: TlsEvent[];
  established: boolean;
  /** `established` after each frame, to check when it turns true. */
  establishedAfter: boolean[];
}

/**
 * Frame numbers are 1-based indexes into `frames` (+ firstFrame - 1); time is
 * the frame number in seconds. Pieces are pushed as copies that are then
 * overwritten, which proves the parser does not keep borrowed views.
 */
/**
 * `embedded`: each piece is pushed as bytes[start, end) of a larger buffer whose other
 * octets look like TLS record headers (0x16 0x03 0x03 ...), the way smtp/ hands over a
 * delivery's range of the read buffer: reading outside the range would change the events.
 */
export function replay(frames: Frame[], chunker: Chunker = whole, firstFrame = 1, embedded = false): Run {
  const events: TlsEvent[] = [];
  const p = createTlsParser((ev) => events.push(structuredClone(ev)));
  const establishedAfter: boolean[] = [];
  let g = 0;
  frames.forEach((f, k) => {
    const frame = firstFrame + k;
    for (const piece of chunker(f.bytes, g)) {
      if (embedded) {
        const around = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x05, 0x01, 0x00]);
        const big = Buffer.concat([around, piece, around]);
        p.push(f.dir, big, frame, { sec: frame, nsec: 0 }, around.length, around.length + piece.length);
        big.fill(0xee);
        continue;
      }
      const borrowed = Buffer.from(piece);
      p.push(f.dir, borrowed, frame, { sec: frame, nsec: 0 });
      borrowed.fill(0xee);
    }
    g += f.bytes.length;
    establishedAfter.push(p.established);
  });
  p.end('c2s');
  p.end('s2c');
  return { events, established: p.established, establishedAfter };
}

export function totalBytes(frames: Frame[]): number {
  return frames.reduce((n, f) => n + f.bytes.length, 0);
}
