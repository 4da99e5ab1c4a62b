/**
 * Compressed captures. Wireshark opens gzip-compressed captures as they are, and so do
 * we: node:zlib inflates them as a stream (bounded memory, one pass), and the
 * decompressed bytes go to the same readers as standard input does. Other compressors
 * (zstd, lz4, xz, bzip2) and zip archives are named with the command that unpacks them:
 * Node 20 has no zstd, lz4, xz or bzip2 decoder, and a zip archive may hold several
 * files. Chosen by magic bytes, like every format (DESIGN.md).
 */
import { constants as Z, createGunzip, gunzipSync } from 'node:zlib';

/** RFC 1952 §2.3.1: ID1 ID2. */
export function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

const OTHERS: readonly { magic: readonly number[]; what: string; how: string }[] = [
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed', how: '`zstd -d file.zst`, or `zstdcat file.zst | smtpscope analyze -`' },
  { magic: [0x04, 0x22, 0x4d, 0x18], what: 'lz4-compressed', how: '`lz4 -d file.lz4`, or `lz4cat file.lz4 | smtpscope analyze -`' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed', how: '`xz -d file.xz`, or `xzcat file.xz | smtpscope analyze -`' },
  { magic: [0x42, 0x5a, 0x68], what: 'bzip2-compressed', how: '`bunzip2 file.bz2`, or `bzcat file.bz2 | smtpscope analyze -`' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive', how: '`unzip file.zip`, then analyze the capture inside' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive', how: '`7z x file.7z`, then analyze the capture inside' },
];

/** "is zstd-compressed; decompress it first (...)" for a compressor we do not read, else null. */
export function otherCompression(b: Buffer): string | null {
  for (const o of OTHERS) {
    if (b.length >= o.magic.length && o.magic.every((m, i) => b[i] === m)) {
      const verb = o.what.startsWith('a ') ? 'unpack it first' : 'decompress it first';
      return `is ${o.what}; ${verb} (${o.how})`;
    }
  }
  return null;
}

/** Where inflating stopped, and why: the capture is analyzed up to there. */
export interface GzipFailure {
  /** Compressed bytes read when zlib gave up (it reads ahead: the damage is at or before). */
  offset: number;
  reason: string;
}

/**
 * The decompressed bytes of a gzip stream (several members in a row, as `cat a.gz b.gz`
 * makes, are read as one, like gunzip does). `onCompressed` gets the compressed bytes
 * read so far (progress is in file bytes). A truncated or corrupt stream ends the output
 * where zlib stopped and calls `onFailure`; read errors of the source are thrown.
 */
export async function* gunzipChunks(
  compressed: AsyncIterable<Buffer>,
  onCompressed: (bytes: number) => void,
  onFailure: (f: GzipFailure) => void,
): AsyncGenerator<Buffer> {
  // The output flows into our queue as zlib makes it and is never paused: a paused stream
  // that fails discards what it holds, which is what came before the damage (and a
  // stream's async iterator does the same). Back-pressure is on the input instead: no
  // compressed byte is written while INFLATED_QUEUE_BYTES are waiting.
  const gunzip = createGunzip({ chunkSize: GZIP_OUTPUT_BYTES });
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let error: unknown = null;
  let sourceError: unknown = null;
  let consumed = 0;
  let closed = false; // the reader stopped early (damage found downstream)
  let wakeReader: (() => void) | null = null;
  let wakePump: (() => void) | null = null;
  const resumePump = (): void => {
    const w = wakePump;
    wakePump = null;
    w?.();
  };
  const wake = (): void => {
    const r = wakeReader;
    wakeReader = null;
    r?.();
    resumePump();
  };
  gunzip.on('data', (c: Buffer) => {
    queue.push(c);
    queued += c.length;
    wake();
  });
  gunzip.on('end', () => {
    ended = true;
    wake();
  });
  gunzip.on('error', (e) => {
    error ??= e;
    ended = true;
    wake();
  });
  gunzip.on('drain', resumePump);
  /** Resolves when zlib has processed the last write (or failed). */
  let lastWrite: Promise<void> = Promise.resolve();
  const failed = new Promise<void>((resolve) => gunzip.once('close', resolve));
  const pump = async () => {
    try {
      // zlib drops the output of the write in which it finds damage, so writes are small,
      // and cut at fixed offsets of the compressed stream (GZIP_WRITE_BYTES apart): what is
      // read before damage does not depend on how the input arrived (file reads, or
      // standard input in pieces of any size).
      const write = async (piece: Buffer): Promise<boolean> => {
        while (!ended && !closed && (queued >= INFLATED_QUEUE_BYTES || gunzip.writableNeedDrain)) {
          await new Promise<void>((resolve) => (wakePump = resolve));
        }
        if (ended || closed) return false;
        consumed += piece.length;
        onCompressed(consumed);
        lastWrite = new Promise<void>((resolve) => gunzip.write(piece, () => resolve()));
        return true;
      };
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const c of compressed) {
        let o = 0;
        while (o < c.length) {
          const take = Math.min(c.length - o, GZIP_WRITE_BYTES - pendingBytes);
          pending.push(c.subarray(o, o + take));
          pendingBytes += take;
          o += take;
          if (pendingBytes === GZIP_WRITE_BYTES) {
            const piece = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
            pending = [];
            pendingBytes = 0;
            if (!(await write(piece))) return;
          }
        }
      }
      if (pendingBytes > 0 && !(await write(Buffer.concat(pending, pendingBytes)))) return;
      // end() runs the final inflate with what is still queued, and on a stream cut short
      // zlib's complaint then drops that output: let every write be processed first.
      await Promise.race([lastWrite, failed]);
      if (!ended && !closed) gunzip.end();
    } catch (e) {
      sourceError = e;
      error ??= e;
      ended = true;
      wake();
    }
  };
  const pumping = pump();
  try {
    for (;;) {
      const c = queue.shift();
      if (c !== undefined) {
        queued -= c.length;
        if (queued < INFLATED_QUEUE_BYTES) resumePump();
        yield c;
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
    await pumping;
    if (sourceError !== null) throw sourceError;
    if (error !== null) onFailure({ offset: consumed, reason: zlibReason(error) });
  } finally {
    closed = true;
    wake();
    gunzip.destroy();
    await pumping;
  }
}

/**
 * Compressed bytes per write into zlib, at fixed offsets of the stream. When inflate finds
 * damage, Node's zlib reports it and drops what that write inflated: the capture is read
 * up to at most this many compressed bytes before the damage (a gzip file cut short loses
 * nothing: every write is processed before the end). 16 KiB would lose less but read 300
 * MB of the bench capture in 2.65 s instead of 1.9 s.
 */
const GZIP_WRITE_BYTES = 64 * 1024;

/** Inflated bytes waiting for the reader before no more compressed bytes are written (bounded memory). */
const INFLATED_QUEUE_BYTES = 1 << 20;

/**
 * Inflated bytes per output buffer (zlib's default is 16 KiB). Measured on 300 MB of the
 * bench capture, gzip -1: 16 KiB writes and output 3.4 s to read, 64 KiB 2.1 s (zcat:
 * 2.4 s), 256 KiB 1.8 s but 20 MB more peak memory.
 */
const GZIP_OUTPUT_BYTES = 64 * 1024;

function zlibReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'Z_BUF_ERROR') return 'the gzip data ends early (the file was cut, or copied while still being written)';
  if (code === 'Z_DATA_ERROR') return `the gzip data is corrupt (${(e as Error).message})`;
  return `the gzip data cannot be read (${e instanceof Error ? e.message : String(e)})`;
}

/**
 * The decompressed start of a gzip file's first bytes, as far as they go (for sniffing
 * and for ordering rotated files by their first packet); null when zlib cannot make
 * sense of them.
 */
export function gunzipHead(head: Buffer, maxBytes: number): Buffer | null {
  try {
    return gunzipSync(head, { finishFlush: Z.Z_SYNC_FLUSH, maxOutputLength: maxBytes });
  } catch {
    return null;
  }
}
