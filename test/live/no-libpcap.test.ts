/**
 * `cap` (libpcap) is optional (issue 6): without it `live` and `interfaces` exit 2 with
 * one line saying what is missing and how to fix it, and offline analysis still works.
 * The missing library is simulated with SMTPSCOPE_SIMULATE_NO_LIBPCAP=1 (capture/live.ts).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './helpers.js';

const NO_PCAP = { SMTPSCOPE_SIMULATE_NO_LIBPCAP: '1' };
const RELAY = join(ROOT, 'fixtures', 'captures', 'mission', 'relay-denied.pcap');
const lines = (s: string) => s.split('\n').filter((l) => l !== '');

beforeAll(() => ensureBuilt(), 120_000);

describe('without libpcap', () => {
  it('live -i lo exits 2 with one line naming the package and the rebuild', () => {
    const r = runCli(['live', '-i', 'lo'], NO_PCAP);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^smtpscope: live capture is not available: libpcap cannot be loaded/);
    expect(r.stderr).toContain('apt-get install libpcap0.8');
    expect(r.stderr).toContain('npm rebuild cap');
  });

  it('interfaces exits 2 with the same explanation', () => {
    const r = runCli(['interfaces'], NO_PCAP);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('apt-get install libpcap0.8');
  });

  it('analyze still works, with the same report as with libpcap', () => {
    const without = runCli(['analyze', '--format', 'json', RELAY], NO_PCAP);
    expect(without.code).toBe(0);
    expect(without.stderr).toBe('');
    const model = JSON.parse(without.stdout) as { findings: { rule: string }[]; sessions: unknown[] };
    expect(model.findings.map((f) => f.rule)).toContain('relay-denied');
    const withIt = JSON.parse(runCli(['analyze', '--format', 'json', RELAY]).stdout) as typeof model;
    expect(model.findings).toEqual(withIt.findings);
    expect(model.sessions).toEqual(withIt.sessions);
  });

  it('help for live does not need libpcap', () => {
    const r = runCli(['live', '--help'], NO_PCAP);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--write-limit');
  });

  it('a bad live option is a usage error before any capture', () => {
    for (const argv of [
      ['live', '-i', 'lo', '--duration', 'soon'],
      ['live', '-i', 'lo', '--count', '0'],
      ['live', '-i', 'lo', '--write-limit', '10MB'],
      ['live', '-i', 'lo', '--write', 'x.pcap', '--write-limit', 'big'],
      ['live'],
    ]) {
      const r = runCli(argv, NO_PCAP);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(lines(r.stderr), argv.join(' ')).toHaveLength(1);
      expect(r.stderr, argv.join(' ')).not.toContain('libpcap cannot be loaded');
    }
  });
});
