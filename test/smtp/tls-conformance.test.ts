/**
 * The parser against real STARTTLS captures from /work/shared/conformance, with
 * tshark 4.0 as the oracle. make-conformance.mjs extracted, with tshark only, the
 * TLS bytes of each frame (after STARTTLS / its 220, RFC 3207 §4) and tshark's
 * per-frame TLS fields into conformance-<name>.json.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TlsEvent } from '../../src/smtp/tls-records.js';
import { alertDescriptionName, cipherSuiteName, versionName } from '../../src/smtp/tls-names.js';
import { fixedChunks, fixturePath, splitAt, type Chunker, type Frame } from './tls-fixtures/frames.js';
import { createTlsParser } from '../../src/smtp/tls-records.js';
import type { Dir } from '../../src/tcp/events.js';

interface Conformance {
  source: string;
  serverPort: number;
  frames: { frame: number; dir: Dir; hex: string }[];
  oracle: Record<string, string>[];
}

const NAMES = ['zeek-starttls', 'suricata-smtp-startssl', 'wireshark-smtp-ssl'] as const;

function load(name: string): Conformance {
  return JSON.parse(fs.readFileSync(fixturePath(`conformance-${name}.json`), 'utf8')) as Conformance;
}

/** Replays with the capture's own frame numbers. */
function replayNumbered(c: Conformance, chunker: Chunker = (b) => [b]) {
  const events: TlsEvent[] = [];
  const p = createTlsParser((e) => events.push(structuredClone(e)));
  let g = 0;
  for (const f of c.frames) {
    const bytes = Buffer.from(f.hex, 'hex');
    for (const piece of chunker(bytes, g)) p.push(f.dir, Buffer.from(piece), f.frame, { sec: f.frame, nsec: 0 });
    g += bytes.length;
  }
  return { events, established: p.established };
}

const list = (s: string | undefined): string[] => (s ? s.split(',') : []);

/** The events tshark's fields imply, in the same summary form as `summarise`. */
function expectedFromOracle(c: Conformance): string[] {
  const out: string[] = [];
  const appSeen = new Set<Dir>();
  for (const row of c.oracle) {
    const frame = Number(row['frame.number']);
    const dir: Dir = Number(row['tcp.srcport']) === c.serverPort ? 's2c' : 'c2s';
    const hsTypes = list(row['tls.handshake.type']);
    if (hsTypes.includes('1')) {
      const versions = list(row['tls.handshake.extensions.supported_version']).map((v) => versionName(parseInt(v, 16)));
      out.push(
        `client-hello ${dir} ${frame} ${versionName(parseInt(row['tls.handshake.version']!, 16))} [${versions}] ` +
          `sni=${row['tls.handshake.extensions_server_name'] || null} ciphers=${list(row['tls.handshake.ciphersuite']).length}`,
      );
    }
    if (hsTypes.includes('2')) {
      const v = row['tls.handshake.extensions.supported_version'] || row['tls.handshake.version']!;
      out.push(`server-hello ${dir} ${frame} ${versionName(parseInt(v, 16))} ${cipherSuiteName(parseInt(row['tls.handshake.ciphersuite']!, 16))}`);
    }
    if (hsTypes.includes('11')) out.push(`certificate ${dir} ${frame}`);
    const ct = [...list(row['tls.record.content_type']), ...list(row['tls.record.opaque_type'])];
    if (ct.includes('20')) out.push(`change-cipher-spec ${dir} ${frame}`);
    if (ct.includes('21')) {
      const desc = row['tls.alert_message.desc'];
      out.push(desc ? `alert ${dir} ${frame} clear ${alertDescriptionName(Number(desc))}` : `alert ${dir} ${frame} encrypted`);
    }
    if (ct.includes('23') && !appSeen.has(dir)) {
      appSeen.add(dir);
      out.push(`application-data ${dir} ${frame}`);
    }
  }
  return out;
}

/** Our events in the oracle's terms (order within a frame follows tshark's field grouping, so compare sorted). */
function summarise(evs: TlsEvent[]): string[] {
  return evs.map((e) => {
    switch (e.type) {
      case 'client-hello':
        return `client-hello ${e.dir} ${e.frame} ${e.legacyVersion} [${e.versions}] sni=${e.sni} ciphers=${e.ciphers}`;
      case 'server-hello':
        return `server-hello ${e.dir} ${e.frame} ${e.version} ${e.cipher}`;
      case 'alert':
        return e.encrypted ? `alert ${e.dir} ${e.frame} encrypted` : `alert ${e.dir} ${e.frame} clear ${e.description}`;
      default:
        return `${e.type} ${e.dir} ${e.frame}`;
    }
  });
}

describe('STARTTLS captures vs tshark', () => {
  for (const name of NAMES) {
    const c = load(name);
    const whole = replayNumbered(c);

    it(`${name}: same handshake, CCS, alerts and first application data as tshark`, () => {
      const ours = summarise(whole.events);
      expect(ours.filter((s) => s.startsWith('anomaly') || s.startsWith('not-tls'))).toEqual([]);
      expect([...ours].sort()).toEqual(expectedFromOracle(c).sort());
      expect(whole.established).toBe(true);
    });

    it(`${name}: certificate names include every dNSName tshark decoded`, () => {
      const certs = whole.events.flatMap((e) => (e.type === 'certificate' ? e.certs : []));
      const tsharkNames = c.oracle.flatMap((r) => list(r['x509ce.dNSName']));
      const ours = new Set(certs.flatMap((x) => x.names));
      for (const n of tsharkNames) expect(ours).toContain(n);
      for (const x of certs) {
        expect(x.subject).not.toBe('');
        expect(Date.parse(x.validTo)).toBeGreaterThan(Date.parse(x.validFrom));
      }
    });

    it(`${name}: identical events split at every offset of the handshake and in 1/2/3/5/7/13-byte chunks`, () => {
      const frames: Frame[] = c.frames.map((f) => ({ dir: f.dir, bytes: Buffer.from(f.hex, 'hex') }));
      // The handshake part: everything up to the end of the first frame that carries application data.
      let handshakeBytes = 0;
      const firstApp = Math.min(...whole.events.filter((e) => e.type === 'application-data').map((e) => e.frame));
      for (const [k, f] of c.frames.entries()) {
        if (f.frame > firstApp) break;
        handshakeBytes += frames[k]!.bytes.length;
      }
      const expected = JSON.stringify(whole);
      for (let at = 1; at < handshakeBytes; at++) {
        const r = replayNumbered(c, splitAt(at));
        if (JSON.stringify(r) !== expected) expect({ at, ...r }).toEqual({ at, ...whole });
      }
      for (const size of [1, 2, 3, 5, 7, 13]) expect(replayNumbered(c, fixedChunks(size))).toEqual(whole);
    });
  }

  it('zeek: Google MX over TLS 1.2 with SNI absent and its certificate chain', () => {
    const evs = replayNumbered(load('zeek-starttls')).events;
    expect(evs.find((e) => e.type === 'client-hello')).toMatchObject({ sni: null, versions: [] });
    expect(evs.find((e) => e.type === 'server-hello')).toMatchObject({ version: 'TLS 1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' });
    const cert = evs.find((e) => e.type === 'certificate');
    expect(cert?.type === 'certificate' && cert.certs.length).toBeGreaterThanOrEqual(2);
  });
});
