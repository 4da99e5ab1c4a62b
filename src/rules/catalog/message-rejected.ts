import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command } from '../../smtp/index.js';

/**
 * RFC 5321 §4.1.1.4: after `<CRLF>.<CRLF>` the server's reply is its verdict on the whole
 * message; a 5yz is permanent, the sender gets an NDR. RFC 3030 §3: with CHUNKING the reply
 * to `BDAT ... LAST` is that verdict, unless the BDAT command itself was malformed: a syntax
 * error (500-504, e.g. "501 5.5.4 Syntax: BDAT count [LAST]") refuses the command, not the
 * message (zeek bdat-cmd-invalid, suricata-verify smtp-bdat-bad-tail-*).
 * The catch-all for refused messages: message-too-large supersedes it when size is the reason.
 */
function isVerdict(cmd: Command, code: number): boolean {
  if (cmd.verb === '<end-of-data>') return true;
  return cmd.verb === 'BDAT' && cmd.argError === null && /\sLAST\s*$/i.test(cmd.arg) && (code < 500 || code > 504);
}

export default defineRule({
  meta: {
    id: 'message-rejected',
    severity: 'error',
    category: 'envelope',
    title: 'Message refused after its data',
    summary: 'The server refused the message from {{from}} after {{bytes}} bytes of data: {{code}} {{enhanced}} {{text}}',
    advice:
      'The server received the whole message and refused it, usually because of its content: a virus or spam filter, a transport or content-filter rule, DMARC/DKIM policy or a malformed message. Look up the text and enhanced code in the server\'s logs (Exchange message tracking, the Postfix mail log, the filter\'s quarantine) to see which check refused it.',
    references: ['RFC 5321 §4.1.1.4', 'RFC 5321 §4.2.2', 'RFC 3030 §3'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let mail: Command | null = null;
    let bytes = 0;
    return {
      'command[verb=MAIL]'(ev) {
        mail = ev.cmd;
        bytes = 0;
      },
      'data-end'(ev) {
        bytes = ev.bytes;
      },
      'bdat-chunk'(ev) {
        bytes += ev.received;
      },
      reply(ev) {
        const to = ev.to;
        if (!to || ev.reply.code < 500 || ev.reply.code > 599 || !isVerdict(to, ev.reply.code)) return;
        // The '.' (or BDAT LAST) and the verdict only: MAIL FROM is often in the same pipelined
        // frame as RCPT and DATA, and other rules' evidence on those must not swallow this one.
        const evidence: Evidence[] = [commandEvidence(to), replyEvidence(ev.reply)];
        ctx.report({
          data: {
            code: ev.reply.code,
            enhanced: ev.reply.enhanced,
            text: replyText(ev.reply),
            from: mail?.path ? `<${mail.path.address}>` : 'an unknown sender',
            bytes,
            via: to.verb === 'BDAT' ? 'BDAT' : 'DATA',
          },
          evidence,
        });
      },
    };
  },
});
