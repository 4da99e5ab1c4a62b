import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Evidence, ReplyToEvent } from '../types.js';

/**
 * RFC 3207 §4 / RFC 5321 §4.1.1.1: a client learns the extensions from the EHLO
 * reply and uses STARTTLS only if it was listed (the same holds for Exchange's
 * X-ANONYMOUSTLS). A client that asks anyway either ignores the reply or talks
 * to something else than it expects (a middlebox rewrote the EHLO reply). No
 * claim when no HELO/EHLO reply was seen (mid-stream start, gap). When the
 * server then refuses, tls-refused reports the one problem (it supersedes this).
 */
export default defineRule({
  meta: {
    id: 'tls-not-offered',
    severity: 'warning',
    category: 'tls',
    title: 'TLS requested although the server did not offer it',
    summary: 'The client sent {{verb}} although the server\'s {{hello}} reply did not advertise it; the server answered {{code}}',
    advice:
      'The client asks for TLS without the server offering it: it is configured to require TLS toward this host (Exchange send connector RequireTLS / Postfix smtp_tls_security_level = encrypt), or a firewall\'s SMTP inspection removed STARTTLS from the EHLO reply it saw. Compare the EHLO reply on both sides of the firewall, and check that the server has a certificate enabled for SMTP.',
    references: ['RFC 3207 §4', 'RFC 5321 §4.1.1.1'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    // The last HELO/EHLO reply and what it offered; null: none seen, no claim.
    let hello: { verb: 'EHLO' | 'HELO'; ev: Evidence; starttls: boolean; anonymousTls: boolean } | null = null;
    const helloReply = (ev: ReplyToEvent): void => {
      if (ev.reply.code < 200 || ev.reply.code >= 300) return;
      // Keywords arrive in the 'extensions' event that follows an accepted EHLO; HELO offers none.
      hello = { verb: ev.to.verb === 'HELO' ? 'HELO' : 'EHLO', ev: replyEvidence(ev.reply), starttls: false, anonymousTls: false };
    };
    const tlsReply = (ev: ReplyToEvent): void => {
      const to = ev.to;
      if (!hello) return;
      const offered = to.verb === 'STARTTLS' ? hello.starttls : hello.anonymousTls;
      if (offered) return;
      ctx.report({
        data: { verb: to.verb, hello: hello.verb, code: ev.reply.code },
        evidence: [hello.ev, commandEvidence(to), replyEvidence(ev.reply)],
      });
    };
    return {
      gap() {
        hello = null;
      },
      extensions(ev) {
        // The reply event came first and set hello; refine it with the keywords.
        if (hello) {
          hello.starttls = ev.ehlo.starttls;
          hello.anonymousTls = ev.ehlo.anonymousTls;
        }
      },
      'reply[to.verb=EHLO]': helloReply,
      'reply[to.verb=HELO]': helloReply,
      'reply[to.verb=STARTTLS]': tlsReply,
      'reply[to.verb=X-ANONYMOUSTLS]': tlsReply,
    };
  },
});
