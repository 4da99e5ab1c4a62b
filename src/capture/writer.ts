import { closeSync, openSync, writeSync } from 'node:fs';
import type { Time } from '../util/time.js';

/** Where a writer's bytes go. */
export interface WriteSink {
  write(b: Buffer): void;
  close(): void;
}

/** Collects everything written; `toBuffer()` after (or before) close. */
export class BufferSink implements WriteSink {
  private readonly parts: Buffer[] = [];
  write(b: Buffer): void {
    this.parts.push(Buffer.from(b));
  }
  close(): void {}
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/**
 * A file written synchronously, block by block, so a `live --write` file is valid up
 * to its last whole packet whenever it is looked at (writers buffer at most one record).
 */
export function fileSink(path: string): WriteSink {
  const fd = openSync(path, 'w');
  let open = true;
  return {
    write(b) {
      writeSync(fd, b);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

export type Endian = 'le' | 'be';

export interface PcapWriterOptions {
  linkType: number;
  snaplen?: number;
  /** 'us' writes magic 0xA1B2C3D4, 'ns' 0xA1B23C4D. */
  precision?: 'us' | 'ns';
  endian?: Endian;
}

/** What a writer needs of a packet; a Packet fits. */
export interface WritablePacket {
  readonly time: Time;
  readonly data: Buffer;
  readonly origLength?: number;
}

/** Classic pcap (draft-ietf-opsawg-pcap §4-§5). */
export class PcapWriter {
  private readonly le: boolean;
  private readonly ns: boolean;
  private readonly snaplen: number;

  constructor(
    private readonly sink: WriteSink,
    opts: PcapWriterOptions,
  ) {
    this.le = (opts.endian ?? 'le') === 'le';
    this.ns = opts.precision === 'ns';
    this.snaplen = opts.snaplen ?? 262_144;
    const h = Buffer.alloc(24);
    this.u32(h, 0, this.ns ? 0xa1b23c4d : 0xa1b2c3d4);
    this.u16(h, 4, 2);
    this.u16(h, 6, 4);
    this.u32(h, 16, this.snaplen);
    this.u32(h, 20, opts.linkType);
    sink.write(h);
  }

  private u32(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }
  private u16(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }

  /** Writes one packet, cutting it to the snaplen (origLength keeps the wire length). */
  write(p: WritablePacket): void {
    const incl = Math.min(p.data.length, this.snaplen);
    const r = Buffer.allocUnsafe(16 + incl);
    this.u32(r, 0, p.time.sec);
    this.u32(r, 4, this.ns ? p.time.nsec : Math.floor(p.time.nsec / 1000));
    this.u32(r, 8, incl);
    this.u32(r, 12, p.origLength ?? p.data.length);
    p.data.copy(r, 16, 0, incl);
    this.sink.write(r);
  }

  close(): void {
    this.sink.close();
  }
}

export interface PcapngInterface {
  linkType: number;
  snaplen?: number;
  /**
   * if_tsresol as written in the option (§4.2): n for 10^-n seconds, 0x80|n for 2^-n.
   * Default 6 (µs); 9 gives ns.
   */
  tsresol?: number;
  /** if_tsoffset in seconds (§4.2). */
  tsoffset?: number;
  name?: string;
}

export interface PcapngWriterOptions {
  interfaces: PcapngInterface[];
  endian?: Endian;
  /** shb_comment (§4.1). */
  comment?: string;
}

/** pcapng (draft-ietf-opsawg-pcapng): one SHB, its IDBs, then EPBs. */
export class PcapngWriter {
  private readonly le: boolean;
  private readonly ifaces: PcapngInterface[];

  constructor(
    private readonly sink: WriteSink,
    opts: PcapngWriterOptions,
  ) {
    this.le = (opts.endian ?? 'le') === 'le';
    this.ifaces = opts.interfaces;
    const shbOpts: Buffer[] = [];
    if (opts.comment !== undefined) shbOpts.push(this.option(1, Buffer.from(opts.comment, 'utf8')));
    const body = Buffer.alloc(16);
    this.u32(body, 0, 0x1a2b3c4d);
    this.u16(body, 4, 1);
    this.u16(body, 6, 0);
    body.writeInt32LE(-1, 8); // section length unknown (§4.1): all ones in either order
    body.writeInt32LE(-1, 12);
    sink.write(this.block(0x0a0d0d0a, [body, ...this.endOptions(shbOpts)]));
    for (const i of opts.interfaces) {
      const b = Buffer.alloc(8);
      this.u16(b, 0, i.linkType);
      this.u32(b, 4, i.snaplen ?? 0);
      const os: Buffer[] = [];
      if (i.name !== undefined) os.push(this.option(2, Buffer.from(i.name, 'utf8')));
      if (i.tsresol !== undefined) os.push(this.option(9, Buffer.from([i.tsresol])));
      if (i.tsoffset !== undefined) {
        const v = Buffer.alloc(8);
        if (this.le) v.writeBigInt64LE(BigInt(i.tsoffset));
        else v.writeBigInt64BE(BigInt(i.tsoffset));
        os.push(this.option(14, v));
      }
      sink.write(this.block(1, [b, ...this.endOptions(os)]));
    }
  }

  private u32(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }
  private u16(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }

  private option(code: number, value: Buffer): Buffer {
    const o = Buffer.alloc(4 + ((value.length + 3) & ~3));
    this.u16(o, 0, code);
    this.u16(o, 2, value.length);
    value.copy(o, 4);
    return o;
  }

  private endOptions(os: Buffer[]): Buffer[] {
    return os.length === 0 ? [] : [...os, Buffer.alloc(4)]; // opt_endofopt
  }

  private block(type: number, parts: Buffer[]): Buffer {
    const bodyLen = parts.reduce((n, p) => n + p.length, 0);
    const len = 12 + ((bodyLen + 3) & ~3);
    const b = Buffer.alloc(len);
    this.u32(b, 0, type);
    this.u32(b, 4, len);
    let o = 8;
    for (const p of parts) {
      p.copy(b, o);
      o += p.length;
    }
    this.u32(b, len - 4, len);
    return b;
  }

  /** Time in the interface's units (§4.3: 64-bit count of if_tsresol units). */
  private units(i: PcapngInterface, t: Time): bigint {
    const r = i.tsresol ?? 6;
    const sec = BigInt(t.sec - (i.tsoffset ?? 0));
    const nsec = BigInt(t.nsec);
    if ((r & 0x80) !== 0) {
      const n = BigInt(r & 0x7f);
      return (sec << n) + ((nsec << n) / 1_000_000_000n);
    }
    const p = 10n ** BigInt(r);
    return sec * p + (r <= 9 ? nsec / 10n ** BigInt(9 - r) : nsec * 10n ** BigInt(r - 9));
  }

  /** Writes an EPB on interface `iface` (index into options.interfaces). */
  write(p: WritablePacket, iface = 0): void {
    const i = this.ifaces[iface];
    if (i === undefined) throw new RangeError(`PcapngWriter: no interface ${iface}`);
    const incl = i.snaplen !== undefined && i.snaplen > 0 ? Math.min(i.snaplen, p.data.length) : p.data.length;
    const h = Buffer.alloc(20);
    const u = this.units(i, p.time);
    this.u32(h, 0, iface);
    this.u32(h, 4, Number(u >> 32n));
    this.u32(h, 8, Number(u & 0xffffffffn));
    this.u32(h, 12, incl);
    this.u32(h, 16, p.origLength ?? p.data.length);
    this.sink.write(this.block(6, [h, p.data.subarray(0, incl)]));
  }

  close(): void {
    this.sink.close();
  }
}
