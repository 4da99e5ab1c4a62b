/**
 * A problem with the user's input that the program cannot work around: the CLI's
 * top-level catch prints `smtpscope: <message>` and exits 2 (habit 7). Readers never
 * throw it for damage found after a packet was read; that is reported as
 * CaptureSummary.damage instead.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    /** The input it concerns ('-' for standard input), or null when none. */
    readonly file: string | null,
    /** Byte offset in that input, when one is known. */
    readonly offset: number | null,
    message: string,
  ) {
    super(message);
  }
}
