import { describe, expect, it } from 'vitest';
import { FlowIndex, type FlowKeyRef } from '../../src/tcp/flow-index.js';
import { flowKey } from '../../src/tcp/flow-key.js';

/** sfc32: a seeded PRNG, so a failure replays. */
function prng(seed: number): () => number {
  let a = seed, b = 0x9e3779b9, c = 0x243f6a88, d = 0xb7e15162;
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) + t;
    return t / 4294967296;
  };
}

const ip4 = (n: number): Buffer => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

describe('FlowIndex', () => {
  it('finds a tuple from either direction and says which side is A', () => {
    const idx = new FlowIndex<string>();
    const a = ip4(0x0a000001);
    const b = ip4(0xc0a80001); // above 2^31: compared unsigned
    idx.locate4(a, 0, b, 0, 40000, 25);
    expect(idx.srcIsA).toBe(true);
    idx.set(idx.keyRef(), 'flow');
    idx.locate4(b, 0, a, 0, 25, 40000);
    expect(idx.srcIsA).toBe(false);
    expect(idx.get()).toBe('flow');
    idx.locate4(b, 0, a, 0, 25, 40001);
    expect(idx.get()).toBeUndefined();
    // Same address on both sides: the lower port is side A, as in flowKey.
    idx.locate4(a, 0, a, 0, 25, 1000);
    expect(idx.srcIsA).toBe(true);
    idx.locate4(a, 0, a, 0, 1000, 25);
    expect(idx.srcIsA).toBe(false);
  });

  it('agrees with a Map over random inserts, replacements and deletions (backward-shift deletion, growth)', () => {
    const rnd = prng(7);
    const idx = new FlowIndex<number>();
    const ref = new Map<string, { k: FlowKeyRef; v: number }>();
    // Few distinct addresses and ports: long probe runs, many collisions of home slots.
    const addrs = Array.from({ length: 40 }, (_, i) => ip4(i % 3 === 0 ? 0xfffffff0 + i : 0x0a000000 + i * 7));
    for (let step = 0; step < 60_000; step++) {
      const s = addrs[Math.floor(rnd() * addrs.length)]!;
      const d = addrs[Math.floor(rnd() * addrs.length)]!;
      const sp = Math.floor(rnd() * 50) + 1;
      const dp = rnd() < 0.5 ? 25 : Math.floor(rnd() * 65536);
      const name = flowKey(s, sp, d, dp);
      idx.locate4(s, 0, d, 0, sp, dp);
      const r = rnd();
      const had = ref.get(name);
      expect(idx.get()).toBe(had?.v);
      if (r < 0.6) {
        const k = had?.k ?? idx.keyRef();
        idx.set(k, step);
        ref.set(name, { k, v: step });
      } else if (had !== undefined) {
        idx.delete(had.k);
        ref.delete(name);
        expect(idx.get()).toBeUndefined();
      }
      expect(idx.size).toBe(ref.size);
    }
    for (const { k, v } of ref.values()) expect(idx.getKey(k)).toBe(v);
  });

  it('keys IPv6 tuples by flowKey strings', () => {
    const idx = new FlowIndex<string>();
    const a = Buffer.alloc(16, 0);
    a[15] = 1;
    const b = Buffer.alloc(16, 0xfe);
    idx.locate6(a, 0, b, 0, 1234, 25);
    const k = idx.keyRef();
    expect(k).toBe(flowKey(a, 1234, b, 25));
    idx.set(k, 'v6');
    idx.locate6(b, 0, a, 0, 25, 1234);
    expect(idx.get()).toBe('v6');
    idx.delete(k);
    expect(idx.get()).toBeUndefined();
    expect(idx.size).toBe(0);
  });
});
