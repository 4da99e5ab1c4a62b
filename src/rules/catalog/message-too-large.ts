import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyLine, replyText } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';

/** RFC 3463: X.3.4 "message too big for system", X.2.3 "message length exceeds administrative limit". */
const SIZE_ENHANCED = /^[45]\.(3\.4|2\.3)$/;
/**
 * RFC 5321 §4.2.2 552 is "exceeded storage allocation": a size refusal unless the enhanced
 * code or the text says it is about something else (5.2.2 mailbox full, 5.5.3 too many
 * recipients: RFC 5321 §4.5.3.1.10 notes old servers answer that with 552).
 */
const NOT_SIZE_TEXT = /too many recipients|mailbox (is )?full|over ?quota|quota exceeded/i;

function isSizeRefusal(reply: Reply): boolean {
  if (reply.enhanced) return SIZE_ENHANCED.test(reply.enhanced);
  return reply.code === 552 && !NOT_SIZE_TEXT.test(reply.text);
}

/** Replies that end a message: the verdict on the data (RFC 5321 §4.1.1.4, RFC 3030 §3). */
function isVerdict(cmd: Command): boolean {
  return cmd.verb === '<end-of-data>' || (cmd.verb === 'BDAT' && /\sLAST\s*$/i.test(cmd.arg));
}

/**
 * RFC 1870 (SIZE): the server advertises its fixed maximum with `SIZE <n>` (§4); a client
 * that declares `SIZE=` above it is refused with 552 (§6.1), and the server may refuse a
 * message that turns out larger with 552 (§6.3). Exchange: MaxMessageSize of the receive
 * connector (552 5.3.4); Postfix: message_size_limit (552 5.3.4). One finding per transaction.
 */
export default defineRule({
  meta: {
    id: 'message-too-large',
    severity: 'error',
    category: 'envelope',
    title: 'Message larger than the server accepts',
    summary: 'The message is too large for the server: {{reason}}',
    advice:
      'The message is bigger than the receiving server\'s size limit; attachments grow about a third through base64 encoding. Compare the limit the server advertises (SIZE in the EHLO reply) with the message: on Exchange raise MaxMessageSize on the receive connector and the transport config (Set-ReceiveConnector, Set-TransportConfig), on Postfix message_size_limit, or have the sender share large files another way.',
    references: ['RFC 1870 §4', 'RFC 1870 §6', 'RFC 5321 §4.2.2', 'RFC 3463 X.3.4'],
    // 552 to MAIL is a refused sender and a 5xx to the end of data a rejected message, but the
    // reason is the size: one finding. X.3.4 with a 4xx is a temporary failure for the same reason.
    supersedes: ['sender-rejected', 'message-rejected', 'temporary-failure'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let limit: number | null = null;
    let sizeLine: Evidence | null = null;
    /** The current transaction as the client sent it. */
    let txn: { declared: number | null; bytes: number | null; reported: boolean } = { declared: null, bytes: null, reported: false };

    function report(reason: string, cmd: Command, reply: Reply): void {
      txn.reported = true;
      const evidence: Evidence[] = [commandEvidence(cmd), replyEvidence(reply)];
      const overLimit = limit !== null && ((txn.declared ?? 0) > limit || (txn.bytes ?? 0) > limit);
      if (sizeLine && overLimit) evidence.push(sizeLine);
      ctx.report({
        data: {
          reason,
          code: reply.code,
          enhanced: reply.enhanced,
          text: replyText(reply),
          command: cmd.verb,
          limit,
          declared: txn.declared,
          bytes: txn.bytes,
        },
        evidence,
      });
    }

    return {
      extensions(ev) {
        limit = ev.ehlo.size;
      },
      'command[verb=MAIL]'(ev) {
        txn = { declared: ev.cmd.path?.size ?? null, bytes: null, reported: false };
      },
      'data-end'(ev) {
        txn.bytes = ev.bytes;
      },
      'bdat-chunk'(ev) {
        txn.bytes = (txn.bytes ?? 0) + ev.received;
      },
      reply(ev) {
        const to = ev.to;
        const reply = ev.reply;
        if (to && (to.verb === 'EHLO' || to.verb === 'HELO')) {
          const line = reply.lines.find((l) => /^250[- ]SIZE\b/i.test(l));
          sizeLine = line ? { frame: reply.frame, time: reply.time, dir: 's2c', line } : null;
          if (to.verb === 'HELO' || !line) limit = null;
          return;
        }
        if (!to || txn.reported) return;
        const refused = isSizeRefusal(reply);
        const answer = reply.code < 400 ? `the server accepted it anyway (${replyLine(reply)})` : `the server answered ${replyLine(reply)}`;
        if (to.verb === 'MAIL') {
          // RFC 1870 §6.1: SIZE= over the advertised maximum, whether the server noticed or not.
          const over = limit !== null && txn.declared !== null && txn.declared > limit;
          if (over) report(`MAIL FROM declared SIZE=${txn.declared}, above the advertised limit of ${limit} bytes; ${answer}`, to, reply);
          else if (refused) report(`the server refused MAIL FROM: ${replyLine(reply)}`, to, reply);
          return;
        }
        if (isVerdict(to)) {
          // RFC 1870 §6.3: the data itself exceeds the limit (the client declared less, or nothing).
          const over = limit !== null && txn.bytes !== null && txn.bytes > limit;
          if (over) report(`${txn.bytes} bytes of data sent, above the advertised limit of ${limit} bytes; ${answer}`, to, reply);
          else if (refused) report(`the server refused the message after ${txn.bytes ?? 'its'} bytes of data: ${replyLine(reply)}`, to, reply);
          return;
        }
        if (refused) report(`the server refused ${to.verb}: ${replyLine(reply)}`, to, reply);
      },
    };
  },
});
