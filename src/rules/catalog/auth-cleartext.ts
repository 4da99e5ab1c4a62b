import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Command, Reply } from '../../smtp/index.js';
import type { Evidence, ReplyToEvent } from '../types.js';

/**
 * SASL mechanisms whose client messages carry the secret readably (base64 is an
 * encoding, not a protection): PLAIN (RFC 4616 §2: authzid NUL authcid NUL passwd),
 * LOGIN (draft-murchison-sasl-login: user, then password), and the OAuth bearer
 * mechanisms (RFC 7628 §3.1: the token is as good as a password). CRAM-MD5,
 * DIGEST-MD5, SCRAM, NTLM and GSSAPI send no reusable secret and are not listed.
 * How many client messages must have been sent before the secret travelled:
 * LOGIN's first answer is only the user name.
 */
const READABLE: Readonly<Record<string, number>> = { PLAIN: 1, LOGIN: 2, XOAUTH2: 1, OAUTHBEARER: 1 };

/** smtp/ replaces every credential with this mark (sasl.ts maskCredentials). */
const CREDENTIALS = /<credentials: \d+ bytes>/;

interface Exchange {
  mechanism: string;
  cmd: Command;
  /** Client messages that carried credentials (initial response, answers to 334). */
  sent: Command[];
  reply: Reply | null;
}

/**
 * RFC 4954 §4 and §14 (Security Considerations): AUTH PLAIN/LOGIN on a connection
 * without TLS exposes the password to anyone on the path. RFC 3207 §4.2: after
 * 220 to STARTTLS the dialogue is inside TLS and opaque; smtp/ shows no AUTH there,
 * and the rule also stays silent once the handshake completed (or on an implicit-TLS
 * port) in case it ever does. Reported once per session, naming the mechanism and
 * the user; never the password (smtp/ masks answers; the evidence shows only the
 * masked lines).
 */
export default defineRule({
  meta: {
    id: 'auth-cleartext',
    severity: 'warning',
    category: 'auth',
    title: 'Password sent over an unencrypted connection',
    summary: 'AUTH {{mechanism}} for user {{user}} sent the password without TLS (server answered {{code}})',
    advice:
      'The client authenticated without STARTTLS, so the user name and password can be read by anyone who can capture the traffic; change that password. Make the client use STARTTLS (or port 465/587 with TLS) and make the server refuse plain-text AUTH: on Postfix smtpd_tls_auth_only = yes, on Exchange remove Basic authentication without TLS from the receive connector (AuthMechanism BasicAuthRequireTLS).',
    references: ['RFC 4954 §4', 'RFC 4954 §14', 'RFC 4616 §2', 'RFC 3207 §4.2'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let encrypted = false;
    let reported = false;
    let open: Exchange | null = null;

    function judge(x: Exchange, user: string | null, code: number | null): void {
      const need = READABLE[x.mechanism];
      if (reported || encrypted || need === undefined || x.sent.length < need) return;
      reported = true;
      const evidence: Evidence[] = [commandEvidence(x.cmd)];
      for (const c of x.sent) if (c !== x.cmd) evidence.push(commandEvidence(c));
      if (x.reply) evidence.push(replyEvidence(x.reply));
      ctx.report({ data: { mechanism: x.mechanism, user: user ?? '(not seen)', code: code ?? 'no reply' }, evidence });
    }

    /** A reply to AUTH or to an answer of its exchange: the latest is the exchange's outcome. */
    const authReply = (ev: ReplyToEvent): void => {
      if (open) open.reply = ev.reply;
    };
    return {
      'session-start'(ev) {
        if (ev.implicitTls) encrypted = true;
      },
      tls(ev) {
        if (ev.phase === 'established') encrypted = true;
      },
      'command[verb=AUTH]'(ev) {
        const c = ev.cmd;
        const mechanism = (c.arg.trim().split(/\s+/)[0] ?? '').toUpperCase();
        open = { mechanism, cmd: c, sent: CREDENTIALS.test(c.arg) ? [c] : [], reply: null };
      },
      'command[verb=<auth-response>]'(ev) {
        if (open && CREDENTIALS.test(ev.cmd.arg)) open.sent.push(ev.cmd);
      },
      'reply[to.verb=AUTH]': authReply,
      'reply[to.verb=<auth-response>]': authReply,
      auth(ev) {
        const x = open;
        open = null;
        if (x) judge(x, ev.user, ev.code);
      },
      'session-end'() {
        if (open) judge(open, null, null);
        open = null;
      },
    };
  },
});
