/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.
 * Used for the IPv4 header (RFC 791 §3.1) and for TCP over IPv4/IPv6 with its
 * pseudo-header (RFC 793 §3.1, RFC 8200 §8.1).
 */

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/**
 * Adds buf[start, end) to a running (unfolded) sum. An odd tail byte is padded with zero.
 * Fast path: the sum is byte-order independent (RFC 1071 §2(B)), so we add host-order
 * 16-bit words through a Uint16Array view and swap the folded result once. This is what
 * lets the benchmark synthesize a gigabyte with valid checksums in seconds.
 */
export function sumWords(buf: Buffer, start: number, end: number, acc = 0): number {
  const len = end - start;
  const words = len >> 1;
  let sum = acc;
  const abs = buf.byteOffset + start;
  if (words > 16 && (abs & 1) === 0) {
    const u16 = new Uint16Array(buf.buffer, abs, words);
    let s = 0;
    for (let i = 0; i < words; i++) s += u16[i]!;
    let f = fold(s);
    if (LITTLE_ENDIAN_HOST) f = ((f & 0xff) << 8) | (f >> 8);
    sum += f;
  } else {
    for (let i = start; i < start + words * 2; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  }
  if (len & 1) sum += buf[end - 1]! << 8;
  return sum;
}

/** Folds a running sum to 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  return ~fold(sum) & 0xffff;
}

export function internetChecksum(buf: Buffer, start = 0, end = buf.length): number {
  return finishChecksum(sumWords(buf, start, end));
}
