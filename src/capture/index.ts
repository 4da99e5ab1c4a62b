import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS } from '../limits.js';
import { UserError } from './errors.js';
import type { CaptureParser } from './framed.js';
import { readNetmon, type RandomAccessSource } from './netmon.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import { gunzipChunks, isGzip, type GzipFailure } from './compressed.js';
import { SNIFF_BYTES, sniffFormat } from './sniff.js';
import type { CaptureFormat, CaptureSummary, PacketCallback } from './types.js';

export { UserError } from './errors.js';
export { sniffFormat, type SniffResult } from './sniff.js';
export { orderByFirstPacket, firstPacketTime } from './order.js';
export { PcapParser } from './pcap.js';
export { PcapngParser } from './pcapng.js';
export { readNetmon, bufferSource, netmonLinkType, NETMON_LINKTYPE_BASE, type RandomAccessSource } from './netmon.js';
export type { CaptureParser } from './framed.js';
export { PcapWriter, PcapngWriter, BufferSink, fileSink, type WriteSink } from './writer.js';
export type { Packet, CaptureSummary, CaptureDamage, CaptureFormat, PacketCallback } from './types.js';

export interface ReadOptions {
  /** Number given to the first packet of the first input (default 1). */
  firstFrame?: number;
  /** Bytes per read (default LIMITS.readChunkBytes); tests use odd sizes. */
  chunkBytes?: number;
  /** What '-' reads (default process.stdin). */
  stdin?: AsyncIterable<Buffer | string>;
  /**
   * Called after each chunk is parsed with the bytes read so far, summed over all
   * inputs (progress bars). Once per chunk, never per packet: off the hot path.
   */
  onProgress?: (bytesRead: number) => void;
}

/** How an input is named in messages. */
function displayName(input: string): string {
  return input === '-' ? 'standard input' : input;
}

export function createParser(format: Exclude<CaptureFormat, 'netmon'>, file: string, onPacket: PacketCallback, firstFrame: number): CaptureParser & { readonly nextFrame: number } {
  return format === 'pcap' ? new PcapParser(file, onPacket, firstFrame) : new PcapngParser(file, onPacket, firstFrame);
}

/**
 * Reads each input in order (a path, or '-' for standard input), numbering frames
 * 1.. across all of them as mergecap-less Wireshark would for one file each.
 * `onPacket` is called synchronously; `packet.data` is BORROWED (see Packet).
 * Throws UserError when an input cannot be opened, is not a capture we read, or is
 * damaged before its first packet; damage after that is returned in the summary.
 */
export async function readCaptures(inputs: readonly string[], onPacket: PacketCallback, opts: ReadOptions = {}): Promise<CaptureSummary[]> {
  const out: CaptureSummary[] = [];
  let frame = opts.firstFrame ?? 1;
  const count: PacketCallback = (p) => {
    frame = p.frame + 1;
    onPacket(p);
  };
  const chunkBytes = opts.chunkBytes ?? LIMITS.readChunkBytes;
  // Bytes of the inputs before the current one, plus the current one's so far.
  let done = 0;
  const onProgress = opts.onProgress;
  for (const input of inputs) {
    const base = done;
    const progress: Progress | null = onProgress
      ? (n) => {
          done = base + n;
          onProgress(done);
        }
      : null;
    const s = input === '-' ? await readStream('-', opts.stdin ?? (process.stdin as AsyncIterable<Buffer>), count, frame, chunkBytes, progress) : await readFile(input, count, frame, chunkBytes, progress);
    if (s.damage !== null && s.packets === 0) {
      throw new UserError(input, s.damage.offset, `${displayName(input)}: ${s.damage.reason}`);
    }
    out.push(s);
  }
  return out;
}

/** Bytes of the current input read so far. */
type Progress = (bytesRead: number) => void;

/** `label`: how the bytes are named in the message (the input, or what came out of its gzip). */
function sniffOrThrow(input: string, first: Buffer, label = displayName(input)): CaptureFormat {
  const r = sniffFormat(first);
  if ('error' in r) throw new UserError(input, 0, `${label} ${r.error}`);
  return r.format;
}

async function open(input: string): Promise<FileHandle> {
  try {
    const fh = await fsp.open(input, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) {
      await fh.close();
      throw new UserError(input, null, `${input} is a directory, not a capture file`);
    }
    return fh;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message);
    throw new UserError(input, null, `cannot open ${input}: ${why}`);
  }
}

function handleSource(fh: FileHandle, size: number, progress: Progress | null = null): RandomAccessSource {
  if (progress === null) return { size, read: async (buf, off, len, pos) => (await fh.read(buf, off, len, pos)).bytesRead };
  // NetMon is read by position (frame table, then frames): progress is the furthest byte read.
  let furthest = 0;
  return {
    size,
    read: async (buf, off, len, pos) => {
      const n = (await fh.read(buf, off, len, pos)).bytesRead;
      if (pos + n > furthest) progress((furthest = pos + n));
      return n;
    },
  };
}

async function readFile(input: string, onPacket: PacketCallback, frame: number, chunkBytes: number, progress: Progress | null): Promise<CaptureSummary> {
  const fh = await open(input);
  try {
    const size = (await fh.stat()).size;
    const first = Buffer.allocUnsafe(Math.min(SNIFF_BYTES, size));
    const { bytesRead: fn } = await fh.read(first, 0, first.length, 0);
    if (isGzip(first.subarray(0, fn))) {
      // Inflated as a stream and read like standard input; progress stays in file bytes.
      return await readStream(input, fh.createReadStream({ start: 0, autoClose: false, highWaterMark: Math.max(chunkBytes, 1) }), onPacket, frame, chunkBytes, progress);
    }
    const format = sniffOrThrow(input, first.subarray(0, fn));
    if (format === 'netmon') return await readNetmon(handleSource(fh, size, progress), input, onPacket, { firstFrame: frame });
    const parser = createParser(format, input, onPacket, frame);
    // Two reused read buffers, double buffering: the next chunk is read (libuv thread
    // pool) while the current one is parsed. Packets are views of a chunk only while
    // the (synchronous) callback runs and the parsers copy a record split across
    // reads, so a buffer is free again once push() returns; the read in flight always
    // targets the other one.
    let buf = Buffer.allocUnsafe(Math.max(chunkBytes, 1));
    let spare = Buffer.allocUnsafe(buf.length);
    let pos = 0;
    let pending: Promise<{ bytesRead: number }> | null = fh.read(buf, 0, buf.length, 0);
    try {
      while (pending !== null) {
        const { bytesRead } = await pending;
        pending = null;
        if (bytesRead === 0) break;
        pos += bytesRead;
        pending = fh.read(spare, 0, spare.length, pos);
        parser.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
        progress?.(pos);
        if (parser.stopped) break;
        [buf, spare] = [spare, buf];
      }
    } finally {
      // Never close the handle with a read still using it (the callback may have thrown).
      if (pending !== null) await pending.catch(() => undefined);
    }
    parser.end();
    return parser.summary();
  } finally {
    await fh.close();
  }
}

/**
 * A capture as a stream of chunks (standard input, a gzip file's inflated bytes).
 * `name` is the input as given ('-' or a path); `inflated` is set for the bytes that
 * came out of gzip (a gzip inside a gzip is not opened again).
 */
async function readStream(
  name: string,
  stream: AsyncIterable<Buffer | string>,
  onPacket: PacketCallback,
  frame: number,
  chunkBytes: number,
  progress: Progress | null,
  inflated = false,
): Promise<CaptureSummary> {
  const it = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLen = 0;
  let ended = false;
  // Gather enough of the start to sniff the format.
  while (headLen < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done === true) {
      ended = true;
      break;
    }
    const c = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    head.push(c);
    headLen += c.length;
  }
  const first = Buffer.concat(head, headLen);
  async function* rest(): AsyncGenerator<Buffer> {
    yield first;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
  }
  if (!inflated && isGzip(first)) return readGzip(name, rest(), onPacket, frame, chunkBytes, progress);
  const format = sniffOrThrow(name, first.subarray(0, SNIFF_BYTES), inflated ? `${displayName(name)} (inside its gzip compression)` : displayName(name));
  if (format === 'netmon') return spoolNetmon(name, rest(), onPacket, frame, progress);
  const parser = createParser(format, name, onPacket, frame);
  let read = 0;
  for await (const c of rest()) {
    read += c.length;
    // Stream chunks are fresh buffers; very large ones are fed in chunkBytes pieces
    // only to keep the parser's copies bounded the same way as for files.
    for (let o = 0; o < c.length && !parser.stopped; o += chunkBytes) parser.push(o === 0 && c.length <= chunkBytes ? c : c.subarray(o, o + chunkBytes));
    progress?.(read);
    if (parser.stopped) break;
  }
  parser.end();
  return parser.summary();
}

/**
 * NetMon frames are found through a frame table at the end of the file, so a
 * stream is spooled to a private temporary file first (bounded memory), then read
 * by position like any file.
 */
async function spoolNetmon(name: string, chunks: AsyncIterable<Buffer>, onPacket: PacketCallback, frame: number, progress: Progress | null): Promise<CaptureSummary> {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'smtpscope-'));
  const path = join(dir, 'stdin.cap');
  try {
    const w = await fsp.open(path, 'w', 0o600);
    let size = 0;
    try {
      for await (const c of chunks) {
        await w.write(c, 0, c.length, size);
        size += c.length;
        // Standard input is what is read; the spooled copy is read again below, unreported.
        progress?.(size);
      }
    } finally {
      await w.close();
    }
    const fh = await fsp.open(path, 'r');
    try {
      return await readNetmon(handleSource(fh, size), name, onPacket, { firstFrame: frame });
    } finally {
      await fh.close();
    }
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * A gzip-compressed capture (compressed.ts): its inflated bytes read like a stream. The
 * summary says it was compressed; a gzip stream that ends early or breaks is damage at
 * its compressed offset, with everything before it analyzed (a reader's own complaint
 * about the record cut there is a consequence, so the gzip failure is what is reported).
 */
async function readGzip(name: string, compressed: AsyncIterable<Buffer>, onPacket: PacketCallback, frame: number, chunkBytes: number, progress: Progress | null): Promise<CaptureSummary> {
  let failure: GzipFailure | null = null;
  const inflated = gunzipChunks(compressed, (n) => progress?.(n), (f) => (failure = f));
  let s: CaptureSummary;
  try {
    s = await readStream(name, inflated, onPacket, frame, chunkBytes, null, true);
  } catch (e) {
    // Nothing readable came out: the gzip failure, if any, is the reason.
    const f = failure as GzipFailure | null;
    if (e instanceof UserError && f !== null) throw new UserError(name, f.offset, `${displayName(name)}: ${f.reason} (at or before compressed byte ${f.offset})`);
    throw e;
  }
  const variant = `${s.variant}, gzip-compressed`;
  const f = failure as GzipFailure | null;
  if (f !== null) {
    return { ...s, variant, damage: { file: name, offset: f.offset, block: 'gzip stream', reason: `${f.reason}; nothing after compressed byte ${f.offset} could be read` } };
  }
  if (s.damage !== null) {
    return { ...s, variant, damage: { ...s.damage, block: `${s.damage.block} (offset ${s.damage.offset} of the decompressed data)` } };
  }
  return { ...s, variant };
}
