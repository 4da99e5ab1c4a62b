import { isGzip, otherCompression } from './compressed.js';
import { netmonHeaderProblem } from './netmon.js';
import type { CaptureFormat } from './types.js';

/** Bytes sniffFormat() wants to see (fewer is fine at end of file). */
export const SNIFF_BYTES = 4096;

export type SniffResult = { format: CaptureFormat } | { error: string };

const CONVERT = 'convert it with';

/**
 * Chooses a reader by magic bytes only, never by file name (DESIGN.md). Anything
 * else gets one line saying what it looks like and how to turn it into a capture
 * we read. The message has no file name: the caller prefixes it.
 */
export function sniffFormat(b: Buffer): SniffResult {
  if (b.length === 0) return { error: 'is empty (0 bytes), not a capture' };
  if (b.length >= 4) {
    const le = b.readUInt32LE(0);
    if (le === 0xa1b2c3d4 || le === 0xd4c3b2a1 || le === 0xa1b23c4d || le === 0x4d3cb2a1) return { format: 'pcap' };
    if (le === 0x0a0d0d0a) return { format: 'pcapng' };
    if (le === 0xa1b2cd34 || le === 0x34cdb2a1) {
      return { error: `is a "modified" (Kuznetzov) pcap; ${CONVERT} \`editcap -F pcap in.pcap out.pcap\`` };
    }
    const magic = b.toString('latin1', 0, 4);
    if (magic === 'GMBU' || magic === 'RTSS') {
      const problem = netmonHeaderProblem(b);
      return problem === null ? { format: 'netmon' } : { error: `is ${problem}` };
    }
  }
  // Reached only inside a gzip stream (readers open gzip themselves): a gzip in a gzip.
  if (isGzip(b)) return { error: 'is gzip-compressed twice; decompress it once (`gunzip file.gz`), then analyze the result' };
  const packed = otherCompression(b);
  if (packed !== null) return { error: packed };
  if (b.length >= 8 && b.toString('latin1', 0, 8) === 'snoop\0\0\0') {
    return { error: `is a Solaris snoop capture; ${CONVERT} \`editcap -F pcapng in.snoop out.pcapng\`` };
  }
  if (looksLikeEtl(b)) {
    return { error: `looks like a Windows ETW trace (.etl, e.g. from pktmon or netsh trace); ${CONVERT} \`pktmon etl2pcap file.etl --out file.pcapng\`` };
  }
  const text = looksLikeText(b);
  if (text !== null) return { error: text };
  if (b.length < 24) return { error: `is too short to be a capture (${b.length} bytes)` };
  if (looksLikeErf(b)) {
    return { error: `looks like an Endace ERF capture (which has no magic number); ${CONVERT} \`editcap -F pcapng in.erf out.pcapng\`` };
  }
  const hex = [...b.subarray(0, 4)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  return { error: `is not a capture file smtpscope reads (first bytes ${hex}); it reads pcap, pcapng and NetMon 2.x (convert others with \`editcap -F pcapng\`)` };
}

/**
 * ETW log files start with a WMI buffer header whose first field is the buffer size
 * (a power of two, 4 KiB..16 MiB); the logfile header that follows names the .etl
 * file in UTF-16LE. Both together are specific enough.
 */
function looksLikeEtl(b: Buffer): boolean {
  if (b.length < 64) return false;
  const size = b.readUInt32LE(0);
  if (size < 4096 || size > 16 << 20 || (size & (size - 1)) !== 0) return false;
  const hay = b.subarray(0, 4096);
  return hay.indexOf(Buffer.from('.etl', 'utf16le')) >= 0 || hay.indexOf(Buffer.from('.ETL', 'utf16le')) >= 0;
}

function looksLikeText(b: Buffer): string | null {
  const head = b.subarray(0, 1024);
  for (const c of head) {
    // Tab, LF, CR and printable ASCII, plus UTF-8 lead/continuation bytes.
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f) return null;
  }
  const s = head.toString('utf8');
  // tshark's one-line summaries ("  1 0.000000 10.0.0.1 → 10.0.0.2 SMTP ...") and -V detail ("Frame 1: 74 bytes on wire").
  if (/^\s*\d+\s+-?\d+\.\d+\s+\S+\s+(→|->)\s+\S+/m.test(s) || /^Frame \d+: \d+ bytes on wire/m.test(s)) {
    return "looks like tshark's text output, not a capture; save the packets themselves with `tshark -w out.pcapng` (or `-F pcap`)";
  }
  if (/^\s*(C|S):/m.test(s)) return 'is a text file (it looks like an SMTP dialogue), not a capture';
  if (/^[0-9a-f]{4,8}\s+([0-9a-f]{2}\s){8}/im.test(s)) {
    return `looks like a hex dump; ${CONVERT} \`text2pcap\``;
  }
  return 'looks like a text file, not a packet capture';
}

/**
 * ERF records (Endace): 8-byte time stamp, type, flags, record length (BE u16, ≥ 16),
 * loss counter, wire length. Two consecutive plausible record headers are required.
 */
function looksLikeErf(b: Buffer): boolean {
  let pos = 0;
  for (let i = 0; i < 2; i++) {
    if (pos + 16 > b.length) return i > 0;
    const type = (b[pos + 8] as number) & 0x7f;
    const rlen = b.readUInt16BE(pos + 10);
    if (type < 1 || type > 48 || rlen < 16 || rlen > 16 + 65_535) return false;
    pos += rlen;
  }
  return true;
}
