import { defineRule } from '../define-rule.js';
import { replyEvidence, replyText } from '../evidence.js';

/**
 * RFC 5321 §4.3.2 / §3.1: the connection is answered `220` (ready) or `554` (no
 * SMTP service here); §4.2.2 / §3.8 allow `421` (service not available, closing).
 * Anything but 220 means the server will not take mail on this connection: 554
 * policy (blocklist, connection filtering), 421 overload or shutdown, or a 500 from
 * something that is not the mail server expected (a proxy, another service).
 * The greeting is the reply paired with the <connect> pseudo-command (habit 2).
 * When the client spoke first (early talker) and the server never greeted, the
 * first reply answers the client's command, not the connection: smtp/ then pairs it
 * with that command and sends no greeting at all (session.greetingMissing, anomaly
 * 'missing-greeting'). The check below stays for a first reply after a partial client
 * line (no command to pair it with): only 421 and 554 refuse a connection there.
 */
export default defineRule({
  meta: {
    id: 'greeting-refused',
    severity: 'error',
    category: 'greeting',
    title: 'Server refused the connection in its greeting',
    summary: 'The server greeted with {{code}} {{enhanced}} {{text}} instead of 220',
    advice:
      'A 554 greeting is a policy refusal of this client (IP blocklist, Exchange connection filtering or a receive connector whose RemoteIPRanges exclude it, Postfix postscreen or smtpd_client_restrictions); 421 means the server is overloaded or shutting down (Exchange back pressure, MaxInboundConnection limits). A 500 or other code where 220 was expected means the client reached something other than the mail server it expects: check the port, load balancer and any SMTP proxy in between.',
    references: ['RFC 5321 §3.1', 'RFC 5321 §4.3.1', 'RFC 5321 §4.3.2'],
    supersedes: ['temporary-failure', 'unexpected-reply', 'too-many-errors'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let commandsBefore = 0;
    return {
      command(ev) {
        if (!ev.cmd.pseudo) commandsBefore++;
      },
      greeting(ev) {
        if (ev.reply.code === 220) return;
        if (commandsBefore > 0 && ev.reply.code !== 421 && ev.reply.code !== 554) return;
        ctx.report({
          data: { code: ev.reply.code, enhanced: ev.reply.enhanced, text: replyText(ev.reply) },
          evidence: [replyEvidence(ev.reply)],
        });
      },
    };
  },
});
