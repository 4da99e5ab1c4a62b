import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Command, Reply } from '../../smtp/index.js';

/**
 * RFC 4954 §6: "530 5.7.0 Authentication required" is given to a command the server
 * will only accept from an authenticated client (Exchange: "530 5.7.1 Client was not
 * authenticated"); RFC 3207 §4 uses 530 5.7.0 for "Must issue a STARTTLS command
 * first". One finding per session (the first refusal, with the count): a client that
 * retries gets the same answer for the same reason.
 */
export default defineRule({
  meta: {
    id: 'auth-required',
    severity: 'error',
    category: 'auth',
    title: 'Server requires authentication',
    summary: 'The server refused {{command}} because the client did not authenticate: {{code}} {{enhanced}} {{text}} ({{refused}} command(s) refused)',
    advice:
      'The server only accepts this from authenticated clients (or only after STARTTLS, when the text says so). On Exchange, "530 5.7.1 Client was not authenticated" means the receive connector that took the connection lacks the Anonymous users permission group: create a dedicated connector for the client\'s address (RemoteIPRanges) or configure the client to log in; on Postfix check smtpd_*_restrictions (permit_sasl_authenticated then reject) and smtpd_tls_auth_only.',
    references: ['RFC 4954 §6', 'RFC 3207 §4'],
    supersedes: ['sender-rejected'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let first: { cmd: Command; reply: Reply } | null = null;
    let refused = 0;
    return {
      reply(ev) {
        if (ev.reply.code !== 530 || !ev.to || ev.to.pseudo) return;
        refused++;
        first ??= { cmd: ev.to, reply: ev.reply };
      },
      'session-end'() {
        if (!first) return;
        const { cmd, reply } = first;
        ctx.report({
          data: { command: cmd.verb, code: reply.code, enhanced: reply.enhanced, text: replyText(reply), refused },
          evidence: [commandEvidence(cmd), replyEvidence(reply)],
        });
      },
    };
  },
});
