/**
 * TCP sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4: "all arithmetic dealing with
 * sequence numbers must be performed modulo 2**32"). Sequence numbers are plain numbers in
 * [0, 2^32); comparisons are only meaningful within a 2^31 window, as in the RFC.
 */

/** Signed distance a - b, in (-2^31, 2^31]. Positive when a is after b. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n modulo 2^32 (n may be any non-negative integer up to 2^53). */
export function seqAdd(a: number, n: number): number {
  return (a + n) % 4294967296;
}

/** True when a is strictly before b in sequence space. */
export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

/** True when a is at or before b in sequence space. */
export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}
