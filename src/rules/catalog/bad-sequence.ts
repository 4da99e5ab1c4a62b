import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';

/**
 * RFC 5321 §4.1.4, §4.3.2: 503 "Bad sequence of commands". The catch-all for 503s:
 * rules that know WHY (rcpt-without-mail, data-without-rcpt, nested-mail,
 * mail-without-helo) supersede it on the same evidence.
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
    return {
      reply(ev) {
        if (ev.reply.code !== 503 || !ev.to) return;
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
