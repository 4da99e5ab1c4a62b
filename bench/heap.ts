/** A binary min-heap keyed by a number, ties broken by insertion order (stable merges). */
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly order: number[] = [];
  private readonly items: T[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  /** Smallest key, or Infinity when empty. */
  peekKey(): number {
    return this.items.length === 0 ? Infinity : this.keys[0]!;
  }

  push(key: number, item: T): void {
    const k = this.keys;
    const o = this.order;
    const it = this.items;
    const ord = this.counter++;
    let i = it.length;
    k.push(key);
    o.push(ord);
    it.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! < key || (k[p] === key && o[p]! < ord)) break;
      k[i] = k[p]!;
      o[i] = o[p]!;
      it[i] = it[p]!;
      i = p;
    }
    k[i] = key;
    o[i] = ord;
    it[i] = item;
  }

  pop(): T | undefined {
    const k = this.keys;
    const o = this.order;
    const it = this.items;
    const n = it.length;
    if (n === 0) return undefined;
    const top = it[0];
    const lastK = k.pop()!;
    const lastO = o.pop()!;
    const lastI = it.pop()!;
    if (n === 1) return top;
    const m = n - 1;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= m) break;
      const r = c + 1;
      if (r < m && (k[r]! < k[c]! || (k[r] === k[c] && o[r]! < o[c]!))) c = r;
      if (lastK < k[c]! || (lastK === k[c] && lastO < o[c]!)) break;
      k[i] = k[c]!;
      o[i] = o[c]!;
      it[i] = it[c]!;
      i = c;
    }
    k[i] = lastK;
    o[i] = lastO;
    it[i] = lastI;
    return top;
  }
}
