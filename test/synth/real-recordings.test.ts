/**
 * The real recordings (fixtures/captures/real/, made by fixtures/make/record-real.sh)
 * show what fixtures/README.md says they show. tshark decodes ports 2525-2533 as SMTP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers/corpus.js';
import { HAVE_TSHARK, tshark, tsharkFollow } from '../helpers/tshark.js';

const REAL = join(FIXTURES, 'captures', 'real');
const SMTP_PORTS = ['2525', '2526', '2530', '2531', '2532', '2533'].flatMap((p) => ['-d', `tcp.port==${p},smtp`]);

function stream(name: string): { c2s: string; s2c: string } {
  const f = tsharkFollow(join(REAL, name), [0])[0]!;
  // node 0 is the client in every recording that starts with the SYN.
  return { c2s: f.fromNode0.toString('latin1'), s2c: f.fromNode1.toString('latin1') };
}
function replyCodes(name: string): string[] {
  return tshark(['-r', join(REAL, name), ...SMTP_PORTS, '-Y', 'smtp.response.code', '-T', 'fields', '-e', 'smtp.response.code'])
    .split('\n').filter(Boolean).flatMap((l) => l.split(','));
}

describe.skipIf(!HAVE_TSHARK)('real recordings', () => {
  it('postfix-plain: a complete delivery, 220 ... 221', () => {
    expect(replyCodes('postfix-plain.pcap')).toEqual(['220', '250', '250', '250', '354', '250', '221']);
  });
  it('postfix-multi-rcpt: three RCPTs accepted', () => {
    expect(stream('postfix-multi-rcpt.pcap').c2s.match(/^RCPT TO:/gm)?.length).toBe(3);
  });
  it('postfix-pipelined: MAIL and both RCPTs in one segment', () => {
    const lens = tshark(['-r', join(REAL, 'postfix-pipelined.pcap'), '-Y', 'tcp.dstport==2525 && tcp.len>0', '-T', 'fields', '-e', 'tcp.payload']);
    const payloads = lens.split('\n').filter(Boolean).map((h) => Buffer.from(h, 'hex').toString('latin1'));
    expect(payloads.some((p) => /^MAIL FROM:.*\r\nRCPT TO:.*\r\nRCPT TO:.*\r\n/.test(p))).toBe(true);
  });
  it('postfix-bdat-crlfdotcrlf: CHUNKING advertised, a BDAT chunk carries CRLF.CRLF, accepted', () => {
    const s = stream('postfix-bdat-crlfdotcrlf.pcap');
    expect(s.s2c).toContain('250 CHUNKING');
    expect(s.c2s).toContain('BDAT 40\r\nSubject: bdat\r\n\r\nline one\r\n.\r\nline two\r\n');
    expect(s.c2s).toContain('BDAT 29 LAST\r\n');
    expect(s.s2c).toMatch(/250 2\.0\.0 Ok: 69 bytes queued/);
  });
  it('postfix-starttls: TLS completes (application data both ways)', () => {
    const out = tshark(['-r', join(REAL, 'postfix-starttls.pcap'), '-d', 'tcp.port==2526,smtp', '-Y', 'tls.app_data', '-T', 'fields', '-e', 'tcp.srcport']);
    expect(new Set(out.split('\n').filter(Boolean)).size).toBe(2);
  });
  it('postfix-starttls-454: STARTTLS refused with 454 4.7.0', () => {
    expect(stream('postfix-starttls-454.pcap').s2c).toContain('454 4.7.0 TLS not available due to local problem');
  });
  it('postfix-rset-multi: RSET, then two messages accepted', () => {
    const s = stream('postfix-rset-multi.pcap');
    expect(s.c2s).toContain('RSET\r\n');
    expect(s.s2c.match(/queued as/g)?.length).toBe(2);
  });
  it('postfix-1mb: over 1 MiB of DATA, nothing lost', () => {
    expect(stream('postfix-1mb.pcap').c2s.length).toBeGreaterThan(1_048_576);
    expect(tshark(['-r', join(REAL, 'postfix-1mb.pcap'), '-Y', 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment'])).toBe('');
  });
  it('postfix-rst-in-data: the client resets after 354, before the end of data', () => {
    const rst = tshark(['-r', join(REAL, 'postfix-rst-in-data.pcap'), '-Y', 'tcp.flags.reset==1', '-T', 'fields', '-e', 'tcp.dstport']);
    expect(rst.trim().split('\n')[0]).toBe('2525');
    expect(stream('postfix-rst-in-data.pcap').c2s).not.toContain('\r\n.\r\n');
  });
  it('postfix-midstream: no SYN; the first packet is the client\'s EHLO', () => {
    const out = tshark(['-r', join(REAL, 'postfix-midstream.pcap'), '-T', 'fields', '-e', 'tcp.flags.syn', '-e', 'tcp.payload']).split('\n')[0]!;
    const [syn, hex] = out.split('\t');
    expect(syn).toBe('0');
    expect(Buffer.from(hex!, 'hex').toString('latin1')).toMatch(/^EHLO /);
  });
  it('smtp-server AUTH: success 235 and failure 535, the fake passwords are on the wire', () => {
    const plain = Buffer.from('\0alice\0s3cret-PLAIN-pw').toString('base64');
    expect(stream('smtp-server-auth-plain.pcap').c2s).toContain(plain);
    expect(replyCodes('smtp-server-auth-plain.pcap')).toContain('235');
    expect(replyCodes('smtp-server-auth-plain-535.pcap')).toContain('535');
    expect(stream('smtp-server-auth-login.pcap').c2s).toContain(Buffer.from('s3cret-LOGIN-pw').toString('base64'));
    expect(replyCodes('smtp-server-auth-login.pcap')).toContain('235');
    expect(replyCodes('smtp-server-auth-login-535.pcap')).toContain('535');
  });
  it('smtp-server-unknown-rcpt: 550 5.1.1', () => {
    expect(stream('smtp-server-unknown-rcpt.pcap').s2c).toContain('550 5.1.1 User unknown');
  });
  it('smtp-server-ipv6: over ::1', () => {
    expect(tshark(['-r', join(REAL, 'smtp-server-ipv6.pcap'), '-Y', 'ipv6.src == ::1', '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean).length)
      .toBe(Number(tshark(['-r', join(REAL, 'smtp-server-ipv6.pcap'), '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length));
  });
  it('every real file is a tcpdump pcap (little-endian, µs, Ethernet) on loopback addresses only', () => {
    for (const n of ['postfix-plain.pcap', 'smtp-server-auth-plain.pcap']) {
      const b = readFileSync(join(REAL, n));
      expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(b.readUInt32LE(20)).toBe(1);
    }
    const addrs = tshark(['-r', join(REAL, 'postfix-plain.pcap'), '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst']);
    expect(new Set(addrs.split(/\s+/).filter(Boolean))).toEqual(new Set(['127.0.0.1']));
  });
});
