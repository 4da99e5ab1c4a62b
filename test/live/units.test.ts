/** The pure parts of live capture: kernel filter, link types, error lines, sizes, times, rotation. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkTypeOf, openError, smtpFilter, NO_RIGHTS_FIX } from '../../src/capture/live.js';
import { createLiveWriter, parseSize, rotatedName } from '../../src/capture/live-write.js';
import { parseCount, parseDuration } from '../../src/cli/options.js';
import { formatLiveStatus } from '../../src/cli/live-status.js';
import { analyze } from '../../src/index.js';
import { smtpSessionFrames, timeFromIso, addMs } from '../../src/synth/index.js';

describe('smtpFilter', () => {
  it('ports, IPv4 and IPv6 alike (tcp port), also inside an 802.1Q tag', () => {
    expect(smtpFilter([25, 587])).toBe('(tcp port 25 or tcp port 587) or (vlan and (tcp port 25 or tcp port 587))');
  });
  it('--bpf narrows both halves (vlan shifts the offsets after it)', () => {
    expect(smtpFilter([25], ['host 127.0.0.1'])).toBe('((tcp port 25) and (host 127.0.0.1)) or (vlan and ((tcp port 25) and (host 127.0.0.1)))');
    expect(smtpFilter([25], ['  '], false)).toBe('tcp port 25');
  });
});

describe('linkTypeOf (cap names → LINKTYPE_*)', () => {
  it.each([
    ['ETHERNET', 1],
    ['NULL', 0],
    ['LINKTYPE_LINUX_SLL', 113],
    ['RAW', 101],
    ['IEEE802_11_RADIO', 127],
    ['Unknown linktype 276', 276],
    ['whatever', null],
  ])('%s → %s', (name, lt) => expect(linkTypeOf(name)).toBe(lt));
});

describe('openError: one line that says what to do', () => {
  it('no rights → root or setcap', () => {
    const e = openError('eth0', "eth0: You don't have permission to capture on that device (socket: Operation not permitted)");
    expect(e.message).toContain(NO_RIGHTS_FIX);
    expect(e.message).toContain('setcap cap_net_raw,cap_net_admin=eip');
    expect(e.message).not.toContain('\n');
  });
  it('bad filter → --bpf', () => expect(openError('lo', 'syntax error in filter expression').message).toMatch(/^--bpf: /));
  it('no such device → interfaces', () => expect(openError('xx', 'No such device exists').message).toContain('smtpscope interfaces'));
});

describe('parseSize, parseDuration, parseCount', () => {
  it('sizes: decimal like tcpdump -C, binary with i', () => {
    expect(parseSize('100MB')).toEqual({ value: 100_000_000 });
    expect(parseSize('1.5GB')).toEqual({ value: 1_500_000_000 });
    expect(parseSize('64MiB')).toEqual({ value: 64 * 1024 * 1024 });
    expect(parseSize('500kB')).toEqual({ value: 500_000 });
    expect(parseSize('4096')).toEqual({ value: 4096 });
    expect(parseSize('lots')).toHaveProperty('error');
    expect(parseSize('10')).toHaveProperty('error');
  });
  it('durations: 90s, 5m, 1h, bare seconds', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('8')).toBe(8000);
    expect(parseDuration('1.5')).toBe(1500);
    expect(() => parseDuration('soon')).toThrow(/--duration/);
    expect(() => parseDuration('0')).toThrow(/--duration/);
  });
  it('counts', () => {
    expect(parseCount('10000')).toBe(10000);
    expect(() => parseCount('-1')).toThrow(/--count/);
    expect(() => parseCount('1.5')).toThrow(/--count/);
  });
});

describe('status line', () => {
  it('packets, drops (n/a when unknown), sessions, findings, fitted to the width', () => {
    const c = { packets: 1234, open: 2, closed: 7, bySeverity: { error: 1, warning: 3, notice: 0 }, kernelDrops: null };
    const s = formatLiveStatus('eth0', c, 65_000, 200);
    expect(s).toBe('eth0 1:05  1234 pkts  drops n/a  SMTP 2 open 7 closed  findings 1 error 3 warning 0 notice');
    expect(formatLiveStatus('eth0', { ...c, kernelDrops: 0 }, 0, 200)).toContain('  drops 0  ');
    expect(formatLiveStatus('eth0', c, 0, 40)).toHaveLength(39);
  });
  it('the drop count survives an 80-column terminal, even with large numbers', () => {
    const big = { packets: 123_456_789, open: 1234, closed: 987_654, bySeverity: { error: 12, warning: 345, notice: 6789 }, kernelDrops: 4_294_967_295 };
    expect(formatLiveStatus('enp0s31f6.100', big, 3_599_000, 80)).toMatch(/^enp0s31f6\.100 59:59  123456789 pkts  drops 4294967295  SMTP/);
  });
});

describe('--write rotation', () => {
  it('names: file.pcap, file.1.pcap, ...', () => {
    expect(rotatedName('/x/out.pcap', 0)).toBe('/x/out.pcap');
    expect(rotatedName('/x/out.pcap', 2)).toBe('/x/out.2.pcap');
    expect(rotatedName('/x.d/out', 1)).toBe('/x.d/out.1');
  });

  it('rotated files read back as one capture give the report of the unrotated file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpscope-rotate-'));
    const frames = [];
    for (let i = 0; i < 6; i++) {
      const conv = { client: { ip: '127.0.0.2', port: 40000 + i }, server: { ip: '127.0.0.1', port: 25 }, start: addMs(timeFromIso('2024-01-15T10:00:00Z'), i * 100) };
      frames.push(...smtpSessionFrames(conv, { bodyBytes: 2000 }));
    }
    const whole = createLiveWriter(join(dir, 'whole.pcap'), 1, null);
    const parts = createLiveWriter(join(dir, 'part.pcap'), 1, 8000);
    for (const f of frames) {
      whole.write(f);
      parts.write(f);
    }
    whole.close();
    parts.close();
    expect(parts.files.length).toBeGreaterThan(3);
    expect(readdirSync(dir).filter((n) => n.startsWith('part')).length).toBe(parts.files.length);
    expect(parts.files[1]).toBe(join(dir, 'part.1.pcap'));
    const a = await analyze(whole.files);
    const b = await analyze(parts.files);
    expect(a.summary.sessions).toBe(6);
    expect(b.summary.packets).toBe(frames.length);
    expect(b.sessions).toEqual(a.sessions);
    expect(b.findings).toEqual(a.findings);
  });
});
