#!/usr/bin/env node
/**
 * The smtpscope command line: wiring only (habit 15). Commands call src/index.ts;
 * parseArgs is exported so vitest can drive the parser without a process.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyzeBuilder, runAnalyze, type AnalyzeArgs } from './commands/analyze.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from '../version.js';

/** Builds the parser; `run` receives the chosen command's promise of an exit status. */
export function buildParser(argv: string[], run: (p: Promise<number>) => void) {
  return yargs(argv)
    .scriptName('smtpscope')
    .usage('$0 <command> [options]\n\nFinds out why mail does not flow, from packet captures.')
    .command(
      'analyze <captures..>',
      'Analyze capture files and report SMTP sessions and problems',
      (y) => analyzeBuilder(y),
      (a) => run(runAnalyze(a as unknown as AnalyzeArgs)),
    )
    .demandCommand(1, 'Name a command, e.g. smtpscope analyze capture.pcap')
    .strict()
    .version(VERSION)
    .help()
    .wrap(Math.min(100, process.stdout.columns || 80))
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

export async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> | null = null;
  try {
    await buildParser(argv, (p) => (pending = p)).parseAsync();
    return pending ? await pending : EXIT.ok;
  } catch (e) {
    if (isUserFacing(e)) {
      process.stderr.write(`smtpscope: ${e.message}\n`);
    } else {
      // A bug of ours: still one line, and the stack only on request.
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`smtpscope: internal error: ${msg} (set SMTPSCOPE_DEBUG=1 for details)\n`);
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
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
