/**
 * A tiny classic-pcap reader for decode tests only (src/capture/ is written
 * separately). Handles µs (0xa1b2c3d4) and ns (0xa1b23c4d) magics in both byte
 * orders; stops at the first damaged or short record, as tshark does.
 * Format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
 */
import type { Packet } from '../../../src/capture/types.js';

export interface PcapFile {
  linkType: number;
  packets: Packet[];
  damaged: boolean;
}

const MAX_RECORD = 256 * 1024;

export function readPcap(file: Buffer): PcapFile {
  if (file.length < 24) throw new Error('not a pcap file: short header');
  const magicLE = file.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nano = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = file.readUInt32BE(0);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new Error(`not a pcap file: magic ${magicBE.toString(16)}`);
    le = false;
    nano = magicBE === 0xa1b23c4d;
  }
  const r32 = (o: number): number => (le ? file.readUInt32LE(o) : file.readUInt32BE(o));
  // The link type sits in the low 16 bits of the last header word (the upper bits hold FCS info).
  const linkType = r32(20) & 0xffff;
  const packets: Packet[] = [];
  let off = 24;
  let damaged = false;
  while (off < file.length) {
    if (off + 16 > file.length) {
      damaged = true;
      break;
    }
    const sec = r32(off);
    const frac = r32(off + 4);
    const incl = r32(off + 8);
    const orig = r32(off + 12);
    if (incl > MAX_RECORD || off + 16 + incl > file.length) {
      damaged = true;
      break;
    }
    packets.push({
      frame: packets.length + 1,
      time: { sec, nsec: nano ? frac : frac * 1000 },
      linkType,
      data: file.subarray(off + 16, off + 16 + incl),
      origLength: orig,
      fileOffset: off,
    });
    off += 16 + incl;
  }
  return { linkType, packets, damaged };
}

/** Writes a classic µs little-endian pcap (for building fixtures in tests). */
export function writePcap(linkType: number, frames: readonly Buffer[], startSec = 1_700_000_000): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkType, 20);
  const parts: Buffer[] = [header];
  frames.forEach((f, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(startSec + i, 0);
    rec.writeUInt32LE(0, 4);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    parts.push(rec, f);
  });
  return Buffer.concat(parts);
}
