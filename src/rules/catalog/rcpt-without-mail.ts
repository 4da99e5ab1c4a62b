import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import { isHello, isPositive, isResetPoint } from '../facts/transaction.js';

/**
 * RFC 5321 §4.1.4 / §3.3: RCPT is only valid inside a transaction opened by MAIL.
 * The rule looks at what the CLIENT sent (was a MAIL sent since the last reset
 * point?), not at the server's state, so a pipelined MAIL+RCPT is fine and a
 * MAIL that was sent but refused is another rule's business (sender-rejected).
 * It makes no claim until a reset point (facts/transaction.ts: RSET, end of message,
 * BDAT LAST, accepted HELO/EHLO) was seen (mid-stream start, after a gap).
 *
 * Unlike data-without-rcpt and nested-mail it judges RCPT when it is SENT, so it needs
 * no TransactionAnchor: its "unknown" is `mailSent === null`, which a MAIL also ends
 * (after one, a MAIL is known to have been sent), and an accepted HELO/EHLO anchors it
 * only when it resets (no MAIL sent after it). TLS does not stop it.
 */

export default defineRule({
  meta: {
    id: 'rcpt-without-mail',
    severity: 'error',
    category: 'command-order',
    title: 'RCPT TO without an open mail transaction',
    summary: 'RCPT TO sent without MAIL FROM; the server answered {{code}} {{enhanced}} {{text}}',
    advice:
      'The client sent RCPT TO although no MAIL FROM opened a transaction. A program between client and server (antivirus SMTP proxy, application-layer firewall) may strip MAIL FROM: capture on both sides of it and compare, or disable the scanner\'s SMTP inspection as a test.',
    references: ['RFC 5321 §3.3', 'RFC 5321 §4.1.4'],
    supersedes: ['bad-sequence', 'unexpected-reply'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    // What the client sent since its last reset point. null: no reset point seen yet
    // (capture began mid-session, or a gap hid part of the dialogue): no claim.
    let mailSent: boolean | null = null;
    /** seq of the last MAIL sent: an accepted EHLO resets only what was sent before it. */
    let lastMailSeq = -1;
    const flagged = new Set<Command>();
    return {
      'session-start'(ev) {
        if (!ev.midstream) mailSent = false;
      },
      gap() {
        mailSent = null;
      },
      command(ev) {
        const { verb } = ev.cmd;
        if (verb === 'MAIL') {
          mailSent = true;
          lastMailSeq = ev.cmd.seq;
        }
        else if (isResetPoint(ev.cmd)) mailSent = false;
        else if (verb === 'RCPT' && mailSent === false) flagged.add(ev.cmd);
      },
      reply(ev) {
        const to = ev.to;
        if (to && isHello(to)) {
          // A MAIL sent after this EHLO (before its reply) opened the new transaction.
          if (isPositive(ev.reply) && lastMailSeq < to.seq) mailSent = false;
          return;
        }
        if (!to || !flagged.has(to)) return;
        flagged.delete(to);
        ctx.report({
          data: { code: ev.reply.code, enhanced: ev.reply.enhanced, text: replyText(ev.reply), rcpt: to.path?.address ?? to.arg },
          evidence: [commandEvidence(to), replyEvidence(ev.reply)],
        });
      },
      'session-end'() {
        for (const cmd of flagged) {
          ctx.report({ data: { code: 'no reply', enhanced: null, text: '', rcpt: cmd.path?.address ?? cmd.arg }, evidence: [commandEvidence(cmd)] });
        }
        flagged.clear();
      },
    };
  },
});
