/**
 * Direction-independent 4-tuple keys, built without formatting addresses as text: the
 * address bytes and ports become 16-bit code units of a short string (6 units for IPv4,
 * 18 for IPv6), a cheap Map key. The endpoint that sorts first is side A.
 */

/** Set by flowKey(): whether the segment's source is side A of the key. */
export let srcIsA = true;

const units = new Array<number>(18).fill(0);

export function flowKey(src: Buffer, srcPort: number, dst: Buffer, dstPort: number): string {
  if (src.length === 4 && dst.length === 4) {
    const s0 = (src[0]! << 8) | src[1]!;
    const s1 = (src[2]! << 8) | src[3]!;
    const d0 = (dst[0]! << 8) | dst[1]!;
    const d1 = (dst[2]! << 8) | dst[3]!;
    srcIsA = s0 !== d0 ? s0 < d0 : s1 !== d1 ? s1 < d1 : srcPort <= dstPort;
    return srcIsA
      ? String.fromCharCode(s0, s1, srcPort, d0, d1, dstPort)
      : String.fromCharCode(d0, d1, dstPort, s0, s1, srcPort);
  }
  const cmp = src.compare(dst);
  srcIsA = cmp !== 0 ? cmp < 0 : srcPort <= dstPort;
  const a = srcIsA ? src : dst;
  const b = srcIsA ? dst : src;
  for (let i = 0; i < 8; i++) {
    units[i] = (a[2 * i]! << 8) | a[2 * i + 1]!;
    units[9 + i] = (b[2 * i]! << 8) | b[2 * i + 1]!;
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
