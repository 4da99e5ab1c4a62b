import { LIMITS } from '../limits.js';
import type { Time } from '../util/time.js';
import { SummaryBuilder } from './summary.js';
import type { CaptureDamage, CaptureSummary, PacketCallback } from './types.js';

/**
 * Microsoft Network Monitor 2.x capture files, laid out as Wireshark's
 * wiretap/netmon.c reads them (Microsoft never published the format):
 *
 *   header (64 bytes, little-endian): 'GMBU', minor version (1), major version (1),
 *     network/media type (2), capture start as a SYSTEMTIME (8 × u16: year, month,
 *     day of week, day, hour, minute, second, millisecond), frame table offset (4)
 *     and length (4), then user data, comment, process info and network info
 *     offset/length pairs.
 *   frame table: one u32 file offset per frame, in frame order. Frames may lie
 *     anywhere in the file, so the table, not the file order, defines the capture.
 *   frame (2.x): time stamp offset from the capture start in µs (u64), original
 *     length (u32), captured length (u32), data; from version 2.1 a trailer follows
 *     the data whose first field is the frame's own media type (2.1: 2 bytes,
 *     2.2: +process info index = 6 bytes, 2.3+: +UTC time stamp and time zone = 15 bytes).
 */
export const NETMON_HEADER_BYTES = 64;
const FRAME_HEADER = 16;
/** Where writers put the first frame (the table gives it; without one, see readNetmon's inFileOrder). */
const FIRST_FRAME_OFFSET = 128;
/** Frame table entries read per positioned read; bounds memory for huge tables. */
const TABLE_ENTRIES_PER_READ = 65_536;

/**
 * NetMon media types with no pcap LINKTYPE are passed on as this base plus the
 * media type: outside the DLT space, so decode/ reports them unsupported.
 */
export const NETMON_LINKTYPE_BASE = 0x1_0000;
/** Wireshark's NETMON_NET_PCAP_BASE: media type 0xE000 | LINKTYPE carries a pcap link type. */
const NETMON_NET_PCAP_BASE = 0xe000;

/** Maps a NetMon media type to a LINKTYPE (Wireshark's netmon_encap table). */
export function netmonLinkType(network: number): number {
  if ((network & 0xf000) === NETMON_NET_PCAP_BASE) return network & 0x0fff;
  switch (network) {
    case 1: return 1; // Ethernet → LINKTYPE_ETHERNET
    case 2: return 6; // Token Ring → LINKTYPE_IEEE802_5
    case 3: return 10; // FDDI → LINKTYPE_FDDI
    default: return NETMON_LINKTYPE_BASE + network; // ATM, 802.11 with NetMon radio header, events, ...
  }
}

/** Per-frame trailer size by minor version (wiretap/netmon.c netmonrec_2_x_trailer). */
function trailerBytes(minor: number): number {
  return minor === 0 ? 0 : minor === 1 ? 2 : minor === 2 ? 6 : 15;
}

/** A file-like source read by position (a FileHandle, or a Buffer in tests). */
export interface RandomAccessSource {
  readonly size: number;
  /** Reads up to `len` bytes at file position `pos` into buf[off..]; resolves to the count read. */
  read(buf: Buffer, off: number, len: number, pos: number): Promise<number>;
}

export function bufferSource(b: Buffer): RandomAccessSource {
  return {
    size: b.length,
    read: (buf, off, len, pos) => Promise.resolve(b.copy(buf, off, pos, Math.min(pos + len, b.length))),
  };
}

/** Reasons a NetMon header is not one we read; shared with the format sniffer. */
export function netmonHeaderProblem(h: Buffer): string | null {
  if (h.length < 6) return 'too short for a NetMon header';
  const magic = h.toString('latin1', 0, 4);
  if (magic === 'RTSS') return 'a Network Monitor 1.x capture, which smtpscope does not read; convert it with `editcap -F pcapng in.cap out.pcapng`';
  if (magic !== 'GMBU') return 'not a Network Monitor capture';
  const minor = h[4] as number;
  const major = h[5] as number;
  if (major !== 2) {
    return (
      `a Network Monitor capture whose header says version ${major}.${minor}; only version 2.x ` +
      `(what Network Monitor 2.x and 3.x write) is read, and Wireshark rejects it too ` +
      `("netmon: major version ${major} unsupported")`
    );
  }
  return null;
}

/**
 * A window of the file held in one reused buffer; a frame lying inside the window
 * is a BORROWED view of it, valid until the packet callback returns.
 */
class Window {
  buf: Buffer;
  start = 0;
  len = 0;
  constructor(
    private readonly src: RandomAccessSource,
    size: number,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes [pos, pos+n) available; returns its index in `buf`, or -1 past end of file. */
  async ensure(pos: number, n: number): Promise<number> {
    if (pos >= this.start && pos + n <= this.start + this.len) return pos - this.start;
    if (pos + n > this.src.size) return -1;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    const want = Math.min(this.buf.length, this.src.size - pos);
    let got = 0;
    while (got < want) {
      const r = await this.src.read(this.buf, got, want - got, pos + got);
      if (r === 0) break;
      got += r;
    }
    this.start = pos;
    this.len = got;
    return got >= n ? 0 : -1;
  }
}

export interface NetmonReadOptions {
  firstFrame?: number;
  /** Window size for positioned reads; tests shrink it to cross every boundary. */
  windowBytes?: number;
}

/** Reads a NetMon 2.x capture through its frame table. Damage stops the read and is returned in the summary. */
export async function readNetmon(
  src: RandomAccessSource,
  file: string,
  onPacket: PacketCallback,
  opts: NetmonReadOptions = {},
): Promise<CaptureSummary> {
  const sum = new SummaryBuilder(file, 'netmon');
  sum.precision = 'ns';
  const done = (offset: number, block: string, reason: string): CaptureSummary => {
    const d: CaptureDamage = { file, offset, block, reason };
    sum.damage = d;
    return sum.build();
  };
  const windowBytes = opts.windowBytes ?? LIMITS.readChunkBytes;
  const win = new Window(src, Math.max(windowBytes, FRAME_HEADER));
  if ((await win.ensure(0, NETMON_HEADER_BYTES)) < 0) {
    return done(0, 'file header', `file ends inside the ${NETMON_HEADER_BYTES}-byte NetMon header (${src.size} bytes)`);
  }
  const h = win.buf.subarray(0, NETMON_HEADER_BYTES);
  const problem = netmonHeaderProblem(h);
  if (problem !== null) return done(0, 'file header', `${problem}`);
  const minor = h[4] as number;
  const headerNetwork = h.readUInt16LE(6);
  sum.variant = `NetMon 2.${minor}`;
  // SYSTEMTIME of the capture start, taken as UTC as Wireshark does.
  const startMs = Date.UTC(h.readUInt16LE(8), h.readUInt16LE(10) - 1, h.readUInt16LE(14), h.readUInt16LE(16), h.readUInt16LE(18), h.readUInt16LE(20), h.readUInt16LE(22));
  const startSec = Math.floor(startMs / 1000);
  const startNs = (startMs - startSec * 1000) * 1e6;
  const tableOff = h.readUInt32LE(24);
  const tableLen = h.readUInt32LE(28);
  const trailer = trailerBytes(minor);
  if (trailer === 0) sum.addLinkType(netmonLinkType(headerNetwork));
  /** One frame at `off` (its table entry's, or the next in file order): delivered, or why not. */
  let frame = opts.firstFrame ?? 1;
  const readFrame = async (off: number, n: number): Promise<string | null> => {
    let at = await win.ensure(off, FRAME_HEADER);
    if (at < 0) return `frame ${n} at offset ${off} lies past the end of the file (${src.size} bytes)`;
    const b0 = win.buf;
    const deltaLo = b0.readUInt32LE(at);
    const deltaHi = b0.readUInt32LE(at + 4);
    const orig = b0.readUInt32LE(at + 8);
    const incl = b0.readUInt32LE(at + 12);
    if (incl > LIMITS.maxPacketBytes) return `frame ${n} at offset ${off} claims ${incl} captured bytes (limit ${LIMITS.maxPacketBytes}); the file is damaged from here`;
    const total = FRAME_HEADER + incl + trailer;
    at = await win.ensure(off, total);
    if (at < 0) return `file ends in the middle of frame ${n} at offset ${off} (needs ${total} bytes)`;
    const b = win.buf;
    const network = trailer > 0 ? b.readUInt16LE(at + FRAME_HEADER + incl) : headerNetwork;
    const linkType = netmonLinkType(network);
    if (trailer > 0) sum.addLinkType(linkType);
    const time = frameTime(startSec, startNs, deltaHi, deltaLo);
    sum.add(time, incl, orig);
    onPacket({ frame: frame++, time, linkType, data: b.subarray(at + FRAME_HEADER, at + FRAME_HEADER + incl), origLength: orig, fileOffset: off });
    return null;
  };
  /**
   * Without a usable frame table (Network Monitor writes it last, so a capture copied
   * while running, or cut, has none), frames are read in file order from the end of
   * the header, each checked before it is delivered, up to the first that does not fit.
   * The damage names the table and how far the walk got.
   */
  const inFileOrder = async (tableProblem: string): Promise<CaptureSummary> => {
    // Writers put the first frame at 128 (Network Monitor, editcap, TwinCAT: the header's
    // 64 bytes, then zeros) or right after the header.
    const pad = await win.ensure(NETMON_HEADER_BYTES, FIRST_FRAME_OFFSET - NETMON_HEADER_BYTES);
    const zeros = pad >= 0 && win.buf.subarray(pad, pad + FIRST_FRAME_OFFSET - NETMON_HEADER_BYTES).every((x) => x === 0);
    let off = zeros ? FIRST_FRAME_OFFSET : NETMON_HEADER_BYTES;
    let n = 1;
    // Frames end where a table that lies inside the file starts, else at the end of the file.
    const end = tableOff >= NETMON_HEADER_BYTES && tableOff < src.size ? tableOff : src.size;
    let stop = '';
    while (off < end) {
      const at = off + FRAME_HEADER <= end ? await win.ensure(off, FRAME_HEADER) : -1;
      if (at < 0) {
        stop = `; the file ends inside the header of frame ${n} at offset ${off}`;
        break;
      }
      const orig = win.buf.readUInt32LE(at + 8);
      const incl = win.buf.readUInt32LE(at + 12);
      const size = FRAME_HEADER + incl + trailer;
      if (incl > LIMITS.maxPacketBytes || orig < incl || orig === 0) {
        stop = `; frame ${n} at offset ${off} does not look like one (captured ${incl}, original ${orig} bytes): the file is damaged from there`;
        break;
      }
      if (off + size > end) {
        stop = `; the file ends in the middle of frame ${n} at offset ${off} (needs ${size} bytes)`;
        break;
      }
      if (trailer > 0) {
        const t = await win.ensure(off, size);
        const network = t < 0 ? -1 : win.buf.readUInt16LE(t + FRAME_HEADER + incl);
        if (network < 0 || (network !== headerNetwork && (network & 0xf000) !== NETMON_NET_PCAP_BASE && network > 0x20)) {
          stop = `; frame ${n} at offset ${off} does not look like one (media type ${network}): the file is damaged from there`;
          break;
        }
      }
      const problem = await readFrame(off, n);
      if (problem !== null) {
        stop = `; ${problem}`;
        break;
      }
      off += size;
      n++;
    }
    return done(tableOff, 'frame table', `${tableProblem}; ${n - 1} frame(s) read in file order instead${stop}`);
  };
  if (tableLen % 4 !== 0) return inFileOrder(`frame table length ${tableLen} is not a multiple of 4`);
  if (tableOff + tableLen > src.size) {
    return inFileOrder(`frame table (offset ${tableOff}, ${tableLen} bytes) runs past the end of the file (${src.size} bytes)`);
  }
  if (tableLen === 0 && src.size > NETMON_HEADER_BYTES) return inFileOrder('the file has no frame table (Network Monitor writes it when the capture stops)');
  const frames = tableLen / 4;
  const table = Buffer.allocUnsafe(Math.min(frames, TABLE_ENTRIES_PER_READ) * 4);
  for (let base = 0; base < frames; base += TABLE_ENTRIES_PER_READ) {
    const count = Math.min(TABLE_ENTRIES_PER_READ, frames - base);
    let got = 0;
    while (got < count * 4) {
      const r = await src.read(table, got, count * 4 - got, tableOff + base * 4 + got);
      if (r === 0) return done(tableOff + base * 4 + got, 'frame table', 'frame table could not be read to its end');
      got += r;
    }
    for (let i = 0; i < count; i++) {
      const n = base + i + 1;
      const off = table.readUInt32LE(i * 4);
      if (off + FRAME_HEADER > src.size) {
        const why = `frame table entry ${n} points to offset ${off}, past the end of the file (${src.size} bytes)`;
        // A table that is wrong from its first entry is no table: the frames are still in the file.
        if (n === 1) return inFileOrder(why);
        return done(off, `frame ${n}`, why);
      }
      const problem = await readFrame(off, n);
      if (problem !== null) return done(off, `frame ${n}`, problem);
    }
  }
  return sum.build();
}

const U64_MASK = (1n << 64n) - 1n;

/**
 * Capture start + the frame's µs offset. Wireshark multiplies the offset by 1000 in
 * 64-bit unsigned arithmetic, which wraps for writers (e.g. TwinCAT) that store an
 * absolute FILETIME there; we compute the same so frame times match tshark's.
 */
function frameTime(startSec: number, startNs: number, hi: number, lo: number): Time {
  let sec: number, nsec: number;
  if (hi < 0x200000) {
    const us = hi * 4294967296 + lo; // < 2^53: exact
    sec = Math.floor(us / 1e6);
    nsec = (us - sec * 1e6) * 1000;
  } else {
    const ns = (((BigInt(hi) << 32n) | BigInt(lo)) * 1000n) & U64_MASK;
    sec = Number(ns / 1_000_000_000n);
    nsec = Number(ns % 1_000_000_000n);
  }
  sec += startSec;
  nsec += startNs;
  if (nsec >= 1e9) {
    sec++;
    nsec -= 1e9;
  }
  return { sec, nsec };
}
