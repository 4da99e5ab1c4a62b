/**
 * Capture time. Seconds and nanoseconds as two numbers: a float64 cannot hold
 * nanoseconds since 1970 exactly, and a bigint per packet costs more than two
 * small integers. `precision` is the capture's own (pcap µs, pcap ns, pcapng
 * if_tsresol, NetMon 100 ns) so reports print what the capture really knows.
 */
export type Precision = 'ms' | 'us' | 'ns';

export interface Time {
  readonly sec: number;
  readonly nsec: number;
}

export const ZERO_TIME: Time = { sec: 0, nsec: 0 };

/** a - b in milliseconds (fractional). */
export function diffMs(a: Time, b: Time): number {
  return (a.sec - b.sec) * 1000 + (a.nsec - b.nsec) / 1e6;
}

export function compareTime(a: Time, b: Time): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

const DIGITS: Record<Precision, number> = { ms: 3, us: 6, ns: 9 };

/** ISO 8601 UTC with as many fraction digits as the capture's precision. */
export function toIso(t: Time, precision: Precision = 'us'): string {
  const base = new Date(t.sec * 1000).toISOString().slice(0, 19);
  const digits = DIGITS[precision];
  const frac = String(t.nsec).padStart(9, '0').slice(0, digits);
  return `${base}.${frac}Z`;
}
