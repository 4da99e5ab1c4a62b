import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Evidence, ReplyToEvent } from '../types.js';

/** 500 unrecognized, 502 not implemented, 504 parameter not implemented (RFC 5321 §4.2.2, §4.2.4). */
const REFUSALS = new Set([500, 502, 504]);

/**
 * KB 818222: Exchange sends XEXCH50 only to a server that advertised it. RFC 5321 §4.2.4:
 * a server "MUST NOT list capabilities in response to EHLO for which [it] will return 502
 * (or 500)". So an advertised XEXCH50 answered 500/502/504 was answered by something else:
 * a firewall's SMTP filter speaking in the server's place (ISA "An unknown SMTP command").
 */
export default defineRule({
  meta: {
    id: 'xexch50-refused',
    severity: 'warning',
    category: 'xexch50',
    title: 'XEXCH50 refused',
    summary: 'XEXCH50 was refused with {{code}} {{enhanced}} {{text}}; {{context}}',
    advice:
      'A server that advertises XEXCH50 must not refuse it as unknown, so an SMTP-filtering firewall or proxy (ISA Server, Cisco PIX/ASA inspect esmtp) probably answered in its place (KB 818222). Exchange then sends the message without its MAPI properties; exempt the traffic from SMTP inspection, or suppress XEXCH50 to external domains (SMTPSVC\\XEXCH50\\SuppressExternal = 1).',
    references: ['KB 818222', 'RFC 5321 §4.2.4'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    // The latest EHLO reply's XEXCH50 line: what the server (or what stands in for it) promised.
    let advertised: Evidence | null = null;
    /** The latest HELO/EHLO reply says whether XEXCH50 is advertised. */
    const helloReply = (ev: ReplyToEvent): void => {
      const line = ev.reply.code === 250 ? ev.reply.lines.find((l) => /^250[- ]XEXCH50\b/i.test(l)) : undefined;
      advertised = line ? { frame: ev.reply.frame, time: ev.reply.time, dir: 's2c', line } : null;
    };
    return {
      'reply[to.verb=EHLO]': helloReply,
      'reply[to.verb=HELO]': helloReply,
      'reply[to.verb=XEXCH50]'(ev) {
        const to = ev.to;
        if (!REFUSALS.has(ev.reply.code)) return;
        const evidence: Evidence[] = [commandEvidence(to), replyEvidence(ev.reply)];
        if (advertised) evidence.push(advertised);
        ctx.report({
          data: {
            code: ev.reply.code,
            enhanced: ev.reply.enhanced,
            text: replyText(ev.reply),
            advertised: advertised !== null,
            context: advertised
              ? 'the server had advertised XEXCH50, so a middlebox probably answered in its place'
              : 'the server had not advertised XEXCH50',
          },
          evidence,
        });
      },
    };
  },
});
