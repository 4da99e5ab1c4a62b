/**
 * Turns what yargs parsed for ANALYZE_OPTIONS into typed, checked settings. Pure
 * (no I/O), so vitest checks every message without a process. Every bad value
 * becomes one CliUsageError line that says what to write instead (habit 15).
 */
import { checkRuleOptions, SEVERITIES, type AnalyzeOptions, type Severity } from '../index.js';
import { FORMATS, parsePorts, type AnalyzeOptionArgs, type Format } from './options.js';
import { CliUsageError } from './user-error.js';

export interface ReportSettings {
  format: Format;
  output: string | null;
  analyze: AnalyzeOptions;
  failOn: Severity | null;
  /** One-line notes for standard error (e.g. --bpf offline). */
  notes: string[];
}

/** Repeats and comma lists flattened: --rules a,b --rules c → [a, b, c]. */
export function listOf(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v])
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function severity(option: string, text: string | undefined): Severity | null {
  if (text === undefined) return null;
  const s = text.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(s)) return s as Severity;
  throw new CliUsageError(`--${option}: "${text}" is not a severity; write ${SEVERITIES.join(', ')} (e.g. --${option} warning)`);
}

/** --threshold name=n (repeatable); names are checked against the rule catalogue by checkRuleOptions. */
export function parseThresholds(v: string | string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
    const m = /^\s*([A-Za-z0-9_.-]+)\s*=\s*(\S+)\s*$/.exec(String(item));
    if (!m) throw new CliUsageError(`--threshold: "${item}" is not <name>=<n>; write e.g. --threshold slow-reply-ms=60000`);
    const value = Number(m[2]);
    if (!Number.isFinite(value) || value < 0) {
      throw new CliUsageError(`--threshold ${m[1]}: "${m[2]}" is not a number >= 0; write e.g. --threshold ${m[1]}=10`);
    }
    out[m[1]!] = value;
  }
  return out;
}

/** The format to use: requested (checked) or table on a terminal, json otherwise. */
export function chooseFormat(requested: string | undefined, toFile: boolean, available: readonly Format[], isTty: boolean): Format {
  if (requested === undefined) return !toFile && isTty && available.includes('table') ? 'table' : 'json';
  const f = requested.trim().toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f)) {
    throw new CliUsageError(`--format: "${requested}" is not a format; write one of ${available.join(', ')}`);
  }
  if (!available.includes(f as Format)) {
    throw new CliUsageError(`--format ${f} is not available yet for this command; use one of ${available.join(', ')}`);
  }
  return f as Format;
}

export function resolveReportArgs(
  args: AnalyzeOptionArgs,
  available: readonly Format[],
  isTty: boolean = process.stdout.isTTY === true,
): ReportSettings {
  let ports: number[];
  try {
    ports = parsePorts(args.ports);
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  // "-o -" is standard output, as in tcpdump -w -.
  const output = args.output === undefined || args.output === '-' ? null : args.output;
  const format = chooseFormat(args.format, output !== null, available, isTty);
  const minSeverity = severity('min-severity', args.minSeverity);
  const failOn = severity('fail-on', args.failOn);
  const analyze: AnalyzeOptions = {
    ports,
    rules: listOf(args.rules),
    skipRules: listOf(args.skipRules),
    thresholds: parseThresholds(args.threshold),
    localDomains: listOf(args.localDomain),
    ...(minSeverity ? { minSeverity } : {}),
    ...(args.redact === true ? { redact: true } : {}),
  };
  checkRuleOptions(analyze);
  const notes: string[] = [];
  if (listOf(args.bpf).length > 0) {
    notes.push('note: --bpf/--filter is applied by live capture only for now; every packet of the files is analyzed');
  }
  return { format, output, analyze, failOn, notes };
}
