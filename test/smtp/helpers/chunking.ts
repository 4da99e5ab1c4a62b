/** Ways to cut one byte stream (DESIGN habit 5): whole, at every offset, and in fixed-size chunks. */
export function partitions(total: number): { name: string; cuts: number[] }[] {
  const out: { name: string; cuts: number[] }[] = [{ name: 'whole', cuts: [] }];
  for (let i = 1; i < total; i++) out.push({ name: `split at ${i}`, cuts: [i] });
  for (const n of [1, 2, 3, 5, 7, 13]) {
    const cuts: number[] = [];
    for (let i = n; i < total; i += n) cuts.push(i);
    out.push({ name: `${n}-byte chunks`, cuts });
  }
  return out;
}

/** [start, end) pieces of a partition. */
export function pieces(total: number, cuts: number[]): [number, number][] {
  const bounds = [0, ...cuts, total];
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push([bounds[i]!, bounds[i + 1]!]);
  return out;
}
