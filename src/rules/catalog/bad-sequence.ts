import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import { compareTime, type Time } from '../../util/time.js';

/**
 * RFC 5321 §4.1.4, §4.3.2: 503 "Bad sequence of commands". The catch-all for 503s:
 * rules that know WHY (rcpt-without-mail, data-without-rcpt, nested-mail,
 * mail-without-helo) supersede it on the same evidence.
 *
 * Not a finding: a 503 to a command the client pipelined (RFC 2920 §3.1) before it could
 * learn that an earlier command of the group failed: after a refused MAIL or refused
 * recipients the server must answer the rest of the group 503 (P-4), and the refusal is
 * the problem (sender-rejected, unknown-recipient, relay-denied report it).
 */
export default defineRule({
  meta: {
    id: 'bad-sequence',
    severity: 'error',
    category: 'command-order',
    title: 'Server answered 503 Bad sequence of commands',
    summary: 'The server answered {{code}} {{enhanced}} {{text}} to {{command}} (session state: {{state}})',
    advice:
      'The server refused a command as out of order. Read the commands before it in the transcript: a command the client believes it sent may be missing (stripped by a proxy or scanner), or the client ignores an earlier error reply. Compare a capture taken on the client side.',
    references: ['RFC 5321 §4.1.4', 'RFC 5321 §4.3.2'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    /** Refused commands: their place in the session and when the client learned of the refusal. */
    const failures: { seq: number; learned: Time }[] = [];
    return {
      reply(ev) {
        if (!ev.to) return;
        if (ev.reply.code !== 503) {
          if (ev.reply.code >= 400 && !ev.to.pseudo) failures.push({ seq: ev.to.seq, learned: ev.reply.time });
          return;
        }
        const to = ev.to;
        if (to.pipelined && failures.some((f) => f.seq < to.seq && compareTime(to.time, f.learned) <= 0)) return;
        failures.push({ seq: to.seq, learned: ev.reply.time });
        ctx.report({
          data: {
            code: ev.reply.code,
            enhanced: ev.reply.enhanced,
            text: replyText(ev.reply),
            command: ev.to.verb,
            state: ev.stateBefore,
          },
          evidence: [commandEvidence(ev.to), replyEvidence(ev.reply)],
        });
      },
    };
  },
});
