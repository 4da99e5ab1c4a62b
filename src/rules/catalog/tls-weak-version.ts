import { defineRule } from '../define-rule.js';
import type { TlsEvent } from '../../smtp/tls-records.js';

/** Versions deprecated by RFC 8996 (TLS 1.0, 1.1) and RFC 7568 (SSL 3.0); SSL 2.0 by RFC 6176. */
const WEAK = new Set(['SSL 2.0', 'SSL 3.0', 'TLS 1.0', 'TLS 1.1']);

/**
 * The version the server selected in its ServerHello, supported_versions included
 * (RFC 8446 §4.2.1; tls-handshake.ts reads it). A HelloRetryRequest is not a
 * selection of the final handshake. Reported once per session.
 */
export default defineRule({
  meta: {
    id: 'tls-weak-version',
    severity: 'warning',
    category: 'tls',
    title: 'TLS session uses a deprecated protocol version',
    summary: 'The server selected {{version}} ({{cipher}}); the client offered {{offered}}',
    advice:
      'SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated (RFC 8996) and refused by current peers. If the client offered nothing newer, it is an old device or library (scanner, printer, legacy application) that needs an update or a dedicated connector; if it did, the server has newer versions disabled (Exchange: SCHANNEL protocol registry keys and the Exchange TLS guidance; Postfix: smtpd_tls_protocols = >=TLSv1.2).',
    references: ['RFC 8996', 'RFC 7568', 'RFC 8446 §4.2.1'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let hello: Extract<TlsEvent, { type: 'client-hello' }> | null = null;
    let done = false;
    return {
      tls(ev) {
        if (done || ev.phase !== 'record') return;
        const r = ev.record;
        if (r.type === 'client-hello') hello ??= r;
        if (r.type !== 'server-hello' || r.helloRetryRequest || !WEAK.has(r.version)) return;
        done = true;
        const offered = hello ? (hello.versions.length ? hello.versions.join(', ') : `up to ${hello.legacyVersion}`) : 'unknown (ClientHello not seen)';
        const evidence = [];
        if (hello) evidence.push({ frame: hello.frame, time: hello.time, dir: hello.dir, line: `TLS ClientHello offering ${offered}` });
        evidence.push({ frame: r.frame, time: r.time, dir: r.dir, line: `TLS ServerHello selecting ${r.version}, ${r.cipher}` });
        ctx.report({ data: { version: r.version, cipher: r.cipher, offered }, evidence });
      },
    };
  },
});
