import { defineRule } from '../define-rule.js';
import { firstTextLine, replyEvidence } from '../evidence.js';
import type { CertInfo } from '../../smtp/tls-records.js';
import type { Evidence } from '../types.js';
import { announcedHost } from './banner-disclosure.js';

/** RFC 6125 §6.4.3: a wildcard stands for exactly one whole left-most label. */
export function certNameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p === h) return true;
  if (!p.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * A certificate the server sent in clear (TLS 1.2 and older: RFC 5246 §7.4.2; in
 * TLS 1.3 it is encrypted and never seen) is checked against what the capture
 * itself knows: the capture time (RFC 5280 §4.1.2.5 validity) and the host name
 * the server announced in its EHLO reply or greeting (RFC 5321 §4.1.1.1 / §4.3.1),
 * matched per RFC 6125 §6.4 (subjectAltName dNSName, then CN as tls-certs.ts
 * lists them). Only the leaf (first) certificate is judged; the chain's trust is
 * not, since no trust store belongs in a capture analysis. Once per session.
 */
export default defineRule({
  meta: {
    id: 'tls-cert-problem',
    severity: 'warning',
    category: 'tls',
    title: 'Server certificate expired, not yet valid, or for another name',
    summary: 'The server certificate ({{subject}}, valid {{validFrom}} to {{validTo}}) {{problem}}',
    advice:
      'Senders that verify certificates (DANE, MTA-STS, Exchange send connectors with TlsAuthLevel DomainValidation or CertificateValidation, Postfix smtp_tls_security_level = verify/secure) refuse this server, and others log warnings. Renew or replace the certificate and enable it for SMTP (Exchange: Enable-ExchangeCertificate -Services SMTP; Postfix: smtpd_tls_cert_file), with the name the server announces and its MX host name in subjectAltName; or make the receive connector\'s FQDN (Exchange -Fqdn, Postfix myhostname) match the certificate.',
    references: ['RFC 5280 §4.1.2.5', 'RFC 6125 §6.4', 'RFC 3207 §4.1', 'RFC 5246 §7.4.2'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let greetHost: { host: string; ev: Evidence } | null = null;
    let ehloHost: { host: string; ev: Evidence } | null = null;
    let done = false;
    return {
      reply(ev) {
        if (ev.reply.code === 220 && !greetHost && (ev.to === null || ev.to.verb === '<connect>')) {
          const host = announcedHost(firstTextLine(ev.reply));
          if (host) greetHost = { host, ev: replyEvidence(ev.reply) };
        } else if (ev.to?.verb === 'EHLO' && ev.reply.code === 250) {
          const host = announcedHost(firstTextLine(ev.reply));
          // Evidence: the EHLO reply's first line only; the keyword list is beside the point.
          if (host) ehloHost = { host, ev: { frame: ev.reply.firstFrame, time: ev.reply.firstTime, dir: 's2c', line: ev.reply.lines[0] ?? '' } };
        }
      },
      tls(ev) {
        if (done || ev.phase !== 'record') return;
        const r = ev.record;
        if (r.type !== 'certificate' || r.dir !== 's2c') return;
        done = true;
        const leaf: CertInfo | undefined = r.certs[0];
        if (!leaf) return;
        const now = ev.time.sec * 1000;
        const problems: string[] = [];
        const from = Date.parse(leaf.validFrom);
        const to = Date.parse(leaf.validTo);
        if (Number.isFinite(to) && to < now) problems.push(`expired on ${day(leaf.validTo)}, before the capture`);
        if (Number.isFinite(from) && from > now) problems.push(`is not valid before ${day(leaf.validFrom)}, after the capture`);
        const named = ehloHost ?? greetHost;
        let mismatch = false;
        if (named && !leaf.names.some((n) => certNameMatches(n, named.host))) {
          mismatch = true;
          problems.push(`does not name ${named.host}, the host name the server announces`);
        }
        if (problems.length === 0) return;
        const names = leaf.names.slice(0, 5).join(', ') + (leaf.names.length > 5 ? `, … (${leaf.names.length} names)` : '');
        const evidence: Evidence[] = [];
        if (mismatch && named) evidence.push(named.ev);
        evidence.push({ frame: r.frame, time: r.time, dir: 's2c', line: `TLS Certificate: ${leaf.subject}; issuer ${leaf.issuer}; valid ${leaf.validFrom} to ${leaf.validTo}; names ${names}` });
        ctx.report({
          data: {
            problem: problems.join('; '),
            subject: leaf.subject,
            issuer: leaf.issuer,
            validFrom: day(leaf.validFrom),
            validTo: day(leaf.validTo),
            names,
            host: named?.host ?? null,
            expired: Number.isFinite(to) && to < now,
            notYetValid: Number.isFinite(from) && from > now,
            nameMismatch: mismatch,
            selfSigned: leaf.subject === leaf.issuer,
          },
          evidence,
        });
      },
    };
  },
});
