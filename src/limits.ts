/**
 * Every buffer and queue has a named limit (habit 6). Hitting one is an event,
 * documented where it is enforced.
 */
export const LIMITS = {
  /** Bytes read from a capture per read call. */
  readChunkBytes: 4 * 1024 * 1024,
  /** Largest packet record a reader accepts before calling the file damaged. */
  maxPacketBytes: 256 * 1024,
  /** Largest pcapng block. */
  maxBlockBytes: 16 * 1024 * 1024,
  /** Out-of-order bytes held per direction of a flow before we give up on the hole and report a gap. */
  maxHeldBytesPerDir: 4 * 1024 * 1024,
  /** Out-of-order segments held per direction. */
  maxHeldSegmentsPerDir: 4096,
  /** Live flows in the table; the least recently seen is evicted beyond this. */
  maxFlows: 200_000,
  /** A flow idle this long (capture time) is closed with reason 'timeout'. */
  idleTimeoutSec: 15 * 60,
  /**
   * Closed flows kept whole for their linger (late ACKs and retransmitted FINs still
   * count on them) before they shrink to tombstones; beyond this, the oldest shrinks
   * early, so a dense capture does not hold every flow it closed in the last minute.
   */
  maxLingeringClosedFlows: 1024,
  /** Closed-flow tombstones kept so that tcp.stream numbering stays Wireshark's. */
  maxTombstones: 1_000_000,
  /** IPv4 fragment trains held at once, and bytes per train. */
  maxFragmentTrains: 4096,
  maxFragmentBytes: 65_535,
  /** Fragment trains older than this (capture time) are dropped. */
  fragmentTimeoutSec: 60,
  /** RFC 5321 §4.5.3.1.4/§4.5.3.1.5: command and reply lines, CRLF included. */
  commandLine: 512,
  replyLine: 512,
  /** RFC 5321 §4.5.3.1.6: text line in DATA, CRLF included. */
  textLine: 1000,
  /** What the line splitter buffers before cutting a line (reported as line-too-long). */
  maxBufferedLine: 4096,
  /** Lines in one multi-line reply before it is cut. */
  maxReplyLines: 200,
  /** Commands awaiting a reply (PIPELINING queue). */
  maxPendingCommands: 1000,
  /** Message header block parsed for Message-ID, Subject, ... */
  maxHeaderBytes: 64 * 1024,
  /**
   * Session events a session's rules receive in one batch (rules/engine.ts): events wait
   * here until the session ends or this many are queued, then its rules run over them.
   */
  ruleEventBatch: 256,
} as const;
