/**
 * What every analyzing command does at the end: write the text (file or standard
 * output), print notes on standard error, and pick the exit status (spec/interface.md
 * "Exit status": 1 when a reported finding is at or above --fail-on).
 */
import { open } from 'node:fs/promises';
import { SEVERITY_RANK, type Severity } from '../index.js';
import { EXIT } from './exit-codes.js';
import { CliUsageError } from './user-error.js';

/** Report pieces are gathered into writes of about this many characters. */
export const WRITE_BATCH_CHARS = 1 << 20;

/**
 * Writes a report: one string, or pieces (report/json.ts jsonChunks) written as they
 * come, about WRITE_BATCH_CHARS at a time, so that a large report is never held whole.
 */
export async function writeReport(text: string | Iterable<string>, output: string | null): Promise<void> {
  if (output === null) {
    if (stdoutGone) return;
    if (typeof text === 'string') {
      process.stdout.write(text);
      return;
    }
    for (const batch of batches(text)) {
      // A reader that went away (`| head`): stop writing.
      if (stdoutGone || (!process.stdout.write(batch) && !(await drained(process.stdout)))) return;
    }
    return;
  }
  try {
    const fh = await open(output, 'w');
    try {
      for (const batch of typeof text === 'string' ? [text] : batches(text)) await fh.write(batch);
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new CliUsageError(`cannot write --output ${output}: ${code}`);
  }
}

function* batches(pieces: Iterable<string>): Generator<string> {
  let buf: string[] = [];
  let n = 0;
  for (const p of pieces) {
    buf.push(p);
    n += p.length;
    if (n >= WRITE_BATCH_CHARS) {
      yield buf.join('');
      buf = [];
      n = 0;
    }
  }
  if (n > 0) yield buf.join('');
}

/** True when the stream took what was written; false when it will take nothing more (closed or failed). */
function drained(stream: NodeJS.WriteStream): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (ok: boolean): void => {
      stream.off('drain', onDrain);
      stream.off('error', onEnd);
      stream.off('close', onEnd);
      resolve(ok);
    };
    const onDrain = (): void => finish(true);
    const onEnd = (): void => finish(false);
    stream.once('drain', onDrain);
    stream.once('error', onEnd);
    stream.once('close', onEnd);
  });
}

/** Standard output's reader went away or writing to it failed: the rest has nowhere to go. */
let stdoutGone = false;
let watching = false;

/**
 * For the CLI process (main.ts): a failed write to standard output is an 'error' event,
 * which kills Node with a stack trace when nobody listens, and `smtpscope analyze big.pcap
 * | head` makes one (EPIPE) as soon as head has its lines. Like other Unix tools, stop
 * writing then, quietly; any other failure is said in one line on standard error. The
 * exit status stays the analysis's (--fail-on).
 */
export function watchStdout(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (!stdoutGone && e.code !== 'EPIPE') process.stderr.write(`smtpscope: cannot write to standard output: ${e.code ?? e.message}\n`);
    stdoutGone = true;
  });
}

export function writeNotes(notes: readonly string[]): void {
  for (const n of notes) process.stderr.write(`smtpscope: ${n}\n`);
}

export function exitStatus(findings: readonly { severity: Severity }[], failOn: Severity | null): number {
  if (failOn === null) return EXIT.ok;
  const min = SEVERITY_RANK[failOn];
  return findings.some((f) => SEVERITY_RANK[f.severity] >= min) ? EXIT.findings : EXIT.ok;
}
