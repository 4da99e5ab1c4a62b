/**
 * `smtpscope live -i <interface>`: the analyze pipeline fed by libpcap instead of files
 * (src/index.ts inspectSource with capture/live.ts's source). Findings are printed as
 * the rule engine settles them (a session's when it ends, cross-session ones at the
 * end); a status line on a terminal; the full report when the capture stops (Ctrl-C,
 * SIGTERM, --duration, --count), after every open session is flushed as capture-end.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import {
  createLiveWriter,
  findingReport,
  inspectSource,
  openLive,
  parseSize,
  Redactor,
  smtpFilter,
  type LiveCapture,
  type LiveStats,
  type LiveWriter,
  type ReportModel,
  type Severity,
} from '../../index.js';
import type { Finding } from '../../rules/index.js';
import { jsonChunks } from '../../report/json.js';
import { renderJsonl } from '../../report/jsonl.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderTable } from '../../report/table.js';
import {
  ANALYZE_OPTIONS,
  LIVE_OPTIONS,
  parseCount,
  parseDuration,
  type AnalyzeOptionArgs,
  type Format,
  type LiveOptionArgs,
} from '../options.js';
import { listOf, resolveReportArgs, type ReportSettings } from '../resolve-args.js';
import { exitStatus, writeReport } from '../output.js';
import { progressWanted } from '../progress.js';
import { CliUsageError } from '../user-error.js';
import { createLiveStatus, type LiveCounts } from '../live-status.js';

export interface LiveArgs extends AnalyzeOptionArgs, LiveOptionArgs {}

export interface LiveInvocation {
  command: 'live';
  device: string;
  filter: string;
  settings: ReportSettings;
  durationMs: number | null;
  count: number | null;
  write: string | null;
  writeLimit: number | null;
  /** Kernel buffer bytes; null: capture/live.ts's default. */
  bufferBytes: number | null;
}

export const LIVE_FORMATS: readonly Format[] = ['table', 'json', 'jsonl', 'markdown', 'html'];

export function liveBuilder(y: Argv): Argv<LiveArgs> {
  return y
    .options(LIVE_OPTIONS)
    .options(ANALYZE_OPTIONS)
    .example('$0 live -i eth0', 'Watch SMTP on eth0; Ctrl-C prints the report')
    .example('$0 live -i eth0 --duration 5m --write outage.pcap --write-limit 100MB', 'Five minutes, keeping the packets for a ticket')
    .example('$0 live -i any --ports 25,587 --bpf "host 192.0.2.10" --format jsonl', 'One server, findings as JSON lines') as unknown as Argv<LiveArgs>;
}

function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
}

export function resolveLive(args: LiveArgs): LiveInvocation {
  const device = String(args.interface ?? '').trim();
  if (device === '') throw new CliUsageError('-i/--interface: name the device to capture on, e.g. -i eth0 (smtpscope interfaces lists them)');
  // --bpf is the kernel filter here: not the offline note resolveReportArgs gives.
  const { bpf, ...rest } = args;
  const settings = resolveReportArgs(rest as AnalyzeOptionArgs, LIVE_FORMATS);
  const durationMs = args.duration === undefined ? null : usage(() => parseDuration(String(args.duration)));
  const count = args.count === undefined ? null : usage(() => parseCount(String(args.count)));
  const write = args.write === undefined ? null : String(args.write);
  let writeLimit: number | null = null;
  if (args.writeLimit !== undefined) {
    if (write === null) throw new CliUsageError('--write-limit needs --write <file.pcap>');
    const r = parseSize(String(args.writeLimit));
    if ('error' in r) throw new CliUsageError(`--write-limit: ${r.error}`);
    writeLimit = r.value;
  }
  let bufferBytes: number | null = null;
  if (args.bufferSize !== undefined) {
    const r = parseSize(String(args.bufferSize));
    if ('error' in r) throw new CliUsageError(`--buffer-size: ${r.error}`);
    bufferBytes = r.value;
  }
  const filter = smtpFilter(settings.analyze.ports ?? [], listOf(bpf).length ? (Array.isArray(bpf) ? bpf : [bpf!]).map(String) : []);
  return { command: 'live', device, filter, settings, durationMs, count, write, writeLimit, bufferBytes };
}

const RENDER = { table: renderTable, json: jsonChunks, markdown: renderMarkdown } as const;

/** One finding as one terminal line. */
export function findingLine(f: { severity: Severity; rule: string; session: number | null; client: string | null; frames: readonly number[]; summary: string }): string {
  const who = f.session === null ? (f.client ?? '-') : `session ${f.session}`;
  return `${f.severity.padEnd(7)} ${f.rule.padEnd(24)} ${who.padEnd(11)} frames ${f.frames[0]}-${f.frames[1]}  ${f.summary}\n`;
}

/** The closing line's part about losses: the kernel's ring drops, what passed the filter, the interface's own drops. */
export function dropsText(s: Pick<LiveStats, 'kernelDrops' | 'kernelReceived' | 'ifDrops' | 'dropsUnavailable'>): string {
  if (s.kernelDrops === null) return `kernel drops unknown: ${s.dropsUnavailable ?? 'no drop counter'}`;
  const more = [
    ...(s.kernelReceived === null ? [] : [`${s.kernelReceived} matched the filter`]),
    ...(s.ifDrops === null ? [] : [`${s.ifDrops} lost by the interface`]),
  ];
  return `${s.kernelDrops} dropped by the kernel${more.length ? ` (${more.join(', ')})` : ''}`;
}

export async function runLive(inv: LiveInvocation): Promise<number> {
  const { settings } = inv;
  const live: LiveCapture = await openLive({
    device: inv.device,
    filter: inv.filter,
    ...(inv.count !== null ? { count: inv.count } : {}),
    ...(inv.bufferBytes !== null ? { kernelBufferBytes: inv.bufferBytes } : {}),
  });
  let writer: LiveWriter | null = null;
  try {
    writer = inv.write === null ? null : createLiveWriter(inv.write, live.linkType, inv.writeLimit);
  } catch (e) {
    live.stop();
    throw e;
  }
  const counts: LiveCounts = { packets: 0, open: 0, closed: 0, bySeverity: { notice: 0, warning: 0, error: 0 }, kernelDrops: null };
  const status = progressWanted() ? createLiveStatus(inv.device, process.stderr) : null;
  const redactor = settings.analyze.redact === true ? new Redactor() : null;
  const format = settings.format;
  const output = settings.output;

  // Where the live finding lines go: jsonl records into the report's own stream;
  // table lines on standard output, or standard error when standard output is
  // reserved for a single json/markdown/html document.
  if (format === 'jsonl' && output !== null) writeFileSync(output, '');
  const emitLine = (text: string, toErr: boolean) => {
    status?.clear();
    if (format === 'jsonl' && output !== null) appendFileSync(output, text);
    else (toErr ? process.stderr : process.stdout).write(text);
    status?.draw(counts);
  };
  const onFinding = (f: Finding) => {
    counts.bySeverity[f.severity]++;
    let r = findingReport(f, 'us');
    if (redactor) r = redactor.model({ findings: [r], sessions: [] } as unknown as ReportModel).findings[0]!;
    if (format === 'jsonl') emitLine(`${JSON.stringify({ type: 'finding', ...r })}\n`, false);
    else emitLine(findingLine(r), format !== 'table' && output === null);
  };

  // Stop on Ctrl-C, SIGTERM or --duration; a second Ctrl-C gives up on the report.
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    live.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = inv.durationMs === null ? null : setTimeout(() => live.stop(), inv.durationMs);
  const tick = status
    ? setInterval(() => {
        counts.kernelDrops = live.stats().kernelDrops;
        status.draw(counts);
      }, 500)
    : null;
  const noDrops = live.stats().dropsUnavailable;
  process.stderr.write(
    `smtpscope: capturing on ${inv.device} (filter: ${live.filter})${inv.write ? `, writing ${inv.write}` : ''}; Ctrl-C stops and prints the report\n` +
      (noDrops === null ? '' : `smtpscope: kernel drops will not be counted: ${noDrops}\n`),
  );

  let model: ReportModel;
  let bodies;
  try {
    ({ model, bodies } = await inspectSource(
      live.source,
      {
        ...settings.analyze,
        redact: false, // applied below with the same Redactor as the live lines
        onFinding,
        onPacket: writer
          ? (p) => {
              counts.packets++;
              writer!.write(p);
            }
          : () => {
              counts.packets++;
            },
        onSessionEvent: (_s, ev) => {
          if (ev.type === 'session-start') counts.open++;
          else if (ev.type === 'session-end') {
            counts.open--;
            counts.closed++;
          }
        },
      },
      format === 'html',
    ));
  } finally {
    if (timer) clearTimeout(timer);
    if (tick) clearInterval(tick);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    live.stop();
    writer?.close();
    status?.clear();
  }
  if (redactor) model = redactor.model(model);

  const stats = live.stats();
  const drops = dropsText(stats);
  process.stderr.write(
    `smtpscope: captured ${stats.packets} packets on ${inv.device}, ${drops}; ${model.summary.sessions} SMTP session(s)` +
      (writer ? `; written to ${writer.files.join(', ')}` : '') +
      '\n',
  );

  if (format === 'jsonl') {
    // The findings were printed as they came; then the sessions and the summary.
    const rest = renderJsonl({ ...model, findings: [] });
    if (output !== null) appendFileSync(output, rest);
    else process.stdout.write(rest);
  } else if (format === 'html') {
    const { htmlChunks } = await import('../../report/html.js');
    await writeReport(htmlChunks(model, { bodies }), output);
  } else {
    await writeReport(RENDER[format](model), output);
  }
  return exitStatus(model.findings, settings.failOn);
}
