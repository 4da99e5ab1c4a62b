import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Command, Reply } from '../../smtp/index.js';
import { isHello, isPositive } from '../facts/transaction.js';

/**
 * RFC 5321 §4.1.4 (R-ORD-1): "a session that will contain mail transactions MUST first
 * be initialized by the use of EHLO" (HELO allowed). NOOP, HELP, EXPN, VRFY and RSET
 * may come earlier, so only MAIL is judged. Judged at MAIL's reply, when the replies to
 * any HELO/EHLO sent before it have arrived: an EHLO that was refused did not
 * initialize the session either. An EHLO with no reply (one-sided capture, session cut)
 * or with a reply that fits no HELO/EHLO outcome (a misparsed stream) leaves it unknown.
 *
 * Only where the whole session start is visible: not in a mid-stream capture, not after
 * a gap (it may hide the EHLO), not after TLS started (RFC 3207 §4.2 requires a new
 * EHLO there, but the dialogue is opaque). Unlike the transaction rules' anchor
 * (facts/transaction.ts), a reset point does not restore this: only the session start
 * shows that no HELO/EHLO came before.
 */
export default defineRule({
  meta: {
    id: 'mail-without-helo',
    severity: 'warning',
    category: 'command-order',
    title: 'MAIL FROM before HELO/EHLO',
    summary: 'MAIL FROM:<{{sender}}> sent before the session was initialized ({{hello}}); reply {{code}} {{enhanced}} {{text}}',
    advice:
      'The client skipped the HELO/EHLO greeting: typical of scripts, printers and spam bots that talk SMTP by hand, or of a client that ignores a refused EHLO instead of falling back to HELO. Fix the client\'s SMTP settings; if the client did send EHLO, a program between client and server (firewall SMTP inspection, antivirus proxy) may drop it.',
    references: ['RFC 5321 §4.1.4', 'RFC 5321 §4.1.1.1'],
    supersedes: ['bad-sequence'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let visible = false;
    let initialized = false;
    let reported = false;
    /** The latest HELO/EHLO sent and its reply, if any. */
    let hello: { cmd: Command; reply: Reply | null } | null = null;
    const candidates = new Set<Command>();

    function describe(): string {
      return hello?.reply ? `${hello.cmd.verb} was refused with ${hello.reply.code}` : 'no HELO or EHLO was sent';
    }

    /** Certain only when no HELO/EHLO was sent, or the last one was refused (4yz/5yz). */
    function certain(): boolean {
      return visible && !initialized && (hello === null || (hello.reply !== null && hello.reply.code >= 400));
    }

    function report(cmd: Command, reply: Reply | null): void {
      if (reported) return;
      reported = true;
      const evidence = [];
      if (hello) {
        evidence.push(commandEvidence(hello.cmd));
        if (hello.reply) evidence.push(replyEvidence(hello.reply));
      }
      evidence.push(commandEvidence(cmd));
      if (reply) evidence.push(replyEvidence(reply));
      ctx.report({
        data: {
          sender: cmd.path?.address ?? cmd.arg,
          hello: describe(),
          code: reply ? reply.code : 'none',
          enhanced: reply ? reply.enhanced : null,
          text: reply ? replyText(reply) : '(no reply before the session ended)',
        },
        evidence,
      });
    }

    return {
      'session-start'(ev) {
        visible = !ev.midstream;
      },
      gap() {
        visible = false;
      },
      tls(ev) {
        if (ev.phase === 'start') visible = false;
      },
      command(ev) {
        if (!visible || initialized) return;
        const cmd = ev.cmd;
        if (isHello(cmd)) hello = { cmd, reply: null };
        else if (cmd.verb === 'MAIL') candidates.add(cmd);
      },
      reply(ev) {
        const to = ev.to;
        if (!to) return;
        if (hello && to === hello.cmd) {
          hello.reply = ev.reply;
          if (isPositive(ev.reply)) initialized = true;
          return;
        }
        if (!candidates.has(to)) return;
        candidates.delete(to);
        // A gap or TLS between MAIL and its reply: the order is no longer known.
        if (certain()) report(to, ev.reply);
      },
      'session-end'() {
        if (certain()) for (const cmd of candidates) report(cmd, null);
        candidates.clear();
      },
    };
  },
});
