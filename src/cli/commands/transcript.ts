import type { Argv } from 'yargs';
import { inspect } from '../../index.js';
import { ANALYZE_OPTIONS, type Format } from '../options.js';
import { resolveReportArgs, type ReportSettings } from '../resolve-args.js';
import { exitStatus, writeNotes, writeReport } from '../output.js';
import { withProgress } from '../progress.js';
import { CliUsageError } from '../user-error.js';
import { buildTranscript, renderTranscript } from '../views/transcript.js';
import { CAPTURES_POSITIONAL, type AnalyzeArgs } from './analyze.js';

export interface TranscriptArgs extends AnalyzeArgs {
  session: number;
}

export interface TranscriptInvocation {
  command: 'transcript';
  inputs: string[];
  session: number;
  settings: ReportSettings;
}

export const TRANSCRIPT_FORMATS: readonly Format[] = ['table', 'json', 'jsonl', 'markdown'];

export const TRANSCRIPT_OPTIONS = {
  session: {
    type: 'number',
    demandOption: 'Name the session, e.g. --session 1 (smtpscope sessions lists them)',
    describe: 'Session id, as `smtpscope sessions` and the report list it',
  },
} as const;

export function transcriptBuilder(y: Argv): Argv<TranscriptArgs> {
  return y
    .positional('captures', CAPTURES_POSITIONAL)
    .options(TRANSCRIPT_OPTIONS)
    .options(ANALYZE_OPTIONS)
    .example('$0 transcript mail.pcap --session 3', 'The dialogue of session 3, line by line, with reply latencies')
    .example('$0 transcript mail.pcap --session 3 --format markdown >> ticket.md', 'The same, as a block for a ticket')
    .example('$0 sessions mail.pcap', 'First find the session id') as unknown as Argv<TranscriptArgs>;
}

export function resolveTranscript(args: TranscriptArgs): TranscriptInvocation {
  const session = Number(args.session);
  if (!Number.isInteger(session) || session < 1) {
    throw new CliUsageError(`--session: "${String(args.session)}" is not a session id; write e.g. --session 1 (smtpscope sessions lists them)`);
  }
  return { command: 'transcript', inputs: args.captures.map(String), session, settings: resolveReportArgs(args, TRANSCRIPT_FORMATS) };
}

function idList(ids: number[]): string {
  return ids.length > 20 ? `${ids.slice(0, 20).join(', ')}, ... (${ids.length} in all)` : ids.join(', ');
}

export async function runTranscript(inv: TranscriptInvocation): Promise<number> {
  writeNotes(inv.settings.notes);
  // Redacted (--redact) inside inspect(), before the transcript is built from the model.
  const { model, bodies } = await withProgress(inv.inputs, (onProgress) => inspect(inv.inputs, { ...inv.settings.analyze, ...(onProgress ? { onProgress } : {}) }));
  const s = model.sessions.find((x) => x.id === inv.session);
  if (!s) {
    const ids = model.sessions.map((x) => x.id);
    throw new CliUsageError(
      ids.length
        ? `--session ${inv.session}: no such session; valid ids: ${idList(ids)}`
        : `--session ${inv.session}: no SMTP sessions in ${inv.inputs.join(', ')}`,
    );
  }
  await writeReport(renderTranscript(buildTranscript(s, bodies), inv.settings.format), inv.settings.output);
  return exitStatus(model.findings.filter((f) => f.session === s.id), inv.settings.failOn);
}
