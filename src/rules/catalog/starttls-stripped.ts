import { defineRule } from '../define-rule.js';
import type { SmtpSession } from '../../smtp/index.js';
import type { Evidence } from '../types.js';
import { MASKED_WORD } from './middlebox-masking.js';

interface Seen {
  session: SmtpSession;
  starttls: boolean;
  masked: boolean;
  first: Evidence;
  frame: number;
}

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
    const byServer = new Map<string, Seen[]>();
    return {
      reply(ev, session) {
        if (ev.to?.verb !== 'EHLO' || ev.reply.code !== 250) return;
        // Only the first EHLO reply of a session: later ones would be inside TLS (not seen) or repeats.
        const key = `${session.server.ip}:${session.server.port}`;
        let list = byServer.get(key);
        if (!list) byServer.set(key, (list = []));
        if (list.some((s) => s.session === session)) return;
        const kws = ev.reply.lines.slice(1).map((l) => l.slice(4).trim().split(/[ =]/)[0]!.toUpperCase());
        list.push({
          session,
          starttls: kws.includes('STARTTLS'),
          masked: kws.some((k) => MASKED_WORD.test(k)),
          first: { frame: ev.reply.frame, time: ev.reply.time, dir: 's2c', line: ev.reply.lines.join('\n') },
          frame: ev.reply.frame,
        });
      },
      'capture-end'() {
        for (const [server, list] of byServer) {
          const offered = list.find((s) => s.starttls);
          if (!offered) continue;
          for (const s of list) {
            if (s.starttls || s.masked) continue;
            ctx.report({
              session: s.session,
              data: {
                server,
                client: s.session.client.ip,
                advertisedIn: offered.session.id,
                advertisedStream: offered.session.tcpStream,
                advertisedToClient: offered.session.client.ip,
              },
              evidence: [s.first],
            });
          }
        }
      },
    };
  },
});
