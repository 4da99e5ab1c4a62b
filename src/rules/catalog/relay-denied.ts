import { defineRule } from '../define-rule.js';
import { commandEvidence, domainOf, replyEvidence, replyText } from '../evidence.js';
import type { Reply } from '../../smtp/index.js';

/** Texts servers use for a relay refusal (Exchange, Postfix, Sendmail, Exim). */
const RELAY_TEXT = /unable to relay|relay(ing)? (access )?(denied|not permitted|prohibited)|not permitted to relay|we do not relay|relay not allowed/i;

/** A reply to RCPT that refuses relaying (shared with unknown-recipient, which must not double it). */
export function isRelayRefusal(reply: Reply): boolean {
  const { code, enhanced } = reply;
  if (code !== 550 && code !== 554 && code !== 551) return false;
  return enhanced === '5.7.1' || RELAY_TEXT.test(reply.text);
}

/**
 * RCPT refused because the server will not relay for this client to that domain:
 * 550/554 with 5.7.1 (RFC 3463: delivery not authorized) or a relay text. A 550 5.1.1
 * (unknown user) is unknown-recipient, not this.
 */
export default defineRule({
  meta: {
    id: 'relay-denied',
    severity: 'error',
    category: 'envelope',
    title: 'Relaying refused for this client',
    summary: 'The server refused to relay to {{domain}} for client {{client}}: {{code}} {{enhanced}} {{text}}',
    advice:
      'The server does not let this client send to that domain. On Exchange, check the receive connector\'s remote IP ranges and its anonymous relay permission (Ms-Exch-SMTP-Accept-Any-Recipient); on Postfix, mynetworks and smtpd_relay_restrictions; or make the client authenticate.',
    references: ['RFC 5321 §3.6.2', 'RFC 3463 5.7.1'],
    supersedes: ['unknown-recipient', 'temporary-failure'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    return {
      'reply[to.verb=RCPT]'(ev, session) {
        const to = ev.to;
        if (!isRelayRefusal(ev.reply)) return;
        const { code, enhanced } = ev.reply;
        const address = to.path?.address ?? to.arg;
        ctx.report({
          data: { domain: domainOf(address) || address, rcpt: address, client: session.client.ip, code, enhanced, text: replyText(ev.reply) },
          evidence: [commandEvidence(to), replyEvidence(ev.reply)],
        });
      },
    };
  },
});
