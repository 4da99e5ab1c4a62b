import type { Argv } from 'yargs';
import { analyze } from '../../index.js';
import { ANALYZE_OPTIONS, type Format } from '../options.js';
import { resolveReportArgs, type ReportSettings } from '../resolve-args.js';
import { exitStatus, writeNotes, writeReport } from '../output.js';
import { withProgress } from '../progress.js';
import { renderSessions } from '../views/sessions.js';
import { CAPTURES_POSITIONAL, type AnalyzeArgs } from './analyze.js';

export interface SessionsInvocation {
  command: 'sessions';
  inputs: string[];
  settings: ReportSettings;
}

export const SESSIONS_FORMATS: readonly Format[] = ['table', 'json', 'jsonl', 'markdown'];

export function sessionsBuilder(y: Argv): Argv<AnalyzeArgs> {
  return y
    .positional('captures', CAPTURES_POSITIONAL)
    .options(ANALYZE_OPTIONS)
    .example('$0 sessions mail.pcap', 'One row per SMTP session: who talked to whom, TLS, AUTH user, messages, how it ended')
    .example('$0 sessions --format jsonl mail.pcap | jq -c \'select(.findings > 0)\'', 'Sessions with findings, for a script')
    .example('$0 sessions rotated-*.pcap', 'Several rotated files as one capture') as unknown as Argv<AnalyzeArgs>;
}

export function resolveSessions(args: AnalyzeArgs): SessionsInvocation {
  return { command: 'sessions', inputs: args.captures.map(String), settings: resolveReportArgs(args, SESSIONS_FORMATS) };
}

export async function runSessions(inv: SessionsInvocation): Promise<number> {
  writeNotes(inv.settings.notes);
  const model = await withProgress(inv.inputs, (onProgress) => analyze(inv.inputs, { ...inv.settings.analyze, ...(onProgress ? { onProgress } : {}) }));
  await writeReport(renderSessions(model, inv.settings.format), inv.settings.output);
  return exitStatus(model.findings, inv.settings.failOn);
}
