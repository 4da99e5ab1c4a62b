import type { Time } from '../util/time.js';

/** Adds nanoseconds (may exceed 1e9, not negative) to a capture time. */
export function addNs(t: Time, ns: number): Time {
  const total = t.nsec + Math.round(ns);
  return { sec: t.sec + Math.floor(total / 1e9), nsec: total % 1e9 };
}

export function addMs(t: Time, ms: number): Time {
  return addNs(t, ms * 1e6);
}

/** Parses an ISO 8601 UTC date into a capture time (whole milliseconds). */
export function timeFromIso(iso: string): Time {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad ISO time: ${iso}`);
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 };
}

export function maxTime(a: Time, b: Time): Time {
  return a.sec > b.sec || (a.sec === b.sec && a.nsec >= b.nsec) ? a : b;
}
