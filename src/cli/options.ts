import type { Options } from 'yargs';

import { DEFAULT_PORTS } from '../ports.js';

export const FORMATS = ['table', 'json', 'jsonl', 'markdown', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export const SEVERITY_NAMES = ['notice', 'warning', 'error'] as const;

/**
 * Options every analyzing command takes (analyze, sessions, transcript), as typed data:
 * the descriptions ARE the help text (vitest's cli-config habit). Commands pick from
 * this table; nothing is declared twice. Values are checked by ./resolve-args.ts, not
 * by yargs `choices`, so that a bad value gives one line that names the fix.
 * Repeatable options are plain strings: yargs turns repeats into an array, and an
 * `array: true` option would swallow the capture names that follow it.
 */
export const ANALYZE_OPTIONS = {
  format: {
    type: 'string',
    describe: 'Report format: table, json, jsonl (one JSON object per line), markdown (for a ticket), html (one self-contained page with ladder diagrams; analyze and live); default: table on a terminal, json otherwise',
  },
  output: { type: 'string', alias: 'o', describe: 'Write the report to this file instead of standard output' },
  ports: {
    type: 'string',
    default: DEFAULT_PORTS.join(','),
    describe: 'SMTP ports to decode; other ports are still found when the server greets with 220',
  },
  bpf: {
    type: 'string',
    alias: 'filter',
    describe: 'libpcap filter expression; live: applied in the kernel together with the --ports filter; offline it is not applied, every packet is read (narrow a file first with tcpdump -r in.pcap -w out.pcap "<expr>")',
  },
  rules: { type: 'string', describe: 'Run only these rules (comma list of ids, see smtpscope rules)' },
  'skip-rules': { type: 'string', describe: 'Do not run these rules (comma list of ids)' },
  'min-severity': { type: 'string', describe: 'Only run rules of this severity or worse: notice, warning or error' },
  threshold: {
    type: 'string',
    describe: 'Change a rule threshold, <name>=<n>; the name is a threshold key or the id of a rule with one threshold (repeatable; smtpscope rules --explain <id> shows them)',
  },
  'local-domain': { type: 'string', describe: 'A domain the server is authoritative for; enables open-relay (repeatable)' },
  redact: { type: 'boolean', describe: 'Mask the local parts of mail addresses (domains stay), subjects and message ids in every format, for sharing outside the team; passwords are never shown, with or without it' },
  'fail-on': { type: 'string', describe: 'Exit with status 1 when a finding of this severity or worse is reported: notice, warning or error' },
} as const satisfies Record<string, Options>;

/** What yargs hands a command for ANALYZE_OPTIONS (repeats arrive as arrays). */
export interface AnalyzeOptionArgs {
  format?: string;
  output?: string;
  ports: string;
  bpf?: string | string[];
  rules?: string | string[];
  skipRules?: string | string[];
  minSeverity?: string;
  threshold?: string | string[];
  localDomain?: string | string[];
  redact?: boolean;
  failOn?: string;
}

/** Parses "25,587, 2525" into a sorted list of ports; a bad value names the fix. */
export function parsePorts(text: string): number[] {
  const ports = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        throw new RangeError(`--ports: "${s}" is not a TCP port (1-65535); write e.g. --ports 25,587,2525`);
      }
      return n;
    });
  if (ports.length === 0) throw new RangeError('--ports: give at least one port, e.g. --ports 25');
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** `live` only (spec/interface.md): the device, when to stop, and where to keep the packets. */
export const LIVE_OPTIONS = {
  interface: { type: 'string', alias: 'i', demandOption: 'name the device to capture on, e.g. -i eth0 (smtpscope interfaces lists them)', describe: 'Capture device (smtpscope interfaces lists them)' },
  duration: { type: 'string', describe: 'Stop after this long: 90s, 5m, 1h, or a number of seconds' },
  count: { type: 'string', describe: 'Stop after this many packets' },
  write: { type: 'string', alias: 'w', describe: 'Also save every captured packet to this pcap file (for a ticket; smtpscope analyze reads it with the same results)' },
  'write-limit': { type: 'string', describe: 'Rotate --write files at this size (e.g. 100MB): file.pcap, file.1.pcap, file.2.pcap, ...' },
  'buffer-size': { type: 'string', describe: 'Kernel capture buffer (like tcpdump -B), e.g. 256MB; larger rides out longer bursts without drops (default 128MiB)' },
} as const satisfies Record<string, Options>;

/** What yargs hands `live` for LIVE_OPTIONS. */
export interface LiveOptionArgs {
  interface: string;
  duration?: string;
  count?: string;
  write?: string;
  writeLimit?: string;
  bufferSize?: string;
}

/** "90s", "5m", "1h", "250ms" or a bare number of seconds → milliseconds; a bad value names the fix. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'] : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`--duration: "${text}" is not a time; write e.g. --duration 90s, 5m, 1h or a number of seconds`);
  return ms;
}

/** A positive packet count. */
export function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--count: "${text}" is not a number of packets; write e.g. --count 10000`);
  return n;
}
