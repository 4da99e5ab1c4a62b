/**
 * Counted phases: exactly n octets follow a command line, with no terminator
 * and no stuffing. Used for BDAT chunks (RFC 3030 §2: "exactly chunk-size
 * octets") and the XEXCH50 BLOB (KB 818222: after 354, blob-length octets).
 * Ownership: the buffer is BORROWED; nothing is copied here.
 */
export class CountedReader {
  received = 0;

  constructor(readonly expected: number) {}

  get remaining(): number {
    return this.expected - this.received;
  }

  get done(): boolean {
    return this.received >= this.expected;
  }

  /** Takes up to the remaining count from [pos, end); returns the new position. */
  take(pos: number, end: number): number {
    const n = Math.min(this.remaining, end - pos);
    this.received += n;
    return pos + n;
  }
}
