import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';

/**
 * 4yz replies that another rule of spec/rules.md explains, so this catch-all stays silent
 * (one problem, one finding). Replies to the same verbs that those rules do not claim
 * (e.g. 432 to AUTH) are still ours. Rules that explain a 4xx by its context (size,
 * XEXCH50 timeout, too many errors, relay) declare `supersedes: ['temporary-failure']` instead.
 */
const OWNED_ELSEWHERE: readonly { rule: string; claims: (cmd: Command | null, r: Reply) => boolean }[] = [
  { rule: 'greeting-refused', claims: (cmd) => cmd?.verb === '<connect>' },
  { rule: 'tls-refused', claims: (cmd) => cmd?.verb === 'STARTTLS' || cmd?.verb === 'X-ANONYMOUSTLS' },
  { rule: 'auth-failed', claims: (cmd, r) => (cmd?.verb === 'AUTH' || cmd?.verb === '<auth-response>') && r.code === 454 },
  { rule: 'too-many-recipients', claims: (_, r) => r.enhanced === '4.5.3' || /too many recipients/i.test(r.text) },
];

/** What kind of temporary failure, from the enhanced code (RFC 3463) and the usual texts. */
function kindOf(r: Reply): string {
  const e = r.enhanced ?? '';
  if (/grey|gray/i.test(r.text) || (e === '4.7.1' && (r.code === 450 || r.code === 451))) return 'greylisting';
  if (e === '4.3.1' || /insufficient (system )?(resources|storage)/i.test(r.text)) return 'insufficient system resources (back pressure)';
  if (r.code === 421) return 'service not available, closing the connection';
  if (e === '4.3.0' || /local error/i.test(r.text)) return 'local error in processing';
  if (e.startsWith('4.4.')) return 'network or routing problem on the server side';
  if (e === '4.2.2' || /mailbox (is )?full|quota/i.test(r.text)) return 'mailbox full';
  if (e.startsWith('4.7.')) return 'policy (try again later)';
  return 'temporary failure';
}

/**
 * RFC 5321 §4.2.1: 4yz is a "Transient Negative Completion reply": the command failed but
 * the condition is temporary and the client should try again later. Aggregated per session
 * by (code, enhanced code, command): greylisting answers every RCPT the same way.
 */
export default defineRule({
  meta: {
    id: 'temporary-failure',
    severity: 'warning',
    category: 'envelope',
    title: 'Temporary failure (4xx)',
    summary: 'The server answered {{code}} {{enhanced}} {{text}} to {{command}} ({{kind}}), {{count}} time(s); the sender should retry later',
    advice:
      'A 4xx reply asks the sender to retry later: greylisting (450/451 4.7.1) lets the second attempt through after some minutes, 452 4.3.1 is a server low on disk or memory (Exchange back pressure: check the queue database disk and Get-ExchangeDiagnosticInfo -Process EdgeTransport), 451 4.3.0 a local error (Postfix: see the mail log for the cause). If the sender never retries or the failure persists, check the sending queue and the server\'s logs.',
    references: ['RFC 5321 §4.2.1', 'RFC 5321 §4.2.2', 'RFC 3463'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    const groups = new Map<string, { first: Reply; cmd: Command | null; count: number; evidence: Evidence[] }>();
    return {
      reply(ev) {
        const r = ev.reply;
        if (r.code < 400 || r.code > 499) return;
        const to = ev.to;
        if (OWNED_ELSEWHERE.some((o) => o.claims(to, r))) return;
        const key = `${r.code} ${r.enhanced ?? ''} ${to?.verb ?? ''}`;
        let g = groups.get(key);
        if (!g) {
          g = { first: r, cmd: to, count: 0, evidence: [] };
          groups.set(key, g);
        }
        g.count++;
        // A few occurrences are enough to show; the count says how many there were.
        if (g.evidence.length < 10) {
          if (to) g.evidence.push(commandEvidence(to));
          g.evidence.push(replyEvidence(r));
        }
      },
      'session-end'() {
        for (const g of groups.values()) {
          ctx.report({
            data: {
              code: g.first.code,
              enhanced: g.first.enhanced,
              text: replyText(g.first),
              command: g.cmd ? g.cmd.verb : 'no pending command',
              kind: kindOf(g.first),
              count: g.count,
            },
            evidence: g.evidence,
          });
        }
        groups.clear();
      },
    };
  },
});
