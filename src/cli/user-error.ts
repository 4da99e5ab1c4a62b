/**
 * A problem with what the user gave us (usage, unreadable or unsupported input).
 * The CLI prints it as one line and exits 2; never a stack trace.
 * Capture readers throw their own UserError subclass (src/capture/errors.ts) with file and offset.
 */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
