import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Command, Reply } from '../../smtp/index.js';
import type { Evidence } from '../types.js';

/**
 * RFC 5321 §4.5.3.1.8: "too many recipients" MUST be 452 (4.5.3, RFC 3463); a policy
 * limit may use 552/5yz with 5.5.3. The text is matched for servers without enhanced codes.
 */
function isTooMany(reply: Reply): boolean {
  if (reply.code !== 452 && reply.code < 500) return false;
  return reply.enhanced === '4.5.3' || reply.enhanced === '5.5.3' || /too many recipients/i.test(reply.text);
}

/** Client commands that end the transaction (§4.1.4, §4.1.1.5, RFC 3030 BDAT LAST). */
const ENDS = new Set(['RSET', 'EHLO', 'HELO', 'QUIT', '<end-of-data>']);

interface Txn {
  mail: Command | null;
  rcpts: number;
  /** The first RCPT beyond max-recipients. */
  over: Command | null;
  refusal: { cmd: Command; reply: Reply } | null;
}

/**
 * One finding per transaction: the server refused a RCPT as one too many, or the
 * client sent more RCPTs than `max-recipients` (Exchange's MaxRecipientsPerMessage,
 * 200 by default). Replies may come after the transaction's last command (PIPELINING:
 * MAIL, RCPT..., RSET in one group), so each RCPT remembers its transaction and the
 * verdicts are given at session end.
 */
export default defineRule({
  meta: {
    id: 'too-many-recipients',
    severity: 'warning',
    category: 'envelope',
    title: 'Too many recipients in one message',
    summary: 'Too many recipients: {{rcpts}} RCPT TO in one transaction; {{verdict}}',
    advice:
      'The message has more recipients than the server takes at once. A well-behaved client sends the remaining recipients in a new transaction after a 452; a client that treats it as fatal loses them. On Exchange compare MaxRecipientsPerMessage of the receive connector (Get-ReceiveConnector) and the transport config; on Postfix smtpd_recipient_limit; on the sending side split the list or use a distribution group.',
    references: ['RFC 5321 §4.5.3.1.8', 'RFC 5321 §4.5.3.1.10', 'RFC 3463 X.5.3'],
    supersedes: ['temporary-failure'],
    scope: 'session',
    thresholds: { 'max-recipients': 200 },
  },
  create(ctx) {
    const max = ctx.thresholds['max-recipients'];
    const txns: Txn[] = [];
    let cur: Txn | null = null;
    const txnOf = new Map<Command, Txn>();
    return {
      command(ev) {
        const c = ev.cmd;
        if (c.verb === 'MAIL') {
          cur = { mail: c, rcpts: 0, over: null, refusal: null };
          txns.push(cur);
        } else if (c.verb === 'RCPT') {
          if (!cur) txns.push((cur = { mail: null, rcpts: 0, over: null, refusal: null }));
          cur.rcpts++;
          if (cur.rcpts === max + 1) cur.over = c;
          txnOf.set(c, cur);
        } else if (ENDS.has(c.verb) || (c.verb === 'BDAT' && /\sLAST\s*$/i.test(c.arg))) {
          cur = null;
        }
      },
      'reply[to.verb=RCPT]'(ev) {
        const to = ev.to;
        const t = txnOf.get(to);
        txnOf.delete(to);
        if (t && !t.refusal && isTooMany(ev.reply)) t.refusal = { cmd: to, reply: ev.reply };
      },
      'session-end'() {
        for (const t of txns) {
          if (t.refusal) {
            const { cmd, reply } = t.refusal;
            ctx.report({
              data: { rcpts: t.rcpts, limit: max, code: reply.code, enhanced: reply.enhanced, text: replyText(reply), verdict: `the server answered ${reply.lines[0] ?? reply.code}` },
              evidence: [commandEvidence(cmd), replyEvidence(reply)],
            });
          } else if (t.over) {
            const evidence: Evidence[] = t.mail ? [commandEvidence(t.mail), commandEvidence(t.over)] : [commandEvidence(t.over)];
            ctx.report({
              data: { rcpts: t.rcpts, limit: max, code: null, enhanced: null, text: null, verdict: `more than the limit of ${max} (max-recipients)` },
              evidence,
            });
          }
        }
        txns.length = 0;
        txnOf.clear();
      },
    };
  },
});
