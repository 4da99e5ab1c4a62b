/**
 * `live --write file.pcap [--write-limit <size>]`: every captured packet, as classic
 * pcap (µs), so the evidence can go with a ticket and be analyzed again offline with
 * the same frames and times. With a limit, the file is rotated like tcpdump -C:
 * file.pcap, then file.1.pcap, file.2.pcap, ...; each is a complete pcap file, and
 * `smtpscope analyze file.pcap file.*.pcap` reads them as one capture (frames
 * continue across files, in the order of their first packets).
 */
import { PcapWriter, fileSink, type WritablePacket } from './writer.js';
import { UserError } from './errors.js';

const PCAP_HEADER = 24;
const RECORD_HEADER = 16;

/** file.pcap → file.<n>.pcap (n ≥ 1); a name without an extension gets ".<n>". */
export function rotatedName(path: string, n: number): string {
  if (n === 0) return path;
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? `${path.slice(0, dot)}.${n}${path.slice(dot)}` : `${path}.${n}`;
}

/**
 * "100MB", "1.5GB", "500kB", "64MiB", "1000000": decimal units as tcpdump -C counts
 * (MB = 1,000,000 bytes), binary ones when written KiB/MiB/GiB. Returns an error text
 * that names the fix.
 */
export function parseSize(text: string): { value: number } | { error: string } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]i?)?[bB]?\s*$/.exec(text);
  if (!m) return { error: `"${text}" is not a size; write e.g. 100MB, 1GB or 500kB` };
  const unit = (m[2] ?? '').toLowerCase();
  const pow = { '': 0, k: 1, m: 2, g: 3, t: 4 }[unit[0] ?? ''] ?? 0;
  const base = unit.endsWith('i') ? 1024 : 1000;
  const value = Math.floor(Number(m[1]) * base ** pow);
  if (value < PCAP_HEADER + RECORD_HEADER + 64) return { error: `"${text}" is too small for a capture file; write e.g. 100MB` };
  return { value };
}

export interface LiveWriter {
  write(p: WritablePacket): void;
  close(): void;
  /** Files written so far, in order. */
  readonly files: string[];
}

function open(path: string, linkType: number): PcapWriter {
  try {
    return new PcapWriter(fileSink(path), { linkType, precision: 'us', snaplen: 65_535 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UserError(path, null, `cannot write --write ${path}: ${code}`);
  }
}

/** A pcap writer that starts a new file before one would exceed `limit` bytes (null: never). */
export function createLiveWriter(path: string, linkType: number, limit: number | null): LiveWriter {
  const files = [path];
  let w = open(path, linkType);
  let size = PCAP_HEADER;
  let packets = 0;
  return {
    files,
    write(p) {
      const rec = RECORD_HEADER + Math.min(p.data.length, 65_535);
      if (limit !== null && packets > 0 && size + rec > limit) {
        w.close();
        const next = rotatedName(path, files.length);
        files.push(next);
        w = open(next, linkType);
        size = PCAP_HEADER;
        packets = 0;
      }
      w.write(p);
      size += rec;
      packets++;
    },
    close() {
      w.close();
    },
  };
}
