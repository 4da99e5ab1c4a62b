import { describe, expect, it } from 'vitest';
import { createTlsParser, TLS_LIMITS, type TlsEvent } from '../../src/smtp/tls-records.js';
import {
  fixedChunks,
  loadFrames,
  replay,
  splitAt,
  totalBytes,
  whole,
  type Frame,
} from './tls-fixtures/frames.js';

/** Recorded with make-fixtures.mjs: a Node tls client and server through a recording proxy. */
const FIXTURES = ['tls12', 'tls13', 'version-mismatch', 'hrr', 'client-cert-required'] as const;

const types = (evs: TlsEvent[]): string[] => evs.map((e) => `${e.type}:${e.dir}:${e.frame}`);
const of = <T extends TlsEvent['type']>(evs: TlsEvent[], t: T): Extract<TlsEvent, { type: T }>[] =>
  evs.filter((e): e is Extract<TlsEvent, { type: T }> => e.type === t);

const MAIL_CERT = {
  subject: 'C=XX, O=smtpscope test, CN=mail.example.test',
  issuer: 'C=XX, O=smtpscope test, CN=mail.example.test',
  names: ['mail.example.test', 'smtp.example.test'],
};

describe('recorded Node TLS sessions', () => {
  it('TLS 1.2: hello, certificate in clear, CCS both ways, data, encrypted close_notify', () => {
    const r = replay(loadFrames('tls12.frames'));
    expect(types(r.events)).toEqual([
      'client-hello:c2s:1',
      'server-hello:s2c:2',
      'certificate:s2c:2',
      'change-cipher-spec:c2s:3',
      'change-cipher-spec:s2c:4',
      'application-data:c2s:5',
      'application-data:s2c:6',
      'alert:s2c:6',
      'alert:c2s:7',
    ]);
    const [ch] = of(r.events, 'client-hello');
    expect(ch).toMatchObject({ legacyVersion: 'TLS 1.2', versions: ['TLS 1.3', 'TLS 1.2'], sni: 'mail.example.test' });
    expect(ch!.ciphers).toBeGreaterThan(10);
    expect(of(r.events, 'server-hello')[0]).toMatchObject({ version: 'TLS 1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' });
    expect(of(r.events, 'server-hello')[0]).not.toHaveProperty('helloRetryRequest');
    const [cert] = of(r.events, 'certificate');
    expect(cert!.certs).toHaveLength(1);
    expect(cert!.certs[0]).toMatchObject(MAIL_CERT);
    expect(cert!.certs[0]!.validFrom).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(Date.parse(cert!.certs[0]!.validTo) - Date.parse(cert!.certs[0]!.validFrom)).toBe(36500 * 86400 * 1000);
    for (const a of of(r.events, 'alert')) expect(a).toMatchObject({ encrypted: true, level: 'encrypted', description: 'encrypted' });
    // Established once the server's CCS (frame 4) follows the client's (frame 3).
    expect(r.establishedAfter).toEqual([false, false, false, true, true, true, true]);
  });

  it('TLS 1.3: supported_versions gives the real version; no certificate in clear', () => {
    const r = replay(loadFrames('tls13.frames'));
    expect(types(r.events)).toEqual([
      'client-hello:c2s:1',
      'server-hello:s2c:2',
      'change-cipher-spec:s2c:2',
      'application-data:s2c:2',
      'change-cipher-spec:c2s:3',
      'application-data:c2s:3',
    ]);
    expect(of(r.events, 'client-hello')[0]).toMatchObject({ sni: 'mx.example.test', versions: ['TLS 1.3', 'TLS 1.2'] });
    expect(of(r.events, 'server-hello')[0]).toMatchObject({ version: 'TLS 1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    expect(r.establishedAfter).toEqual([false, false, true, true, true]);
  });

  it('client TLS 1.3 only vs server TLS 1.2 only: fatal protocol_version in clear, never established', () => {
    const r = replay(loadFrames('version-mismatch.frames'));
    expect(types(r.events)).toEqual(['client-hello:c2s:1', 'alert:s2c:2']);
    expect(of(r.events, 'client-hello')[0]).toMatchObject({ versions: ['TLS 1.3'], legacyVersion: 'TLS 1.2' });
    expect(of(r.events, 'alert')[0]).toMatchObject({ level: 'fatal', description: 'protocol_version', encrypted: false });
    expect(r.established).toBe(false);
  });

  it('HelloRetryRequest: flagged, and the second ClientHello after the client CCS is still parsed', () => {
    const r = replay(loadFrames('hrr.frames'));
    expect(types(r.events)).toEqual([
      'client-hello:c2s:1',
      'server-hello:s2c:2',
      'change-cipher-spec:s2c:2',
      'change-cipher-spec:c2s:3',
      'client-hello:c2s:3',
      'server-hello:s2c:4',
      'application-data:s2c:4',
      'application-data:c2s:5',
    ]);
    const [hrr, sh] = of(r.events, 'server-hello');
    expect(hrr).toMatchObject({ helloRetryRequest: true, version: 'TLS 1.3' });
    expect(sh).not.toHaveProperty('helloRetryRequest');
    // Not established after the HRR + both CCS (frame 3): the real ServerHello is still to come.
    expect(r.establishedAfter).toEqual([false, false, false, true, true, true, true]);
  });

  it('TLS 1.2 server requiring a client certificate: empty Certificate, fatal handshake_failure', () => {
    const r = replay(loadFrames('client-cert-required.frames'));
    expect(types(r.events)).toEqual([
      'client-hello:c2s:1',
      'server-hello:s2c:2',
      'certificate:s2c:2',
      'certificate:c2s:3',
      'change-cipher-spec:c2s:3',
      'alert:s2c:4',
    ]);
    expect(of(r.events, 'certificate')[1]!.certs).toEqual([]);
    expect(of(r.events, 'alert')[0]).toMatchObject({ level: 'fatal', description: 'handshake_failure', encrypted: false });
    expect(r.established).toBe(false);
  });
});

describe('chunking does not change the events', () => {
  for (const name of FIXTURES) {
    const frames = loadFrames(`${name}.frames`);
    const expected = replay(frames);

    it(`${name}: split at every offset`, () => {
      const n = totalBytes(frames);
      for (let at = 1; at < n; at++) {
        const r = replay(frames, splitAt(at));
        if (JSON.stringify(r) !== JSON.stringify(expected)) expect({ at, ...r }).toEqual({ at, ...expected });
      }
    });

    it(`${name}: pieces given as a range of a larger buffer (start, end), at every split`, () => {
      const n = totalBytes(frames);
      expect(replay(frames, whole, 1, true)).toEqual(expected);
      for (let at = 1; at < n; at += 7) {
        const r = replay(frames, splitAt(at), 1, true);
        if (JSON.stringify(r) !== JSON.stringify(expected)) expect({ at, ...r }).toEqual({ at, ...expected });
      }
    });

    for (const size of [1, 2, 3, 5, 7, 13]) {
      it(`${name}: ${size}-byte chunks`, () => {
        expect(replay(frames, fixedChunks(size))).toEqual(expected);
      });
    }

    it(`${name}: consecutive same-direction frames coalesced`, () => {
      const merged: Frame[] = [];
      for (const f of frames) {
        const last = merged[merged.length - 1];
        if (last && last.dir === f.dir) last.bytes = Buffer.concat([last.bytes, f.bytes]);
        else merged.push({ dir: f.dir, bytes: f.bytes });
      }
      const strip = (evs: TlsEvent[]) => evs.map(({ frame: _f, time: _t, ...rest }) => rest);
      const r = replay(merged);
      expect(strip(r.events)).toEqual(strip(expected.events));
      expect(r.established).toBe(expected.established);
    });
  }
});

// --- synthetic records ------------------------------------------------------------

function rec(type: number, body: Buffer | number[], version = 0x0303): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const h = Buffer.from([type, version >> 8, version & 0xff, 0, 0]);
  h.writeUInt16BE(b.length, 3);
  return Buffer.concat([h, b]);
}

function hs(type: number, body: Buffer): Buffer {
  const h = Buffer.from([type, 0, 0, 0]);
  h.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([h, body]);
}

/** Pushes (dir, bytes) pairs as frames 1..n and returns the events (plus `established`). */
function run(steps: [('c2s' | 's2c'), Buffer][], after?: (p: ReturnType<typeof createTlsParser>) => void) {
  const events: TlsEvent[] = [];
  const p = createTlsParser((e) => events.push(e));
  steps.forEach(([dir, b], k) => p.push(dir, b, k + 1, { sec: k + 1, nsec: 0 }));
  after?.(p);
  return { events, established: p.established };
}

/** Same steps, every piece pushed 1 byte at a time: must give the same events. */
function runBytewise(steps: [('c2s' | 's2c'), Buffer][], after?: (p: ReturnType<typeof createTlsParser>) => void) {
  const events: TlsEvent[] = [];
  const p = createTlsParser((e) => events.push(e));
  steps.forEach(([dir, b], k) => {
    for (let i = 0; i < b.length; i++) p.push(dir, b.subarray(i, i + 1), k + 1, { sec: k + 1, nsec: 0 });
  });
  after?.(p);
  return { events, established: p.established };
}

describe('not TLS', () => {
  it('a client that goes on in plain text after the 220: one not-tls, then nothing for that direction', () => {
    const steps: [('c2s' | 's2c'), Buffer][] = [
      ['c2s', Buffer.from('QUIT\r\n')],
      ['c2s', rec(21, [2, 40])],
    ];
    const r = run(steps);
    expect(r.events).toEqual([{ type: 'not-tls', dir: 'c2s', frame: 1, time: { sec: 1, nsec: 0 }, preview: 'QUIT' }]);
    expect(runBytewise(steps)).toEqual(r);
  });

  it('server answers in plain text: the s2c direction stops, c2s still parsed', () => {
    const ch = loadFrames('tls12.frames')[0]!.bytes;
    const r = run([
      ['c2s', ch],
      ['s2c', Buffer.from('454 4.7.0 TLS not available due to local problem\r\n')],
      ['s2c', rec(21, [2, 40])],
    ]);
    expect(types(r.events)).toEqual(['client-hello:c2s:1', 'not-tls:s2c:2']);
    expect(of(r.events, 'not-tls')[0]!.preview).toBe('454 4.7.0 TLS not available due to local');
    expect(of(r.events, 'not-tls')[0]!.preview).toHaveLength(TLS_LIMITS.previewChars);
  });

  it('non-printable bytes show as dots; the preview starts at the bad header even when split', () => {
    const junk = Buffer.from([0x16, 0x03, 0x09, 0x41, 0x00, 0x42, 0x0a, 0x43]); // version 0x0309 is not TLS
    const steps: [('c2s' | 's2c'), Buffer][] = [['s2c', rec(22, hs(14, Buffer.alloc(0)))], ['s2c', junk]];
    const r = run(steps);
    expect(types(r.events)).toEqual(['not-tls:s2c:2']);
    expect(of(r.events, 'not-tls')[0]!.preview).toBe('...A.B');
    expect(runBytewise(steps)).toEqual(r);
  });

  it('a record longer than 2^14 + 2048 is not TLS (RFC 5246 §6.2.3)', () => {
    const h = Buffer.from([23, 3, 3, 0, 0]);
    h.writeUInt16BE(TLS_LIMITS.maxRecordBody + 1, 3);
    expect(types(run([['c2s', h]], (p) => p.end('c2s')).events)).toEqual(['not-tls:c2s:1']);
    h.writeUInt16BE(TLS_LIMITS.maxRecordBody, 3);
    expect(run([['c2s', h]], (p) => p.end('c2s')).events).toEqual([]);
  });

  it('a short line without LF is held until end() (or gap()), so chunking cannot change it', () => {
    const steps: [('c2s' | 's2c'), Buffer][] = [['c2s', Buffer.from('NO')], ['c2s', Buffer.from('OP')]];
    expect(run(steps).events).toEqual([]);
    const ended = run(steps, (p) => p.end('c2s'));
    expect(ended.events).toEqual([{ type: 'not-tls', dir: 'c2s', frame: 1, time: { sec: 1, nsec: 0 }, preview: 'NOOP' }]);
    expect(runBytewise(steps, (p) => p.end('c2s'))).toEqual(ended);
    expect(run(steps, (p) => p.gap('c2s')).events).toEqual(ended.events);
  });
});

describe('records', () => {
  it('clear alerts in either direction; unknown codes are shown, not guessed', () => {
    const r = run([
      ['s2c', rec(21, [1, 112])],
      ['c2s', rec(21, [2, 48])],
      ['c2s', rec(21, [3, 250])],
    ]);
    expect(r.events.map((e) => (e.type === 'alert' ? [e.level, e.description, e.encrypted] : e.type))).toEqual([
      ['warning', 'unrecognized_name', false],
      ['fatal', 'unknown_ca', false],
      ['unknown(3)', 'unknown(250)', false],
    ]);
  });

  it('an alert record that is not 2 bytes is protected even before CCS', () => {
    expect(run([['c2s', rec(21, Buffer.alloc(26))]]).events[0]).toMatchObject({ type: 'alert', encrypted: true, level: 'encrypted' });
  });

  it('after CCS (TLS ≤ 1.2) handshake records are encrypted and skipped, alerts are encrypted', () => {
    const bogus = hs(1, Buffer.alloc(3)); // would be a malformed ClientHello if parsed
    const r = run([
      ['c2s', rec(20, [1])],
      ['c2s', rec(22, bogus)],
      ['c2s', rec(21, [1, 0])],
    ]);
    expect(types(r.events)).toEqual(['change-cipher-spec:c2s:1', 'alert:c2s:3']);
    expect(of(r.events, 'alert')[0]!.encrypted).toBe(true);
  });

  it('heartbeat and empty application data records are skipped; only the first application-data is reported', () => {
    const r = run([
      ['s2c', rec(24, Buffer.alloc(19))],
      ['s2c', Buffer.concat([rec(23, Buffer.alloc(0)), rec(23, Buffer.alloc(100)), rec(23, Buffer.alloc(5))])],
      ['c2s', rec(23, Buffer.alloc(1))],
    ]);
    expect(types(r.events)).toEqual(['application-data:s2c:2', 'application-data:c2s:3']);
  });

  it('a handshake message over the limit is reported and skipped by length; parsing goes on', () => {
    const big = hs(11, Buffer.alloc(TLS_LIMITS.maxHandshakeMessage + 1));
    const records: Buffer[] = [];
    for (let i = 0; i < big.length; i += 16384) records.push(rec(22, big.subarray(i, i + 16384)));
    const steps: [('c2s' | 's2c'), Buffer][] = [['s2c', Buffer.concat(records)], ['s2c', rec(21, [2, 42])]];
    const r = run(steps);
    expect(types(r.events)).toEqual(['anomaly:s2c:1', 'alert:s2c:2']);
    expect(r.events[0]).toMatchObject({ anomaly: 'handshake-too-large' });
    expect(of(r.events, 'alert')[0]!.description).toBe('bad_certificate');
  });

  it('several handshake messages in one record, and one message across records', () => {
    const ch = loadFrames('tls12.frames')[0]!.bytes.subarray(5); // the ClientHello handshake message
    const halves = [ch.subarray(0, 100), ch.subarray(100)];
    const r = run([
      ['c2s', Buffer.concat([rec(22, halves[0]!), rec(22, halves[1]!)])],
      ['s2c', rec(22, Buffer.concat([hs(14, Buffer.alloc(0)), hs(14, Buffer.alloc(0))]))],
    ]);
    expect(types(r.events)).toEqual(['client-hello:c2s:1']);
    expect(r.events[0]).toMatchObject({ sni: 'mail.example.test' });
  });

  it('a malformed ClientHello is an anomaly, not a throw', () => {
    const r = run([['c2s', rec(22, hs(1, Buffer.from([3, 3, 1, 2])))]]);
    expect(r.events).toMatchObject([{ type: 'anomaly', anomaly: 'malformed-handshake', dir: 'c2s', frame: 1 }]);
  });

  it('an undecodable certificate is an anomaly; the others are still listed', () => {
    // certificate_list with one 5-byte entry that is DER (an INTEGER) but not a certificate.
    const list = Buffer.concat([u24(3), Buffer.from([0x02, 0x01, 0x01])]);
    const body = Buffer.concat([u24(list.length), list]);
    const r = run([['s2c', rec(22, hs(11, body))]]);
    expect(types(r.events)).toEqual(['anomaly:s2c:1', 'certificate:s2c:1']);
    expect(r.events[0]).toMatchObject({ anomaly: 'bad-certificate' });
    expect(of(r.events, 'certificate')[0]!.certs).toEqual([]);
  });

  it('SSLv2-compatible ClientHello as the first client record', () => {
    // RFC 5246 Appendix E.2: msg_type 1, version 0x0301, 3 cipher specs, no session id, 16-byte challenge.
    const body = Buffer.concat([
      Buffer.from([1, 3, 1, 0, 9, 0, 0, 0, 16]),
      Buffer.from([0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x01, 0x00, 0x80]),
      Buffer.alloc(16, 7),
    ]);
    const msg = Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
    const steps: [('c2s' | 's2c'), Buffer][] = [['c2s', msg], ['c2s', rec(21, [2, 40])]];
    const r = run(steps);
    expect(r.events[0]).toEqual({
      type: 'client-hello', dir: 'c2s', frame: 1, time: { sec: 1, nsec: 0 },
      legacyVersion: 'SSL 2.0', versions: [], sni: null, ciphers: 3,
    });
    expect(types(r.events)).toEqual(['client-hello:c2s:1', 'alert:c2s:2']);
    expect(runBytewise(steps)).toEqual(r);
    // Not as a later record, nor from the server.
    expect(types(run([['s2c', msg]], (p) => p.end('s2c')).events)).toEqual(['not-tls:s2c:1']);
  });
});

describe('gap', () => {
  it('stops parsing that direction only', () => {
    const frames = loadFrames('tls12.frames');
    const events: TlsEvent[] = [];
    const p = createTlsParser((e) => events.push(e));
    p.push('c2s', frames[0]!.bytes.subarray(0, 50), 1, { sec: 1, nsec: 0 });
    p.gap('c2s');
    p.push('c2s', frames[0]!.bytes.subarray(60), 1, { sec: 1, nsec: 0 });
    p.push('s2c', frames[1]!.bytes, 2, { sec: 2, nsec: 0 });
    p.push('c2s', frames[2]!.bytes, 3, { sec: 3, nsec: 0 });
    p.push('s2c', frames[3]!.bytes, 4, { sec: 4, nsec: 0 });
    expect(types(events)).toEqual(['server-hello:s2c:2', 'certificate:s2c:2', 'change-cipher-spec:s2c:4']);
    // The client's CCS was never seen: not claimed as established.
    expect(p.established).toBe(false);
  });
});

describe('performance', () => {
  // Generous bound (the pipeline target is ~1 GB/s); per-byte work would take several seconds here.
  it('skips application data by length: 256 MiB of records in well under 2.5 s', () => {
    const one = rec(23, Buffer.alloc(16384, 0x5a));
    const chunk = Buffer.concat(Array.from({ length: 64 }, () => one)); // ~1 MiB, records back to back
    const p = createTlsParser(() => {});
    const t0 = performance.now();
    for (let i = 0; i < 256; i++) {
      // Offset pushes so that headers also straddle chunk boundaries.
      p.push('s2c', chunk.subarray(0, 1000), 2, { sec: 2, nsec: 0 });
      p.push('s2c', chunk.subarray(1000), 2, { sec: 2, nsec: 0 });
    }
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2500);
  });
});

function u24(n: number): Buffer {
  const b = Buffer.alloc(3);
  b.writeUIntBE(n, 0, 3);
  return b;
}
