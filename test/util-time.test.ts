/**
 * util/time.ts toIso: the same text as JavaScript's Date wherever a Date exists, and a valid
 * ISO 8601 time beyond it; isoToMs reads it back (exact where a Date exists, finite beyond).
 */
import { describe, expect, it } from 'vitest';
import { isoToMs, toIso } from '../src/util/time.js';

const ISO = /^(\d{4}|[+-]\d{6,})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,9}Z$/;

describe('toIso', () => {
  it('agrees with Date#toISOString over the whole Date range (random seconds, leap days, years 0, 10000, negative)', () => {
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const secs = [0, 951_782_400, 253_402_300_799, 253_402_300_800, -1, -62_167_219_200, -62_167_219_201, 8.64e12, -8.64e12];
    for (let i = 0; i < 2000; i++) secs.push(Math.floor((rnd() * 2 - 1) * 8.64e12));
    for (const sec of secs) {
      const want = new Date(sec * 1000).toISOString().replace('.000Z', '.123456Z');
      expect(toIso({ sec, nsec: 123_456_789 }, 'us'), String(sec)).toBe(want);
    }
  });

  it('beyond a Date (a damaged pcapng time stamp): still one ISO 8601 time, expanded year', () => {
    expect(toIso({ sec: 1e15, nsec: 5 }, 'ns')).toBe('+31690708-07-05T01:46:40.000000005Z');
    for (const sec of [1e15, 1.8e19, -1e16]) expect(toIso({ sec, nsec: 0 }, 'ms'), String(sec)).toMatch(ISO);
  });
});

describe('isoToMs', () => {
  it('reads back what toIso writes, over the whole Date range (fractions as far as a Number of milliseconds holds them)', () => {
    let s = 777;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const secs = [0, 951_782_400, 253_402_300_799, 253_402_300_800, -1, -62_167_219_200, -62_167_219_201, 8.64e12 - 1, -8.64e12];
    for (let i = 0; i < 2000; i++) secs.push(Math.floor((rnd() * 2 - 1) * 8.64e12));
    for (const sec of secs) {
      expect(isoToMs(toIso({ sec, nsec: 0 }, 'ms')), String(sec)).toBe(sec * 1000);
      expect(isoToMs(toIso({ sec, nsec: 250_000_000 }, 'ns')), String(sec)).toBe(sec * 1000 + 250);
    }
    expect(isoToMs('2024-02-29T12:00:00.000001Z') - isoToMs('2024-02-29T12:00:00Z')).toBeCloseTo(0.001, 3); // 1 µs, within the Number's resolution at 1.7e12 ms
  });

  it('beyond a Date and beyond six-digit years (a damaged pcapng): finite and in order, never NaN', () => {
    const secs = [8.64e12 + 1, 1e15, 3.2e16, 1.8e19, -1e16];
    for (const sec of secs) expect(Number.isFinite(isoToMs(toIso({ sec, nsec: 0 }, 'ms'))), String(sec)).toBe(true);
    const a = isoToMs(toIso({ sec: 3.2e16, nsec: 0 }, 'ms'));
    const b = isoToMs(toIso({ sec: 3.2e16 + 86_400 * 365, nsec: 0 }, 'ms'));
    expect(b).toBeGreaterThan(a);
    expect(Math.abs(b - a - 86_400 * 365 * 1000) / (86_400 * 365 * 1000)).toBeLessThan(1e-3);
    expect(Number.isNaN(Date.parse(toIso({ sec: 3.2e16, nsec: 0 }, 'ms')))).toBe(true); // what isoToMs used to rely on
  });
});
