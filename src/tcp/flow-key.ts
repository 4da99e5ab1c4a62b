/**
 * Direction-independent 4-tuple keys, built without formatting addresses as text: the
 * address bytes and ports become 16-bit code units of a short string (6 units for IPv4,
 * 18 for IPv6), a cheap Map key. The endpoint that sorts first is side A.
 */

/** Set by flowKey(): whether the segment's source is side A of the key. */
export let srcIsA = true;

const units = new Array<number>(18).fill(0);

// The last IPv4 key built, as seen from its packet's source: consecutive packets of
// one flow (a burst of segments, then its ACK) reuse the same string, whose hash V8
// has already computed, instead of building and hashing a new one.
let lastS0 = -1;
let lastS1 = -1;
let lastD0 = -1;
let lastD1 = -1;
let lastSp = -1;
let lastDp = -1;
let lastKey = '';
let lastSrcIsA = true;

export function flowKey(src: Buffer, srcPort: number, dst: Buffer, dstPort: number): string {
  return flowKeyAt(src, 0, dst, 0, src.length === 4 && dst.length === 4 ? 4 : 16, srcPort, dstPort);
}

/** flowKey for addresses of `len` bytes (4 or 16) at src[srcOff..] and dst[dstOff..]: no views needed. */
export function flowKeyAt(src: Buffer, srcOff: number, dst: Buffer, dstOff: number, len: 4 | 16, srcPort: number, dstPort: number): string {
  if (len === 4) {
    const s0 = (src[srcOff]! << 8) | src[srcOff + 1]!;
    const s1 = (src[srcOff + 2]! << 8) | src[srcOff + 3]!;
    const d0 = (dst[dstOff]! << 8) | dst[dstOff + 1]!;
    const d1 = (dst[dstOff + 2]! << 8) | dst[dstOff + 3]!;
    if (s0 === lastS0 && s1 === lastS1 && d0 === lastD0 && d1 === lastD1 && srcPort === lastSp && dstPort === lastDp) {
      srcIsA = lastSrcIsA;
      return lastKey;
    }
    srcIsA = s0 !== d0 ? s0 < d0 : s1 !== d1 ? s1 < d1 : srcPort <= dstPort;
    const k = srcIsA
      ? String.fromCharCode(s0, s1, srcPort, d0, d1, dstPort)
      : String.fromCharCode(d0, d1, dstPort, s0, s1, srcPort);
    lastS0 = s0;
    lastS1 = s1;
    lastD0 = d0;
    lastD1 = d1;
    lastSp = srcPort;
    lastDp = dstPort;
    lastKey = k;
    lastSrcIsA = srcIsA;
    return k;
  }
  const cmp = src.compare(dst, dstOff, dstOff + 16, srcOff, srcOff + 16);
  srcIsA = cmp !== 0 ? cmp < 0 : srcPort <= dstPort;
  const a = srcIsA ? src : dst;
  const b = srcIsA ? dst : src;
  const ao = srcIsA ? srcOff : dstOff;
  const bo = srcIsA ? dstOff : srcOff;
  for (let i = 0; i < 8; i++) {
    units[i] = (a[ao + 2 * i]! << 8) | a[ao + 2 * i + 1]!;
    units[9 + i] = (b[bo + 2 * i]! << 8) | b[bo + 2 * i + 1]!;
  }
  units[8] = srcIsA ? srcPort : dstPort;
  units[17] = srcIsA ? dstPort : srcPort;
  return String.fromCharCode.apply(null, units);
}

/** Text form of an address, once per flow (not per packet). IPv6 per RFC 5952 §4. */
export function formatIp(addr: Buffer): string {
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  const groups: number[] = [];
  for (let i = 0; i + 1 < addr.length; i += 2) groups.push((addr[i]! << 8) | addr[i + 1]!);
  // RFC 5952 §4.2.2/§4.2.3: compress the longest run (first if tied) of two or more zero groups.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}
