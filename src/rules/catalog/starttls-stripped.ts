import { defineRule } from '../define-rule.js';
import type { SmtpSession } from '../../smtp/index.js';
import type { Evidence } from '../types.js';
import { MASKED_WORD } from './middlebox-masking.js';

/** A clear-text EHLO reply without STARTTLS (and not masked): reported once the server is known to offer it. */
interface Missing {
  session: SmtpSession;
  first: Evidence;
}

interface ServerSeen {
  /** The first session whose EHLO reply advertised STARTTLS. */
  offered: SmtpSession | null;
  missing: Missing[];
  /** Sessions without STARTTLS not kept (STARTTLS_STRIPPED_MAX_MISSING); never reported. */
  dropped: number;
}

/**
 * Sessions without STARTTLS remembered per server. Only the ones reported are kept
 * (masked and STARTTLS-advertising replies are not), but a server that never offers
 * STARTTLS would otherwise make the rule hold every session of a long capture; beyond
 * this many, later sessions of that server are counted and not reported.
 */
export const STARTTLS_STRIPPED_MAX_MISSING = 10_000;

/**
 * RFC 3207 §4 and §6: STARTTLS is negotiated in clear, so a man in the middle can
 * remove it from the EHLO reply and the session silently stays unencrypted
 * (a STARTTLS downgrade). One capture can show it: the same server (address and
 * port) advertises STARTTLS in some clear-text EHLO replies and not in others.
 * Each session without it is reported, naming a session that had it. Sessions
 * whose keywords are masked with X's are middlebox-masking's finding (one problem,
 * one finding; the engine applies `supersedes` within one scope only, so the
 * rule leaves them out itself). Only EHLO replies seen in clear count: after
 * STARTTLS the reply is encrypted.
 */
export default defineRule({
  meta: {
    id: 'starttls-stripped',
    severity: 'warning',
    category: 'tls',
    title: 'STARTTLS missing from the EHLO reply (possible downgrade)',
    summary: 'Server {{server}} did not advertise STARTTLS to {{client}} although it did in session {{advertisedIn}} (tcp.stream {{advertisedStream}})',
    advice:
      'The same server offered STARTTLS in another session of this capture: something between client and server may strip it (a firewall\'s SMTP inspection, a TLS-intercepting or "security" proxy, an attacker), and mail then travels in clear. Exchange may also answer from different receive connectors per remote IP range, one without TLS, and Postfix per-client smtpd_tls_security_level settings can differ; compare the connector or policy that serves this client, and capture on the server side.',
    references: ['RFC 3207 §4', 'RFC 3207 §6'],
    scope: 'server',
    thresholds: {},
  },
  create(ctx) {
    const byServer = new Map<string, ServerSeen>();
    /** Sessions whose first EHLO reply was seen; forgotten at session end (bounded by live sessions). */
    const seenSession = new Set<number>();
    return {
      'reply[to.verb=EHLO]'(ev, session) {
        if (ev.reply.code !== 250) return;
        // Only the first EHLO reply of a session: later ones would be inside TLS (not seen) or repeats.
        const key = `${session.server.ip}:${session.server.port}`;
        let seen = byServer.get(key);
        if (!seen) byServer.set(key, (seen = { offered: null, missing: [], dropped: 0 }));
        if (seenSession.has(session.id)) return;
        seenSession.add(session.id);
        let starttls = false;
        let masked = false;
        const lines = ev.reply.lines;
        for (let i = 1; i < lines.length; i++) {
          const kw = lines[i]!.slice(4).trim().split(/[ =]/)[0]!.toUpperCase();
          if (kw === 'STARTTLS') starttls = true;
          else if (MASKED_WORD.test(kw)) masked = true;
        }
        if (starttls) {
          if (seen.offered === null) seen.offered = session;
        } else if (!masked) {
          if (seen.missing.length >= STARTTLS_STRIPPED_MAX_MISSING) seen.dropped++;
          else seen.missing.push({ session, first: { frame: ev.reply.frame, time: ev.reply.time, dir: 's2c', line: lines.join('\n') } });
        }
      },
      'session-end'(_ev, session) {
        seenSession.delete(session.id);
      },
      'capture-end'() {
        for (const [server, seen] of byServer) {
          const offered = seen.offered;
          if (!offered) continue;
          for (const s of seen.missing) {
            ctx.report({
              session: s.session,
              data: {
                server,
                client: s.session.client.ip,
                advertisedIn: offered.id,
                advertisedStream: offered.tcpStream,
                advertisedToClient: offered.client.ip,
              },
              evidence: [s.first],
            });
          }
        }
      },
    };
  },
});
