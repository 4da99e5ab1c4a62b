import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import type { Evidence } from '../types.js';

/**
 * RFC 5321 §4.1.1.1 / §3.2: a client that greets with HELO, or falls back to HELO
 * after EHLO was refused (the old-server path of §3.2), gets no service
 * extensions: no PIPELINING, SIZE, 8BITMIME, STARTTLS (so the session stays in
 * clear), AUTH, CHUNKING or XEXCH50. Reported once per session, at the first HELO
 * not preceded by an accepted EHLO, with the refused EHLO as evidence when there
 * was one.
 */
export default defineRule({
  meta: {
    id: 'helo-fallback',
    severity: 'notice',
    category: 'greeting',
    title: 'Session uses HELO: no ESMTP extensions',
    summary: 'The client greeted with HELO {{how}}: no ESMTP extensions (PIPELINING, SIZE, STARTTLS, XEXCH50) in this session',
    advice:
      'Without EHLO the session cannot use STARTTLS, SIZE or PIPELINING. The client may be configured for HELO (Exchange send connector ForceHELO / "Send HELO instead of EHLO", the KB 818222 workaround for firewalls that drop XEXCH50; Postfix smtp_never_send_ehlo), or the server or a firewall\'s SMTP inspection refused EHLO; if EHLO was refused, look at what answered it.',
    references: ['RFC 5321 §3.2', 'RFC 5321 §4.1.1.1', 'KB 818222'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let ehloAccepted = false;
    let refusedEhlo: { cmd: Command; reply: Evidence } | null = null;
    let helo: Command | null = null;
    let done = false;
    return {
      'command[verb=HELO]'(ev) {
        if (!done && !ehloAccepted && !helo) helo = ev.cmd;
      },
      'reply[to.verb=EHLO]'(ev) {
        if (done) return;
        if (ev.reply.code >= 200 && ev.reply.code < 300) ehloAccepted = true;
        else refusedEhlo = { cmd: ev.to, reply: replyEvidence(ev.reply) };
      },
      'reply[to.verb=HELO]'(ev) {
        const to = ev.to;
        if (done || to !== helo) return;
        done = true;
        const evidence: Evidence[] = [];
        if (refusedEhlo) evidence.push(commandEvidence(refusedEhlo.cmd), refusedEhlo.reply);
        evidence.push(commandEvidence(to), replyEvidence(ev.reply));
        ctx.report({
          data: {
            how: refusedEhlo ? `after EHLO was refused (${refusedEhlo.reply.line.split('\n')[0]})` : 'instead of EHLO',
            ehloRefused: refusedEhlo !== null,
            heloCode: ev.reply.code,
          },
          evidence,
        });
      },
    };
  },
});
