#!/usr/bin/env -S node --max-semi-space-size=12 --heap-growing-percent=30
/**
 * (The shebang caps V8's young generation at 12 MB per semi-space: without it the
 * semi-space grows with the capture and peak RSS with it; with it, what grows is only what
 * the run keeps (the sessions for the report). Measurements: README, design notes. The
 * old generation grows by 30 % between full collections. `env -S` is understood by
 * coreutils >= 8.30, macOS, and npm's Windows shims.)
 *
 * The smtpscope command line: wiring only (habit 15). `parseArgs(argv)` turns the
 * command line into a checked, typed Invocation without touching any input (vitest
 * drives it directly); `main(argv)` runs it. Commands call src/index.ts only.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyzeBuilder, resolveAnalyze, runAnalyze, type AnalyzeArgs, type AnalyzeInvocation } from './commands/analyze.js';
import { resolveSessions, runSessions, sessionsBuilder, type SessionsInvocation } from './commands/sessions.js';
import { resolveTranscript, runTranscript, transcriptBuilder, type TranscriptArgs, type TranscriptInvocation } from './commands/transcript.js';
import { resolveRulesCommand, rulesBuilder, runRules, type RulesArgs, type RulesInvocation } from './commands/rules.js';
import { liveBuilder, resolveLive, runLive, type LiveArgs, type LiveInvocation } from './commands/live.js';
import { interfacesBuilder, resolveInterfaces, runInterfaces, type InterfacesArgs, type InterfacesInvocation } from './commands/interfaces.js';
import { EXIT } from './exit-codes.js';
import { watchStdout } from './output.js';
import { VERSION } from '../version.js';

export type Invocation = AnalyzeInvocation | SessionsInvocation | TranscriptInvocation | RulesInvocation | LiveInvocation | InterfacesInvocation;

/**
 * yargs drops a lone "-" from positionals, yet "-" is how standard input is named
 * (spec/interface.md: `tcpdump -w - ... | smtpscope analyze -`). It travels through
 * yargs as this token and is restored before any command sees its arguments.
 */
const DASH = '\u0000stdin\u0000';

function restoreDash<T>(v: T): T {
  if (v === DASH) return '-' as T;
  if (Array.isArray(v)) return v.map(restoreDash) as T;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restoreDash(x)])) as T;
  }
  return v;
}

/** Builds the parser; `chosen` receives the checked invocation of the command given. */
export function buildParser(argv: string[], chosen: (inv: Invocation) => void) {
  const on = <A>(resolve: (a: A) => Invocation) => (a: unknown) => chosen(resolve(restoreDash(a) as A));
  return yargs(argv.map((a) => (a === '-' ? DASH : a)))
    .scriptName('smtpscope')
    .usage('$0 <command> [options]\n\nFinds out why mail does not flow, from packet captures.')
    .command('analyze <captures..>', 'Analyze capture files and report SMTP sessions and problems', analyzeBuilder, on<AnalyzeArgs>(resolveAnalyze))
    .command('sessions <captures..>', 'One row per SMTP session (client, server, TLS, AUTH user, messages, end)', sessionsBuilder, on<AnalyzeArgs>(resolveSessions))
    .command('transcript <captures..>', 'One session\'s dialogue as a telnet user reads it (--session <id>)', transcriptBuilder, on<TranscriptArgs>(resolveTranscript))
    .command('rules', 'The rule catalogue; --explain <id> for one rule in full', rulesBuilder, on<RulesArgs>(resolveRulesCommand))
    .command('live', 'Sniff an interface (libpcap) and print findings as SMTP sessions happen (-i <device>)', liveBuilder, on<LiveArgs>(resolveLive))
    .command('interfaces', 'The capture devices libpcap sees, for live -i', interfacesBuilder, on<InterfacesArgs>(resolveInterfaces))
    .example('$0 analyze mail.pcap', 'What went wrong in this capture')
    .example('$0 sessions mail.pcap', 'The SMTP sessions in it')
    .example('$0 transcript mail.pcap --session 2', 'Session 2 line by line')
    .example('$0 rules --explain relay-denied', 'What a finding means')
    .example('$0 live -i eth0 --duration 5m --write outage.pcap', 'Watch SMTP on eth0 for five minutes, keeping the packets')
    .demandCommand(1, 'name a command, e.g. smtpscope analyze capture.pcap (smtpscope --help lists them)')
    .strict()
    .version(VERSION)
    .help()
    .exitProcess(false)
    // Wrapped to the terminal; piped help keeps whole lines (greppable, copyable examples).
    .wrap(process.stdout.columns ? Math.min(120, process.stdout.columns) : null)
    .fail((msg, err) => {
      throw err ?? new UsageFailure(msg);
    });
}

class UsageFailure extends Error {
  override readonly name = 'UsageFailure';
}

/** Errors that are the user's to fix: printed as one line, exit 2. */
function isUserFacing(e: unknown): e is Error {
  return e instanceof Error && ['UserError', 'CliUsageError', 'UsageFailure'].includes(e.name);
}

/** --help / --version: the text yargs produced, printed by run() (so tests see it on stdout). */
export interface PrintInvocation {
  command: 'print';
  text: string;
}

/**
 * The checked invocation (or the help/version text to print). Throws user-facing
 * errors. Reads no input: everything that can be checked up front is checked here.
 */
export async function parseArgs(argv: string[]): Promise<Invocation | PrintInvocation> {
  let inv: Invocation | null = null;
  let printed = '';
  // With a parse callback yargs hands back --help/--version output instead of printing it.
  await buildParser(argv, (i) => (inv = i)).parseAsync(argv.map((a) => (a === '-' ? DASH : a)), {}, (_err, _args, output) => {
    printed = output;
  });
  return inv ?? { command: 'print', text: printed.endsWith('\n') || printed === '' ? printed : `${printed}\n` };
}

export async function run(inv: Invocation | PrintInvocation): Promise<number> {
  switch (inv.command) {
    case 'print':
      process.stdout.write(inv.text);
      return EXIT.ok;
    case 'analyze':
      return runAnalyze(inv);
    case 'sessions':
      return runSessions(inv);
    case 'transcript':
      return runTranscript(inv);
    case 'rules':
      return runRules(inv);
    case 'live':
      return runLive(inv);
    case 'interfaces':
      return runInterfaces(inv);
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(await parseArgs(argv));
  } catch (e) {
    if (isUserFacing(e)) {
      // One line, whatever yargs or a reader put in the message.
      process.stderr.write(`smtpscope: ${e.message.replace(/\s*\n\s*/g, '; ')}\n`);
    } else {
      // A bug of ours: still one line, and the stack only on request.
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`smtpscope: internal error: ${msg.replace(/\s*\n\s*/g, '; ')} (set SMTPSCOPE_DEBUG=1 for details)\n`);
      if (process.env.SMTPSCOPE_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
    }
    return EXIT.usage;
  }
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  watchStdout();
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
