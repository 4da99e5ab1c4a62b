/**
 * A seeded xorshift32 for randomized tests: the same seed, the same sequence, so a
 * failure replays. Small seeds are spread over the state first (1, 2, 3 would otherwise
 * start with tiny outputs).
 */
export function prng(seed: number): () => number {
  let s = Math.imul(seed, 0x9e3779b1) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}
