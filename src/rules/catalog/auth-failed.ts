import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { ReplyToEvent } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';

/**
 * RFC 4954 §6 results that mean "this AUTH did not succeed" (rfc-checklist A-3):
 * 535 5.7.8 bad credentials, 534 5.7.9 mechanism too weak, 538 5.7.11 encryption
 * required, 454 4.7.0 temporary failure. A 501 after "*" is a cancel, and 504/503
 * are protocol refusals, not failed logins. Shared with auth-brute-force.
 */
export const AUTH_FAILURE_CODES: ReadonlySet<number> = new Set([535, 534, 538, 454]);

/** One AUTH exchange per session as rules see it: the AUTH command and the last reply of its 334 loop. */
export interface AuthExchange {
  cmd: Command;
  reply: Reply | null;
}

export default defineRule({
  meta: {
    id: 'auth-failed',
    severity: 'warning',
    category: 'auth',
    title: 'Authentication failed',
    summary: 'AUTH {{mechanism}} for user {{user}} failed: {{code}} {{enhanced}} {{text}}',
    advice:
      'The server refused the login: 535 means wrong user name or password (or a locked or disabled account), 534/538 a mechanism that is too weak or TLS required first, 454 a temporary problem on the server (its authentication back end). Check the credentials configured in the client or the Exchange send connector / Postfix smtp_sasl_password_maps, and the server\'s authentication log for the reason.',
    references: ['RFC 4954 §6', 'RFC 4954 §4'],
    supersedes: ['temporary-failure'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let open: AuthExchange | null = null;
    /** A reply to AUTH or to an answer of its exchange: the latest is the exchange's outcome. */
    const authReply = (ev: ReplyToEvent): void => {
      if (open) open.reply = ev.reply;
    };
    return {
      'command[verb=AUTH]'(ev) {
        open = { cmd: ev.cmd, reply: null };
      },
      'reply[to.verb=AUTH]': authReply,
      'reply[to.verb=<auth-response>]': authReply,
      auth(ev) {
        const x = open;
        open = null;
        if (!x || !x.reply || ev.result !== 'failure' || ev.code === null || !AUTH_FAILURE_CODES.has(ev.code)) return;
        ctx.report({
          data: { mechanism: ev.mechanism, user: ev.user ?? '(not seen)', code: ev.code, enhanced: ev.enhanced, text: replyText(x.reply) },
          evidence: [commandEvidence(x.cmd), replyEvidence(x.reply)],
        });
      },
    };
  },
});
