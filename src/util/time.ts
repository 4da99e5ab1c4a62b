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

/** Seconds of 10000-01-01T00:00:00Z: from there on a year has more than four digits. */
const YEAR_10000 = 253_402_300_800;

/**
 * ISO 8601 UTC with as many fraction digits as the capture's precision. A damaged or
 * odd capture can hold any time stamp (a pcapng time is 64 bits), so years outside
 * 0000-9999 are written in ISO 8601's expanded form, a sign and at least six digits
 * (`+075096-02-25T12:47:13.140832Z`, as JavaScript writes them), also beyond what a
 * JavaScript Date can hold.
 */
export function toIso(t: Time, precision: Precision = 'us'): string {
  const base = t.sec >= 0 && t.sec < YEAR_10000 ? new Date(t.sec * 1000).toISOString().slice(0, 19) : civilIso(t.sec);
  const digits = DIGITS[precision];
  const frac = String(t.nsec).padStart(9, '0').slice(0, digits);
  return `${base}.${frac}Z`;
}

/** YYYY-MM-DDTHH:MM:SS for any whole number of seconds (the proleptic Gregorian calendar). */
function civilIso(sec: number): string {
  const s = Math.floor(sec);
  const days = Math.floor(s / 86400);
  const rest = s - days * 86400;
  // Days to civil date: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (civil_from_days).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${y}-${two(month)}-${two(day)}T${two(Math.floor(rest / 3600))}:${two(Math.floor((rest % 3600) / 60))}:${two(rest % 60)}`;
}

const ISO_TIME = /^([+-]\d{6,}|\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$/;

/**
 * Milliseconds since 1970 of a time toIso wrote, fraction kept (Date.parse keeps only
 * milliseconds and knows no year past 275760): days_from_civil, the inverse of civilIso.
 * Exact within a Date's range; beyond it (a damaged time stamp) a finite Number whose
 * differences are approximate, never NaN. Other text: Date.parse.
 */
export function isoToMs(iso: string): number {
  const m = ISO_TIME.exec(iso);
  if (m === null) return Date.parse(iso);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const y = Number(m[1]) - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146_097 + doe - 719_468;
  const secs = (Number(m[4]) * 60 + Number(m[5])) * 60 + Number(m[6]);
  return days * 86_400_000 + secs * 1000 + (m[7] ? Number(`0.${m[7]}`) * 1000 : 0);
}
