import { LIMITS } from '../limits.js';
import type { Precision, Time } from '../util/time.js';
import { FramedParser } from './framed.js';
import { SummaryBuilder } from './summary.js';
import type { CaptureSummary, PacketCallback } from './types.js';

/**
 * pcapng (draft-ietf-opsawg-pcapng). Every block is: type (4), total length (4),
 * body, total length again (4); lengths are multiples of 4. A Section Header Block
 * (§4.1) starts a section with its own byte order (read from its byte-order magic)
 * and its own list of interfaces (IDB, §4.2). Packets come in Enhanced Packet Blocks
 * (§4.3), Simple Packet Blocks (§4.4, interface 0, no time stamp) and the obsolete
 * Packet Block (Appendix A, type 2). Other blocks are skipped by their length.
 */
const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_PB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_EPB = 0x00000006;
const BT_SYSTEMD_JOURNAL = 0x00000009;
const BT_CUSTOM_COPY = 0x00000bad;
const BT_CUSTOM_NOCOPY = 0x40000bad;
const BOM = 0x1a2b3c4d;
/** Block type + length + (for an SHB) the byte-order magic: enough to size any block. */
const BLOCK_PREFIX = 12;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Iface {
  readonly linkType: number;
  readonly snaplen: number;
  /** if_tsresol exponent; `pow2` when its high bit was set (§4.2: "negative power of 2"). */
  readonly exp: number;
  readonly pow2: boolean;
  /** if_tsoffset, seconds added to every time stamp (§4.2). */
  readonly tsoffset: number;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9] as const;

/**
 * Exact (hi·2³² + lo) / d and remainder for d ≤ 1e9, in float64 without BigInt:
 * two 16-bit long-division steps keep every intermediate below 2⁵³.
 */
function divmod64(hi: number, lo: number, d: number): [number, number] {
  const qhi = Math.floor(hi / d);
  let r = hi - qhi * d;
  let x = r * 65536 + (lo >>> 16);
  const qmid = Math.floor(x / d);
  r = x - qmid * d;
  x = r * 65536 + (lo & 0xffff);
  const qlo = Math.floor(x / d);
  r = x - qlo * d;
  return [qhi * 4294967296 + qmid * 65536 + qlo, r];
}

function ifacePrecision(i: Iface): Precision {
  const decimalDigits = i.pow2 ? Math.ceil(i.exp * Math.log10(2)) : i.exp;
  return decimalDigits <= 3 ? 'ms' : decimalDigits <= 6 ? 'us' : 'ns';
}

export class PcapngParser extends FramedParser {
  private readonly sum: SummaryBuilder;
  private le = true;
  private inSection = false;
  private sections = 0;
  private ifaces: Iface[] = [];
  private blocks = 0;
  private curType = -1;
  private frame: number;
  private finest: Precision = 'ms';
  private lastTime: Time = { sec: 0, nsec: 0 };

  constructor(
    file: string,
    private readonly onPacket: PacketCallback,
    firstFrame = 1,
  ) {
    super(file);
    this.sum = new SummaryBuilder(file, 'pcapng');
    this.frame = firstFrame;
  }

  get nextFrame(): number {
    return this.frame;
  }

  protected headerBytes(): number {
    return BLOCK_PREFIX;
  }

  protected blockName(): string {
    const t = this.curType < 0 ? '' : ` 0x${this.curType.toString(16).padStart(8, '0')}`;
    return `pcapng block${t} #${this.blocks + 1}`;
  }

  private u32(buf: Buffer, o: number): number {
    return this.le ? buf.readUInt32LE(o) : buf.readUInt32BE(o);
  }

  private u16(buf: Buffer, o: number): number {
    return this.le ? buf.readUInt16LE(o) : buf.readUInt16BE(o);
  }

  protected recordLength(buf: Buffer, pos: number): number {
    // The SHB type reads the same in both byte orders; its byte-order magic decides
    // how to read its length (§4.1).
    const type = buf.readUInt32LE(pos);
    if (type === BT_SHB) {
      const bom = buf.readUInt32LE(pos + 8);
      if (bom === BOM) this.le = true;
      else if (bom === 0x4d3c2b1a) this.le = false;
      else {
        this.curType = type;
        this.stop(this.offset, this.blockName(), `section header at offset ${this.offset} has an unknown byte-order magic 0x${bom.toString(16)}`);
        return -1;
      }
      this.curType = BT_SHB;
    } else {
      this.curType = this.u32(buf, pos);
      if (!this.inSection) {
        this.stop(this.offset, this.blockName(), `pcapng ${this.blockName()} at offset ${this.offset} comes before any section header block`);
        return -1;
      }
    }
    const len = this.u32(buf, pos + 4);
    if (len < BLOCK_PREFIX || len % 4 !== 0 || len > LIMITS.maxBlockBytes) {
      this.stop(
        this.offset,
        this.blockName(),
        `${this.blockName()} at offset ${this.offset} has an impossible length ${len} ` +
          `(must be a multiple of 4, at least 12, at most ${LIMITS.maxBlockBytes}); the file is damaged from here`,
      );
      return -1;
    }
    return len;
  }

  private corrupt(why: string): void {
    this.stop(this.offset, this.blockName(), `${this.blockName()} at offset ${this.offset}: ${why}`);
  }

  protected record(buf: Buffer, pos: number, len: number): void {
    const type = this.curType;
    if (this.u32(buf, pos + len - 4) !== len) {
      this.corrupt(`trailing block length ${this.u32(buf, pos + len - 4)} differs from the leading ${len}`);
      return;
    }
    switch (type) {
      case BT_SHB: this.sectionHeader(buf, pos, len); break;
      case BT_IDB: this.interfaceBlock(buf, pos, len); break;
      case BT_EPB: this.enhancedPacket(buf, pos, len); break;
      case BT_SPB: this.simplePacket(buf, pos, len); break;
      case BT_PB: this.obsoletePacket(buf, pos, len); break;
      // Wireshark shows custom blocks (§4.8) and systemd journal export blocks as
      // frames of their own; they take a frame number so ours stay equal to its.
      case BT_CUSTOM_COPY:
      case BT_CUSTOM_NOCOPY:
      case BT_SYSTEMD_JOURNAL: this.frame++; break;
      default: break; // §3.1: unknown blocks are skipped using their length
    }
    if (this.damage === null) {
      this.blocks++;
      this.curType = -1;
    }
  }

  private sectionHeader(buf: Buffer, pos: number, len: number): void {
    if (len < 28) return this.corrupt(`section header block too short (${len} bytes)`);
    const major = this.u16(buf, pos + 12);
    if (major !== 1) return this.corrupt(`section header says pcapng version ${major}.${this.u16(buf, pos + 14)}, not 1.x`);
    this.inSection = true;
    this.sections++;
    this.ifaces = [];
    this.sum.variant = `pcapng, ${this.sections} section${this.sections > 1 ? 's' : ''}, ${this.le ? 'little' : 'big'}-endian${this.sections > 1 ? ' (last)' : ''}`;
  }

  private interfaceBlock(buf: Buffer, pos: number, len: number): void {
    if (len < 20) return this.corrupt(`interface description block too short (${len} bytes)`);
    const linkType = this.u16(buf, pos + 8);
    const snaplen = this.u32(buf, pos + 12);
    let exp = 6;
    let pow2 = false;
    let tsoffset = 0;
    const end = pos + len - 4;
    let o = pos + 16;
    while (o + 4 <= end) {
      const code = this.u16(buf, o);
      const olen = this.u16(buf, o + 2);
      if (code === OPT_ENDOFOPT || o + 4 + olen > end) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const v = buf[o + 4] as number;
        pow2 = (v & 0x80) !== 0;
        exp = v & 0x7f;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = this.le ? buf.readInt32LE(o + 8) : buf.readInt32BE(o + 4);
        const lo = this.le ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 8);
        tsoffset = hi * 4294967296 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    const iface: Iface = { linkType, snaplen, exp, pow2, tsoffset };
    this.ifaces.push(iface);
    this.sum.addLinkType(linkType);
    const p = ifacePrecision(iface);
    if (p === 'ns' || (p === 'us' && this.finest === 'ms')) this.finest = p;
    this.sum.precision = this.finest;
  }

  private time(iface: Iface, hi: number, lo: number): Time {
    let sec: number, nsec: number;
    if (!iface.pow2 && iface.exp <= 9) {
      const d = POW10[iface.exp] as number;
      const [q, r] = divmod64(hi, lo, d);
      sec = q;
      nsec = r * (POW10[9 - iface.exp] as number);
    } else {
      // Rare resolutions (2^-n, or finer than ns): exact BigInt arithmetic.
      const ts = (BigInt(hi) << 32n) | BigInt(lo);
      if (iface.pow2) {
        const n = BigInt(iface.exp);
        sec = Number(ts >> n);
        nsec = Number(((ts & ((1n << n) - 1n)) * 1_000_000_000n) >> n);
      } else {
        const d = 10n ** BigInt(iface.exp);
        sec = Number(ts / d);
        nsec = Number((ts % d) / 10n ** BigInt(iface.exp - 9));
      }
    }
    return { sec: sec + iface.tsoffset, nsec };
  }

  private emit(iface: Iface, time: Time, dataStart: number, incl: number, orig: number, buf: Buffer): void {
    this.lastTime = time;
    this.sum.add(time, incl, orig);
    this.onPacket({
      frame: this.frame++,
      time,
      linkType: iface.linkType,
      data: buf.subarray(dataStart, dataStart + incl),
      origLength: orig,
      fileOffset: this.offset,
    });
  }

  private iface(id: number): Iface | undefined {
    const i = this.ifaces[id];
    if (i === undefined) this.corrupt(`packet names interface ${id}, but the section has ${this.ifaces.length} interface(s)`);
    return i;
  }

  private enhancedPacket(buf: Buffer, pos: number, len: number): void {
    if (len < 32) return this.corrupt(`enhanced packet block too short (${len} bytes)`);
    const iface = this.iface(this.u32(buf, pos + 8));
    if (iface === undefined) return;
    const incl = this.u32(buf, pos + 20);
    if (28 + incl + 4 > len) return this.corrupt(`captured length ${incl} does not fit in the block (${len} bytes)`);
    const time = this.time(iface, this.u32(buf, pos + 12), this.u32(buf, pos + 16));
    this.emit(iface, time, pos + 28, incl, this.u32(buf, pos + 24), buf);
  }

  private obsoletePacket(buf: Buffer, pos: number, len: number): void {
    if (len < 32) return this.corrupt(`packet block too short (${len} bytes)`);
    const iface = this.iface(this.u16(buf, pos + 8));
    if (iface === undefined) return;
    const incl = this.u32(buf, pos + 20);
    if (28 + incl + 4 > len) return this.corrupt(`captured length ${incl} does not fit in the block (${len} bytes)`);
    const time = this.time(iface, this.u32(buf, pos + 12), this.u32(buf, pos + 16));
    this.emit(iface, time, pos + 28, incl, this.u32(buf, pos + 24), buf);
  }

  private simplePacket(buf: Buffer, pos: number, len: number): void {
    if (len < 16) return this.corrupt(`simple packet block too short (${len} bytes)`);
    const iface = this.iface(0);
    if (iface === undefined) return;
    const orig = this.u32(buf, pos + 8);
    // §4.4: the captured length is the smaller of the original length, the
    // interface's snaplen (0 = unlimited) and the room in the block.
    let incl = Math.min(orig, len - 16);
    if (iface.snaplen > 0 && iface.snaplen < incl) incl = iface.snaplen;
    // §4.4: an SPB carries no time stamp (Wireshark shows none). We give it the time
    // of the packet before it, so that time-based logic downstream (idle timeouts,
    // durations) is not thrown back to 1970.
    this.emit(iface, this.lastTime, pos + 12, incl, orig, buf);
  }

  summary(): CaptureSummary {
    this.sum.damage = this.damage;
    return this.sum.build();
  }
}
