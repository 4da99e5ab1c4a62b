import { defineRule } from '../define-rule.js';
import { commandEvidence, domainOf, replyEvidence, replyText } from '../evidence.js';
import type { Reply } from '../../smtp/index.js';

/**
 * 5xx to MAIL that another rule explains better: 500/502 (command not recognized,
 * §4.2.4), 503 (command order: bad-sequence and kin), 530 (auth-required, RFC 4954 §6),
 * and size refusals (message-too-large: 552, X.3.4, X.2.3; RFC 1870 §6).
 */
function explainedElsewhere(reply: Reply): boolean {
  const { code, enhanced } = reply;
  return code === 500 || code === 502 || code === 503 || code === 530 || code === 552 || enhanced === '5.3.4' || enhanced === '5.2.3';
}

/**
 * RFC 5321 §4.1.1.2 / §4.3.2: MAIL refused permanently (550, 553, 501, 554, 555).
 * Typical: Exchange "550 5.7.1 Client does not have permissions to send as this
 * sender", "553 5.1.8 Sender address domain does not exist", SPF "550 5.7.23"
 * (RFC 7372). One finding per refused MAIL.
 */
export default defineRule({
  meta: {
    id: 'sender-rejected',
    severity: 'error',
    category: 'envelope',
    title: 'Sender address refused',
    summary: 'The server refused sender {{sender}}: {{code}} {{enhanced}} {{text}}',
    advice:
      'The server will not take mail from this sender address: SPF/DMARC failure (5.7.23, 5.7.1), a sender domain that does not resolve (5.1.8), a blocked sender, or an anonymous client using an address of a domain the server is authoritative for. On Exchange, "Client does not have permissions to send as this sender" means the connector lacks ms-Exch-SMTP-Accept-Authoritative-Domain-Sender for this client (authenticate, or use a relay connector); on Postfix check smtpd_sender_restrictions (reject_sender_login_mismatch, reject_unknown_sender_domain).',
    references: ['RFC 5321 §4.1.1.2', 'RFC 3463 X.1.8', 'RFC 3463 X.7.1', 'RFC 7372 §3.2'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    return {
      'reply[to.verb=MAIL]'(ev) {
        const to = ev.to;
        if (ev.reply.code < 500 || ev.reply.code > 599 || explainedElsewhere(ev.reply)) return;
        const address = to.path?.address ?? to.arg;
        ctx.report({
          data: { sender: to.path ? `<${address}>` : address, domain: domainOf(address), code: ev.reply.code, enhanced: ev.reply.enhanced, text: replyText(ev.reply) },
          evidence: [commandEvidence(to), replyEvidence(ev.reply)],
        });
      },
    };
  },
});
