import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import { TransactionAnchor, endsTransaction, isBdatLast, isHello, isPositive } from '../facts/transaction.js';

/**
 * RFC 5321 §3.3, §4.1.1.4: DATA (or BDAT, RFC 3030 §2) is valid only after MAIL and at
 * least one accepted RCPT (§4.1.1.4: "If there was no MAIL, or no RCPT, command, or all such
 * commands were rejected, the server MAY return a 'command out of sequence' (503) or
 * 'no valid recipients' (554) reply").
 *
 * PIPELINING (RFC 2920 §3.1, P-4): a client may send MAIL, RCPT and DATA in one group,
 * so the RCPT replies can arrive after DATA was sent. Such a DATA is not judged: the
 * client could not know, and the refusals have their own rules. A DATA sent after the
 * replies said no recipient was accepted is judged when its reply arrives. It looks at what the CLIENT sent
 * since its last reset point and makes no claim before one (mid-stream start, gap).
 * A refusal of BDAT LAST for want of recipients is this rule's, not message-rejected's
 * (the content was never judged).
 *
 * Reset points (facts/transaction.ts) that anchor it: RSET, the end of a message, an
 * accepted HELO/EHLO. BDAT LAST ends the transaction but, unlike in nested-mail, does
 * not anchor the rule (it is only seen when well-formed, as a judged BDAT).
 */
/** Replies saying the server did not understand DATA/BDAT itself: a different problem than order. */
const NOT_UNDERSTOOD = new Set([500, 501, 502, 504]);

interface Txn {
  mail: Command;
  /** Reply code to MAIL, or null while unanswered. */
  mailCode: number | null;
  rcpts: number;
  answered: number;
  accepted: number;
  /** A BDAT of this transaction was already judged (only the first chunk is). */
  bdatJudged: boolean;
}

interface Sent {
  txn: Txn | null;
  /** RCPT replies still outstanding when DATA/BDAT was sent (pipelined group). */
  unansweredAtSend: number;
  /** Gap count when sent: a gap before the reply voids the judgement. */
  epoch: number;
}

export default defineRule({
  meta: {
    id: 'data-without-rcpt',
    severity: 'error',
    category: 'command-order',
    title: 'DATA or BDAT without an accepted recipient',
    summary: '{{command}} sent with no accepted recipient ({{detail}}); reply {{code}} {{enhanced}} {{text}}',
    advice:
      'The client started the message although it already knew that no RCPT TO of the transaction was accepted (or sent none). Clients must stop after refused recipients (RFC 5321 §3.3); if the client believes it sent MAIL FROM and RCPT TO, a program between client and server (antivirus SMTP proxy, firewall SMTP inspection) may strip them: capture on both sides and compare.',
    references: ['RFC 5321 §3.3', 'RFC 5321 §4.1.1.4', 'RFC 5321 §4.1.4', 'RFC 2920 §3.1', 'RFC 3030 §2'],
    supersedes: ['bad-sequence', 'message-rejected'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    // Not anchored until a reset point is seen (mid-stream start, after a gap): no claim before it.
    const anchor = new TransactionAnchor();
    let txn: Txn | null = null;
    const rcptTxn = new Map<Command, Txn>();
    const mailTxn = new Map<Command, Txn>();
    const pending = new Map<Command, Sent>();

    function detail(s: Sent, verb: string): string {
      const t = s.txn;
      if (!t) return 'no MAIL FROM was sent';
      const late = s.unansweredAtSend > 0 ? `, answered after ${verb} was sent in the same pipelined group` : '';
      if (t.mailCode !== null && t.mailCode >= 400) return `MAIL FROM was refused with ${t.mailCode}${late}`;
      if (t.rcpts === 0) return 'no RCPT TO was sent';
      return `${t.rcpts === 1 ? 'the only RCPT TO was' : `all ${t.rcpts} RCPT TO were`} refused${late}`;
    }

    return {
      'session-start'(ev) {
        anchor.sessionStart(ev);
      },
      gap() {
        anchor.gap();
        txn = null;
      },
      tls(ev) {
        anchor.tls(ev);
      },
      command(ev) {
        if (anchor.opaque) return;
        const cmd = ev.cmd;
        const { verb } = cmd;
        if (verb === 'MAIL') {
          txn = { mail: cmd, mailCode: null, rcpts: 0, answered: 0, accepted: 0, bdatJudged: false };
          mailTxn.set(cmd, txn);
        } else if (endsTransaction(cmd)) {
          txn = null;
          anchor.reset();
        } else if (verb === 'RCPT') {
          if (txn) {
            txn.rcpts++;
            rcptTxn.set(cmd, txn);
          }
        } else if (verb === 'DATA' || (verb === 'BDAT' && cmd.argError === null)) {
          const laterChunk = verb === 'BDAT' && (txn?.bdatJudged ?? false);
          if (anchor.anchored && !laterChunk) {
            if (txn && verb === 'BDAT') txn.bdatJudged = true;
            // Sent before the MAIL or an RCPT of its group was answered (RFC 2920 §3.1): the
            // client could not know the envelope would fail.
            const unanswered = txn ? txn.rcpts - txn.answered + (txn.mailCode === null ? 1 : 0) : 0;
            pending.set(cmd, { txn, unansweredAtSend: unanswered, epoch: anchor.epoch });
          }
          // RFC 3030 §2: BDAT LAST ends the message, whatever its reply.
          if (isBdatLast(cmd)) txn = null;
        }
      },
      reply(ev) {
        const to = ev.to;
        if (!to || anchor.opaque) return;
        const code = ev.reply.code;
        if (isHello(to)) {
          // A MAIL sent after this EHLO (before its reply) belongs to the new session state.
          if (isPositive(ev.reply)) {
            if (txn && txn.mail.seq < to.seq) txn = null;
            anchor.reset();
          }
          return;
        }
        const m = mailTxn.get(to);
        if (m) {
          m.mailCode = code;
          mailTxn.delete(to);
          return;
        }
        const t = rcptTxn.get(to);
        if (t) {
          t.answered++;
          if (code >= 200 && code < 300) t.accepted++;
          rcptTxn.delete(to);
          return;
        }
        const s = pending.get(to);
        if (!s) return;
        pending.delete(to);
        // A gap between DATA and its reply may have hidden RCPT replies: no claim.
        if (s.epoch !== anchor.epoch) return;
        if ((s.txn && s.txn.accepted > 0) || NOT_UNDERSTOOD.has(code)) return;
        // RFC 2920 §3.1 and its P-4: a pipelining client sends DATA before it knows the RCPT
        // (or MAIL) replies, and a 503/554 to that DATA is the normal outcome when they all
        // failed. The refusals are the problem, and their rules report them (unknown-recipient,
        // relay-denied, sender-rejected): one problem, one finding.
        if (s.unansweredAtSend > 0) return;
        ctx.report({
          data: {
            command: to.verb,
            detail: detail(s, to.verb),
            code,
            enhanced: ev.reply.enhanced,
            text: replyText(ev.reply),
            rcpts: s.txn?.rcpts ?? 0,
            pipelined: s.unansweredAtSend > 0,
          },
          evidence: [commandEvidence(to), replyEvidence(ev.reply)],
        });
      },
      'session-end'() {
        // No reply to DATA: certain only when nothing was there to accept (no MAIL or no RCPT sent).
        for (const [cmd, s] of pending) {
          if (s.epoch !== anchor.epoch || (s.txn && s.txn.rcpts > 0)) continue;
          ctx.report({
            data: { command: cmd.verb, detail: detail(s, cmd.verb), code: 'none', enhanced: null, text: '(no reply before the session ended)', rcpts: 0, pipelined: false },
            evidence: [commandEvidence(cmd)],
          });
        }
        pending.clear();
      },
    };
  },
});
