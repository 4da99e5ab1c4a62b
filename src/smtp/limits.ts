/**
 * Limits of the smtp/ stage that src/limits.ts does not name (kept here so the
 * shared contract file is not edited while other stages are written; candidates
 * to move there). Hitting one is reported where it is enforced (habit 6).
 */
export const SMTP_LIMITS = {
  /** Commands kept in SmtpSession.commands; later ones are counted in droppedCommands. */
  maxCommandsKept: 10_000,
  /** Transactions kept in SmtpSession.transactions; later ones are counted in droppedTransactions. */
  maxTransactionsKept: 1_000,
  /** Recipients kept per transaction; later ones are counted in droppedRcpts. */
  maxRcptsKept: 1_000,
  /** Look-alikes kept per body (all are counted). */
  maxLookalikes: 20,
  /** Anomaly events of one kind per session; later ones are only counted (session.anomalyCounts). */
  maxAnomaliesPerKind: 100,
  /**
   * Client bytes held while a command whose reply decides how they are read
   * (DATA, XEXCH50, STARTTLS, X-ANONYMOUSTLS, AUTH) waits for that reply. Beyond
   * it the stage decides without the reply and reports 'held-bytes-limit'.
   */
  maxHeldClientBytes: 64 * 1024,
  /**
   * Body octets copied at a time into the WebAssembly memory of the line scanner
   * (body-scan.ts); a longer push is scanned in windows of this size. Its i16 line
   * counters hold 8 per 64-octet block, so at most 256 KiB fit.
   */
  bodyScanWindow: 64 * 1024,
} as const;
