import { defineRule } from '../define-rule.js';
import { commandEvidence, domainOf, replyEvidence, replyText } from '../evidence.js';
import type { Reply } from '../../smtp/index.js';
import { isRelayRefusal } from './relay-denied.js';

/**
 * Texts servers use for "no such mailbox": Postfix "User unknown in virtual mailbox
 * table", Sendmail "User unknown", Exchange "RESOLVER.ADR.RecipNotFound" /
 * "RecipientNotFound", Gmail "does not exist". The RFC 5321 §4.2.3 generic
 * "mailbox unavailable" is left out: servers use it for policy refusals too.
 */
const UNKNOWN_TEXT = /user unknown|unknown user|recip(ient)?\s*not\s*found|no such (user|recipient|mailbox)|(mailbox|account|user|address|recipient) (does not|doesn't) exist/i;

/**
 * RFC 5321 §4.2.3 (550/551/553 to RCPT) with RFC 3463 X.1.1 "Bad destination mailbox
 * address" or Exchange's 5.1.10 (recipient not found), or a text that says so. A relay
 * refusal is relay-denied's, never this (Exchange 2003 wrote "550 5.7.1 Unable to relay",
 * some servers use 5.1.1 codes with relay texts). Shared with directory-harvest.
 */
export function isUnknownRecipient(reply: Reply): boolean {
  const { code, enhanced } = reply;
  if (code !== 550 && code !== 551 && code !== 553) return false;
  if (isRelayRefusal(reply)) return false;
  return enhanced === '5.1.1' || enhanced === '5.1.10' || UNKNOWN_TEXT.test(reply.text);
}

export default defineRule({
  meta: {
    id: 'unknown-recipient',
    severity: 'warning',
    category: 'envelope',
    title: 'Recipient unknown to the server',
    summary: 'The server does not know recipient {{rcpt}}: {{code}} {{enhanced}} {{text}}',
    advice:
      'The receiving server has no mailbox for this address: a typo, a departed user, or a stale address-book (autocomplete) entry. On Exchange check the address with Get-Recipient and the accepted domains / recipient filtering; on Postfix check local_recipient_maps, virtual_mailbox_maps or relay_recipient_maps. Many of these from one client is a directory-harvest pattern.',
    references: ['RFC 5321 §4.2.3', 'RFC 3463 X.1.1'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    return {
      'reply[to.verb=RCPT]'(ev) {
        const to = ev.to;
        if (!isUnknownRecipient(ev.reply)) return;
        const address = to.path?.address ?? to.arg;
        ctx.report({
          data: { rcpt: address, domain: domainOf(address), code: ev.reply.code, enhanced: ev.reply.enhanced, text: replyText(ev.reply) },
          evidence: [commandEvidence(to), replyEvidence(ev.reply)],
        });
      },
    };
  },
});
