/**
 * What every analyzing command does at the end: write the text (file or standard
 * output), print notes on standard error, and pick the exit status (spec/interface.md
 * "Exit status": 1 when a reported finding is at or above --fail-on).
 */
import { writeFile } from 'node:fs/promises';
import { SEVERITY_RANK, type Severity } from '../index.js';
import { EXIT } from './exit-codes.js';
import { CliUsageError } from './user-error.js';

export async function writeReport(text: string, output: string | null): Promise<void> {
  if (output === null) {
    process.stdout.write(text);
    return;
  }
  try {
    await writeFile(output, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new CliUsageError(`cannot write --output ${output}: ${code}`);
  }
}

export function writeNotes(notes: readonly string[]): void {
  for (const n of notes) process.stderr.write(`smtpscope: ${n}\n`);
}

export function exitStatus(findings: readonly { severity: Severity }[], failOn: Severity | null): number {
  if (failOn === null) return EXIT.ok;
  const min = SEVERITY_RANK[failOn];
  return findings.some((f) => SEVERITY_RANK[f.severity] >= min) ? EXIT.findings : EXIT.ok;
}
