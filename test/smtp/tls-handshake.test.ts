import { describe, expect, it } from 'vitest';
import {
  parseCertificateList,
  parseClientHello,
  parseServerHello,
  parseSsl2ClientHello,
} from '../../src/smtp/tls-handshake.js';
import { alertDescriptionName, alertLevelName, cipherSuiteName, versionName } from '../../src/smtp/tls-names.js';
import { certInfoFromDer } from '../../src/smtp/tls-certs.js';
import fs from 'node:fs';
import { fixturePath } from './tls-fixtures/frames.js';

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
const ext = (type: number, body: Buffer) => Buffer.concat([u16(type), u16(body.length), body]);
const sniExt = (name: string) => {
  const host = Buffer.from(name, 'latin1');
  const entry = Buffer.concat([Buffer.from([0]), u16(host.length), host]);
  return ext(0, Buffer.concat([u16(entry.length), entry]));
};

function clientHello(opts: { ciphers?: number[]; exts?: Buffer[] | null; cipherBytes?: number } = {}): Buffer {
  const suites = Buffer.concat((opts.ciphers ?? [0x1301, 0xc02f]).map(u16));
  const parts = [u16(0x0303), Buffer.alloc(32, 1), Buffer.from([0]), u16(opts.cipherBytes ?? suites.length), suites, Buffer.from([1, 0])];
  if (opts.exts !== null) {
    const e = Buffer.concat(opts.exts ?? []);
    parts.push(u16(e.length), e);
  }
  return Buffer.concat(parts);
}

function serverHello(opts: { random?: Buffer; cipher?: number; exts?: Buffer[] } = {}): Buffer {
  const e = Buffer.concat(opts.exts ?? []);
  return Buffer.concat([u16(0x0303), opts.random ?? Buffer.alloc(32, 2), Buffer.from([0]), u16(opts.cipher ?? 0x1301), Buffer.from([0]), u16(e.length), e]);
}

const HRR = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

describe('parseClientHello', () => {
  it('SNI, supported_versions (GREASE shown as hex) and cipher count', () => {
    const sv = ext(43, Buffer.from([6, 0x0a, 0x0a, 3, 4, 3, 3]));
    const b = clientHello({ ciphers: [0x1301, 0x1302, 0x00ff], exts: [ext(10, Buffer.alloc(4)), sniExt('mx.example.org'), sv] });
    expect(parseClientHello(b, 0, b.length)).toEqual({
      value: { legacyVersion: 'TLS 1.2', versions: ['0x0a0a', 'TLS 1.3', 'TLS 1.2'], sni: 'mx.example.org', ciphers: 3 },
    });
  });

  it('works on a view in the middle of a larger buffer', () => {
    const b = clientHello({ exts: [sniExt('a.example')] });
    const big = Buffer.concat([Buffer.alloc(7, 0xff), b, Buffer.alloc(9, 0xff)]);
    expect(parseClientHello(big, 7, 7 + b.length)).toMatchObject({ value: { sni: 'a.example' } });
  });

  it('no extensions at all (SSL 3.0-style hello) is valid', () => {
    const b = clientHello({ exts: null });
    expect(parseClientHello(b, 0, b.length)).toEqual({ value: { legacyVersion: 'TLS 1.2', versions: [], sni: null, ciphers: 2 } });
  });

  it.each([
    ['truncated random', (b: Buffer) => b.subarray(0, 20)],
    ['extension overruns the block', (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 2)])],
  ])('%s → error, no throw', (_n, cut) => {
    const b = cut(clientHello({ exts: [sniExt('x.example')] }));
    expect(parseClientHello(b, 0, b.length)).toHaveProperty('error');
  });

  it('odd cipher_suites length → error', () => {
    const b = clientHello({ ciphers: [0x1301, 0x1302], cipherBytes: 3 });
    expect(parseClientHello(b, 0, b.length)).toHaveProperty('error');
  });

  it('malformed supported_versions (odd list) → error', () => {
    const b = clientHello({ exts: [ext(43, Buffer.from([3, 3, 4, 3]))] });
    expect(parseClientHello(b, 0, b.length)).toHaveProperty('error');
  });
});

describe('parseServerHello', () => {
  it('TLS 1.2 without extensions: legacy version and cipher name', () => {
    const b = Buffer.concat([u16(0x0303), Buffer.alloc(32), Buffer.from([0]), u16(0xc030), Buffer.from([0])]);
    expect(parseServerHello(b, 0, b.length)).toEqual({
      value: { version: 'TLS 1.2', versionCode: 0x0303, cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', helloRetryRequest: false },
    });
  });

  it('supported_versions selects TLS 1.3; unknown cipher shown as hex', () => {
    const b = serverHello({ cipher: 0x1399, exts: [ext(43, u16(0x0304))] });
    expect(parseServerHello(b, 0, b.length)).toMatchObject({ value: { version: 'TLS 1.3', cipher: '0x1399', helloRetryRequest: false } });
  });

  it('HelloRetryRequest by its special Random (RFC 8446 §4.1.3)', () => {
    const b = serverHello({ random: HRR, exts: [ext(43, u16(0x0304))] });
    expect(parseServerHello(b, 0, b.length)).toMatchObject({ value: { helloRetryRequest: true } });
    const near = Buffer.from(HRR);
    near[31] = near[31]! ^ 1;
    const c = serverHello({ random: near, exts: [ext(43, u16(0x0304))] });
    expect(parseServerHello(c, 0, c.length)).toMatchObject({ value: { helloRetryRequest: false } });
  });

  it('supported_versions of the wrong length → error', () => {
    const b = serverHello({ exts: [ext(43, Buffer.from([3, 4, 3]))] });
    expect(parseServerHello(b, 0, b.length)).toHaveProperty('error');
  });
});

describe('parseCertificateList', () => {
  it('TLS 1.2 and TLS 1.3 layouts give the same DER views', () => {
    const a = Buffer.from([0x30, 1, 2]);
    const b = Buffer.from([0x30, 3, 4, 5]);
    const l12 = Buffer.concat([u24(a.length), a, u24(b.length), b]);
    const m12 = Buffer.concat([u24(l12.length), l12]);
    expect(parseCertificateList(m12, 0, m12.length, false)).toEqual({ value: [a, b] });
    const l13 = Buffer.concat([u24(a.length), a, u16(0), u24(b.length), b, u16(2), Buffer.from([9, 9])]);
    const m13 = Buffer.concat([Buffer.from([0]), u24(l13.length), l13]);
    expect(parseCertificateList(m13, 0, m13.length, true)).toEqual({ value: [a, b] });
  });

  it('entry overrunning the list → error', () => {
    const m = Buffer.concat([u24(5), u24(9), Buffer.from([1, 2])]);
    expect(parseCertificateList(m, 0, m.length, false)).toHaveProperty('error');
  });
});

describe('parseSsl2ClientHello', () => {
  it('cipher specs are 3 bytes; a length that is not a multiple of 3 is an error', () => {
    const ok = Buffer.concat([Buffer.from([1, 0, 2, 0, 6, 0, 0, 0, 16]), Buffer.alloc(6), Buffer.alloc(16)]);
    expect(parseSsl2ClientHello(ok, 0, ok.length)).toEqual({ value: { legacyVersion: 'SSL 2.0', versions: [], sni: null, ciphers: 2 } });
    const bad = Buffer.from(ok);
    bad[4] = 5;
    expect(parseSsl2ClientHello(bad, 0, bad.length)).toHaveProperty('error');
    expect(parseSsl2ClientHello(ok, 0, 20)).toHaveProperty('error');
  });
});

describe('names', () => {
  it('versions, ciphers, alerts', () => {
    expect([0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c].map(versionName)).toEqual([
      'SSL 3.0', 'TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3', '0x7f1c',
    ]);
    expect(cipherSuiteName(0x1302)).toBe('TLS_AES_256_GCM_SHA384');
    expect(cipherSuiteName(0x0a0a)).toBe('0x0a0a');
    expect([0, 40, 42, 48, 70, 112, 116].map(alertDescriptionName)).toEqual([
      'close_notify', 'handshake_failure', 'bad_certificate', 'unknown_ca', 'protocol_version', 'unrecognized_name', 'certificate_required',
    ]);
    expect([1, 2, 0].map(alertLevelName)).toEqual(['warning', 'fatal', 'unknown(0)']);
  });
});

describe('certInfoFromDer', () => {
  it('the committed test certificate', () => {
    const pem = fs.readFileSync(fixturePath('server-cert.pem'), 'utf8');
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    expect(certInfoFromDer(der)).toMatchObject({
      value: { subject: 'C=XX, O=smtpscope test, CN=mail.example.test', names: ['mail.example.test', 'smtp.example.test'] },
    });
  });

  it('garbage → error, no throw', () => {
    expect(certInfoFromDer(Buffer.from([0x30, 0x82, 0xff]))).toHaveProperty('error');
  });
});
