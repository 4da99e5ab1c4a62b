import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Command, Reply } from '../../smtp/index.js';
import { TransactionAnchor, isHello, isPositive, isResetPoint } from '../facts/transaction.js';

/**
 * RFC 5321 §3.3 / §4.1.4 (R-ORD-2): "MAIL ... MUST NOT be sent if a mail transaction is
 * already open". A transaction is open from an accepted MAIL until the end of the
 * message (the reply to <CRLF>.<CRLF> or BDAT LAST ends it whatever its code), RSET,
 * an accepted EHLO/HELO (a refused one keeps the envelope) or QUIT. A refused DATA or BDAT does not end it (RFC 3030 §3: only RSET
 * clears a failed chunking transaction), so MAIL after a refused DATA is nested too.
 *
 * Judged at the second MAIL's reply: by then the first MAIL's reply has arrived (replies
 * come in order, RFC 2920 §3.2), so a first MAIL that was refused opened nothing and
 * the second is legitimate. No claim before a reset point (mid-stream start, gap); the
 * reset points and the anchoring are facts/transaction.ts's, plus QUIT.
 */
/** QUIT ends the transaction too (the session ends), unlike for the other command-order rules. */
function endsOpenTransaction(cmd: Command): boolean {
  return isResetPoint(cmd) || cmd.verb === 'QUIT';
}

interface Open {
  mail: Command;
  reply: Reply | null;
}

export default defineRule({
  meta: {
    id: 'nested-mail',
    severity: 'warning',
    category: 'command-order',
    title: 'MAIL FROM while a mail transaction is already open',
    summary: 'MAIL FROM:<{{second}}> sent while the transaction of MAIL FROM:<{{first}}> was still open; reply {{code}} {{enhanced}} {{text}}',
    advice:
      'The client started a new message without ending the previous transaction with RSET (for example after its DATA was refused, or after it gave up on refused recipients). Check the client\'s error handling after failed RCPT/DATA; a program between client and server that swallows RSET or the end of the message (antivirus SMTP proxy, firewall SMTP inspection) gives the same picture.',
    references: ['RFC 5321 §3.3', 'RFC 5321 §4.1.4', 'RFC 3030 §3'],
    supersedes: ['bad-sequence'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    const anchor = new TransactionAnchor();
    /** MAIL commands sent since the last reset point, with their replies as they arrive. */
    let window: Open[] = [];
    const candidates = new Map<Command, { earlier: Open[]; epoch: number }>();

    function firstOpen(earlier: readonly Open[]): Open | undefined {
      return earlier.find((o) => o.reply !== null && isPositive(o.reply));
    }

    function report(cmd: Command, first: Open, reply: Reply | null): void {
      const evidence = [commandEvidence(first.mail)];
      if (first.reply) evidence.push(replyEvidence(first.reply));
      evidence.push(commandEvidence(cmd));
      if (reply) evidence.push(replyEvidence(reply));
      ctx.report({
        data: {
          first: first.mail.path?.address ?? first.mail.arg,
          second: cmd.path?.address ?? cmd.arg,
          code: reply ? reply.code : 'none',
          enhanced: reply ? reply.enhanced : null,
          text: reply ? replyText(reply) : '(no reply before the session ended)',
        },
        evidence,
      });
    }

    return {
      'session-start'(ev) {
        anchor.sessionStart(ev);
      },
      gap() {
        anchor.gap();
        window = [];
      },
      tls(ev) {
        anchor.tls(ev);
      },
      command(ev) {
        if (anchor.opaque) return;
        const cmd = ev.cmd;
        if (endsOpenTransaction(cmd)) {
          window = [];
          anchor.reset();
        } else if (cmd.verb === 'MAIL') {
          if (anchor.anchored && window.length > 0) candidates.set(cmd, { earlier: window.slice(), epoch: anchor.epoch });
          window.push({ mail: cmd, reply: null });
        }
      },
      reply(ev) {
        const to = ev.to;
        if (!to || anchor.opaque) return;
        if (isHello(to)) {
          // MAILs sent after this EHLO (before its reply) stay in the window.
          if (isPositive(ev.reply)) {
            window = window.filter((o) => o.mail.seq > to.seq);
            anchor.reset();
          }
          return;
        }
        if (to.verb !== 'MAIL') return;
        const own = window.find((o) => o.mail === to);
        if (own) own.reply = ev.reply;
        const c = candidates.get(to);
        if (!c) return;
        candidates.delete(to);
        if (c.epoch !== anchor.epoch) return;
        const first = firstOpen(c.earlier);
        if (first) report(to, first, ev.reply);
      },
      'session-end'() {
        for (const [cmd, c] of candidates) {
          const first = c.epoch === anchor.epoch ? firstOpen(c.earlier) : undefined;
          if (first) report(cmd, first, null);
        }
        candidates.clear();
      },
    };
  },
});
