import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { ReplyToEvent } from '../types.js';

/**
 * RFC 3207 §4: STARTTLS is answered `220 Ready to start TLS`, `501` (syntax) or `454
 * TLS not available due to temporary reason`; X-ANONYMOUSTLS behaves the same (rfc
 * checklist T-5). Any other answer than 220 means the session goes on in clear or
 * ends. Whether the server had advertised the verb is kept in `data.advertised`:
 * advertised and then refused with 500 contradicts RFC 5321 §4.2.4 ("MUST NOT list
 * capabilities ... for which they will return 502 (or 500)"), the signature of a
 * connector or middlebox answering differently from what the EHLO reply promised.
 * One problem, one finding: this rule supersedes tls-not-offered on the same
 * command, and no-quit when a client that requires TLS hangs up after the refusal
 * (no-quit's evidence names the TLS command as the last one).
 */
export default defineRule({
  meta: {
    id: 'tls-refused',
    severity: 'error',
    category: 'tls',
    title: 'STARTTLS / X-ANONYMOUSTLS refused',
    summary: 'The server refused {{verb}} with {{code}} {{enhanced}} {{text}} (verb advertised in EHLO: {{advertised}})',
    advice:
      'A 454 to STARTTLS usually means the server cannot load its certificate or key (Postfix: smtpd_tls_cert_file/smtpd_tls_key_file and the mail log; Exchange: no valid certificate enabled for the SMTP service, Enable-ExchangeCertificate -Services SMTP). X-ANONYMOUSTLS is the anonymous TLS that Exchange transport servers use between themselves: "500 5.3.3 Unrecognized command" means the receive connector that took the connection does not grant the Exchange Servers permission group / authentication to this peer (for example ForeFront or an application on the Mailbox server reaching a connector set up for Anonymous users); create a separate receive connector limited to that server\'s IP (New-ReceiveConnector -RemoteIPRanges) or correct the connector\'s permission groups. A 500/502 to a verb the EHLO reply advertised points at a middlebox (SMTP inspection) answering in the server\'s place.',
    references: ['RFC 3207 §4', 'RFC 5321 §4.2.4', 'Exchange receive connector permission groups (X-ANONYMOUSTLS)'],
    supersedes: ['tls-not-offered', 'temporary-failure', 'bad-sequence', 'unexpected-reply', 'no-quit'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    // What the latest EHLO reply advertised; null: no EHLO reply seen (HELO, mid-stream).
    let offered: { starttls: boolean; anonymousTls: boolean } | null = null;
    /** The reply to a verb that starts TLS (STARTTLS, RFC 3207 §4; Exchange's X-ANONYMOUSTLS): anything but 220 refuses it. */
    const refusal = (ev: ReplyToEvent): void => {
      const to = ev.to;
      if (ev.reply.code === 220) return;
      const advertised = offered === null ? 'unknown' : to.verb === 'STARTTLS' ? offered.starttls : offered.anonymousTls;
      ctx.report({
        data: {
          verb: to.verb,
          code: ev.reply.code,
          enhanced: ev.reply.enhanced,
          text: replyText(ev.reply),
          advertised: advertised === 'unknown' ? 'unknown' : advertised ? 'yes' : 'no',
        },
        evidence: [commandEvidence(to), replyEvidence(ev.reply)],
      });
    };
    return {
      extensions(ev) {
        offered = { starttls: ev.ehlo.starttls, anonymousTls: ev.ehlo.anonymousTls };
      },
      'reply[to.verb=STARTTLS]': refusal,
      'reply[to.verb=X-ANONYMOUSTLS]': refusal,
    };
  },
});
