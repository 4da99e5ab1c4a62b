import type { Argv } from 'yargs';
import { analyze, inspect } from '../../index.js';
import type { ReportModel } from '../../report/model.js';
import { jsonChunks } from '../../report/json.js';
import { jsonlChunks } from '../../report/jsonl.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderTable, tableStyle } from '../../report/table.js';
import { ANALYZE_OPTIONS, type AnalyzeOptionArgs, type Format } from '../options.js';
import { resolveReportArgs, type ReportSettings } from '../resolve-args.js';
import { exitStatus, writeNotes, writeReport } from '../output.js';
import { withProgress } from '../progress.js';

export interface AnalyzeArgs extends AnalyzeOptionArgs {
  captures: string[];
}

export interface AnalyzeInvocation {
  command: 'analyze';
  inputs: string[];
  settings: ReportSettings;
}

export const ANALYZE_FORMATS: readonly Format[] = ['table', 'json', 'jsonl', 'markdown', 'html'];

export const CAPTURES_POSITIONAL = {
  type: 'string',
  array: true,
  demandOption: true,
  describe: 'Capture files (pcap, pcapng, NetMon .cap, each also gzip-compressed); - reads standard input; several files are read as one capture',
} as const;

export function analyzeBuilder(y: Argv): Argv<AnalyzeArgs> {
  return y
    .positional('captures', CAPTURES_POSITIONAL)
    .options(ANALYZE_OPTIONS)
    .example('$0 analyze mail.pcap', 'Report the SMTP sessions and problems of a capture as a table')
    .example('$0 analyze --format json -o report.json rotated-*.pcapng', 'Several rotated files as one capture, JSON report')
    .example('tcpdump -i eth0 -w - port 25 | $0 analyze -', 'Read a capture from standard input')
    .example('$0 analyze --format markdown -o ticket.md mail.pcap', 'A report to paste into a ticket')
    .example('$0 analyze --format html -o report.html mail.pcap', 'One self-contained page with ladder diagrams, to attach to a ticket')
    .example('$0 analyze --min-severity warning --skip-rules banner-disclosure mail.pcap', 'Leave out notices and one rule')
    .example('$0 analyze --threshold slow-reply-ms=60000 --local-domain example.com mail.pcap', 'Tune a threshold; name your domains for open-relay')
    .example('$0 analyze --fail-on error --format jsonl mail.pcap > findings.jsonl', 'In a script: exit status 1 when an error is found') as unknown as Argv<AnalyzeArgs>;
}

export function resolveAnalyze(args: AnalyzeArgs): AnalyzeInvocation {
  return { command: 'analyze', inputs: args.captures.map(String), settings: resolveReportArgs(args, ANALYZE_FORMATS) };
}

const RENDER = {
  table: (m: ReportModel, toFile: boolean) => renderTable(m, tableStyle(toFile)),
  // Written piece by piece (cli/output.ts): a large report is never one string.
  json: jsonChunks,
  jsonl: jsonlChunks,
  markdown: renderMarkdown,
} as const;

export async function runAnalyze(inv: AnalyzeInvocation): Promise<number> {
  const { settings } = inv;
  writeNotes(settings.notes);
  if (settings.format === 'html') {
    // Loaded lazily (habit 15); the ladder's "[message N bytes, L lines]" needs the body facts.
    const { model, bodies } = await withProgress(inv.inputs, (onProgress) => inspect(inv.inputs, { ...settings.analyze, ...(onProgress ? { onProgress } : {}) }));
    const { htmlChunks } = await import('../../report/html.js');
    await writeReport(htmlChunks(model, { bodies }), settings.output);
    return exitStatus(model.findings, settings.failOn);
  }
  const model = await withProgress(inv.inputs, (onProgress) => analyze(inv.inputs, { ...settings.analyze, ...(onProgress ? { onProgress } : {}) }));
  const render = RENDER[settings.format as keyof typeof RENDER];
  await writeReport(render(model, settings.output !== undefined && settings.output !== '-'), settings.output);
  return exitStatus(model.findings, settings.failOn);
}
