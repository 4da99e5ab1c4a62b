/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.
 * Used for the IPv4 header (RFC 791 §3.1) and for TCP over IPv4/IPv6 with its
 * pseudo-header (RFC 793 §3.1, RFC 8200 §8.1).
 */

/** Adds buf[start, end) to a running (unfolded) sum. An odd tail byte is padded with zero. */
export function sumWords(buf: Buffer, start: number, end: number, acc = 0): number {
  let sum = acc;
  let i = start;
  // 32-bit reads halve the loop count; the sum stays far below 2^53 for any packet size.
  for (; i + 3 < end; i += 4) sum += (buf.readUInt16BE(i) + buf.readUInt16BE(i + 2));
  for (; i + 1 < end; i += 2) sum += buf.readUInt16BE(i);
  if (i < end) sum += (buf[i] ?? 0) << 8;
  return sum;
}

/** Folds a running sum to 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

export function internetChecksum(buf: Buffer, start = 0, end = buf.length): number {
  return finishChecksum(sumWords(buf, start, end));
}
