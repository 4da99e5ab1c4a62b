import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyLine } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';

const MIN = 60_000;

/**
 * RFC 5321 §4.5.3.2: the client's minimum timeouts, i.e. how long a client is required to wait
 * before giving up. A reply later than these may already have found the client gone.
 * BDAT ... LAST is the verdict on the message like the '.' of DATA (RFC 3030 §3), so it gets
 * the DATA termination timeout (our reading; RFC 3030 names none).
 */
const RFC_TIMEOUT_MS: Readonly<Record<string, number>> = {
  '<connect>': 5 * MIN, // §4.5.3.2.1 Initial 220 Message: 5 Minutes
  MAIL: 5 * MIN, // §4.5.3.2.2 MAIL Command: 5 Minutes
  RCPT: 5 * MIN, // §4.5.3.2.3 RCPT Command: 5 Minutes
  DATA: 2 * MIN, // §4.5.3.2.4 DATA Initiation: 2 Minutes
  '<end-of-data>': 10 * MIN, // §4.5.3.2.6 DATA Termination: 10 Minutes
};

function rfcTimeout(cmd: Command): number | null {
  if (cmd.verb === 'BDAT') return /\sLAST\s*$/i.test(cmd.arg) ? 10 * MIN : null;
  return RFC_TIMEOUT_MS[cmd.verb] ?? null;
}

/**
 * A reply later than slow-reply-ms (default 30 s), or later than the RFC 5321 §4.5.3.2
 * timeout for its command. Slow DNS (reverse lookups, RBLs), overloaded content filters or an
 * overloaded server are the usual causes. Once per session, naming the slowest reply; the
 * evidence shows up to five slow exchanges.
 */
export default defineRule({
  meta: {
    id: 'slow-reply',
    severity: 'warning',
    category: 'envelope',
    title: 'Slow server reply',
    summary: '{{count}} reply(ies) took longer than {{limitMs}} ms; the slowest, {{code}} to {{command}}, took {{latencyMs}} ms{{rfc}}',
    advice:
      'The server took long to answer: usually slow DNS (reverse lookups, blocklist queries), an overloaded content or antivirus filter, or an overloaded server; a sending client may time out and retry. Check the server\'s DNS resolvers and filter latency (Exchange: protocol logs with timings and back pressure; Postfix: smtpd_delay_reject and the policy services).',
    references: ['RFC 5321 §4.5.3.2'],
    scope: 'session',
    thresholds: { 'slow-reply-ms': 30_000 },
  },
  create(ctx) {
    const limit = ctx.thresholds['slow-reply-ms'];
    const slow: { cmd: Command; reply: Reply; ms: number; rfc: number | null }[] = [];
    return {
      reply(ev) {
        const to = ev.to;
        if (!to || ev.latencyMs === null) return;
        const rfc = rfcTimeout(to);
        if (ev.latencyMs > limit || (rfc !== null && ev.latencyMs > rfc)) slow.push({ cmd: to, reply: ev.reply, ms: ev.latencyMs, rfc });
      },
      'session-end'() {
        if (slow.length === 0) return;
        let worst = slow[0]!;
        for (const s of slow) if (s.ms > worst.ms) worst = s;
        const shown = slow.slice(0, 5);
        if (!shown.includes(worst)) shown.push(worst);
        const evidence: Evidence[] = [];
        for (const s of shown) evidence.push(commandEvidence(s.cmd), replyEvidence(s.reply));
        const overRfc = worst.rfc !== null && worst.ms > worst.rfc;
        ctx.report({
          data: {
            count: slow.length,
            limitMs: Math.min(limit, ...slow.map((s) => s.rfc ?? Infinity)),
            latencyMs: Math.round(worst.ms),
            command: worst.cmd.verb,
            code: worst.reply.code,
            reply: replyLine(worst.reply),
            rfcTimeoutMs: worst.rfc,
            rfc: overRfc ? `, over the ${worst.rfc! / MIN}-minute timeout of RFC 5321 §4.5.3.2 after which the client may give up` : '',
          },
          evidence,
        });
      },
    };
  },
});
