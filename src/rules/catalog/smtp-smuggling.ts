import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Command, Reply } from '../../smtp/index.js';
import type { Lookalike } from '../../smtp/data-body.js';
import type { Evidence } from '../types.js';

/**
 * SMTP smuggling (CVE-2023-51764 Postfix, -51765 Sendmail, -51766 Exim; SEC Consult,
 * Dec 2023): a DATA body that carries an end-of-data look-alike (`<LF>.<LF>`,
 * `<LF>.<CR><LF>`, `<CR>.<CR><LF>`, `<CR><LF>.<LF>`, `<CR><LF>.<CR>` not followed by
 * LF). RFC 5321 §4.1.1.4 ends data only at `<CRLF>.<CRLF>` and R-LINE-1 (§2.3.8) says
 * `<LF>.<LF>` MUST NOT end it; a receiver that does see a second message with a
 * forged sender. Only DATA counts: inside BDAT chunks (RFC 3030 §2) every octet,
 * `<CRLF>.<CRLF>` included, is data and ends nothing. smtp/ found the look-alikes
 * (data-body.ts); this rule reports them with the server's verdict on the message.
 *
 * The worst case is a server that answers right after a look-alike, before any
 * `<CRLF>.<CRLF>`: smtp/ then ends the body at the look-alike (data-end `terminator`,
 * e.g. 'LF.LF') and pairs the reply with `<end-of-data>`. That server took the
 * look-alike as the end of data, so smuggling works against it (whatever the client
 * sends next is read as a new envelope); the finding says so, with that reply.
 */
const MAX_EVIDENCE = 5;

export default defineRule({
  meta: {
    id: 'smtp-smuggling',
    severity: 'error',
    category: 'content',
    title: 'SMTP smuggling: end-of-data look-alike in DATA',
    summary: 'The DATA stream contains {{count}} end-of-data look-alike(s) ({{kinds}}) at body offset {{offset}}; {{verdict}}',
    advice:
      'A sender that puts <LF>.<LF> or similar in the body is probing or exploiting SMTP smuggling: a server (or a gateway in front of it) that accepts such a sequence as the end of data would deliver a second, forged message. Patch the MTA and reject bare LF/CR (Postfix smtpd_forbid_bare_newline = yes, Exim 4.97.1+, Sendmail 8.18 srv_features o; Exchange Online is not affected), and check the messages this client sent.',
    references: ['RFC 5321 §4.1.1.4', 'RFC 5321 §2.3.8', 'CVE-2023-51764', 'CVE-2023-51765', 'CVE-2023-51766'],
    supersedes: ['bare-lf'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let dataCmd: Command | null = null;
    let pending: { cmd: Command | null; lookalikes: Lookalike[]; count: number; frame: number; time: Evidence['time']; terminator: string | null } | null = null;

    function report(reply: Reply | null): void {
      if (!pending) return;
      const p = pending;
      pending = null;
      const first = p.lookalikes[0]!;
      const evidence: Evidence[] = [];
      if (p.cmd) evidence.push(commandEvidence(p.cmd));
      for (const l of p.lookalikes.slice(0, MAX_EVIDENCE)) {
        evidence.push({ frame: l.frame, time: p.time, dir: 'c2s', line: `end-of-data look-alike ${l.kind} at body offset ${l.offset}` });
      }
      if (reply) evidence.push(replyEvidence(reply));
      ctx.report({
        data: {
          count: p.count,
          kinds: [...new Set(p.lookalikes.map((l) => l.kind))].join(', '),
          kind: first.kind,
          offset: first.offset,
          code: reply ? reply.code : null,
          terminator: p.terminator,
          acceptedAsEnd: p.terminator !== null,
          verdict: p.terminator !== null
            ? reply
              ? `the server accepted the ${p.terminator} look-alike as the end of data (it answered ${reply.code} right after it): SMTP smuggling works against this server`
              : `the server took the ${p.terminator} look-alike as the end of data: SMTP smuggling works against this server`
            : reply
              ? `the server answered ${reply.code} to the message`
              : 'no reply to the message was seen',
        },
        evidence,
      });
    }

    return {
      'data-start'(ev) {
        dataCmd = ev.cmd;
      },
      'data-end'(ev) {
        // CRLF.CRLF is the terminator in DATA, never a look-alike there.
        const found = ev.lookalikes.filter((l) => l.kind !== 'CRLF.CRLF');
        if (found.length === 0) return;
        const extra = ev.lookalikeCount - ev.lookalikes.length;
        // A terminator other than CRLF.CRLF: the server replied right after that look-alike.
        const terminator = ev.terminator !== null && ev.terminator !== 'CRLF.CRLF' ? ev.terminator : null;
        pending = { cmd: dataCmd, lookalikes: found, count: found.length + Math.max(0, extra), frame: ev.frame, time: ev.time, terminator };
        if (!ev.complete) report(null);
      },
      'reply[to.verb=<end-of-data>]'(ev) {
        if (pending) report(ev.reply);
      },
      'session-end'() {
        report(null);
      },
    };
  },
});
