import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyLine } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';

/**
 * Protocol errors in the sense of RFC 5321 §4.2.1 "x0z Syntax" / "x5z" and RFC 3463 X.5.x:
 * unrecognized command (500), syntax (501), not implemented (502), bad sequence (503),
 * parameter not implemented (504). A 421 that follows one of these is the server giving up.
 */
function isProtocolError(r: Reply): boolean {
  return (r.code >= 500 && r.code <= 504) || (r.code >= 500 && (r.enhanced ?? '').startsWith('5.5.'));
}

const TOO_MANY_TEXT = /too many (errors|bad commands|protocol errors|invalid commands|unrecognized commands)/i;

/**
 * Exchange's MaxProtocolErrors (default 5) closes a connection with "421 4.7.0 Too many errors
 * on this connection, closing transmission channel"; Postfix's smtpd_hard_error_limit does the
 * same ("421 4.7.0 ... Error: too many errors"). Fires when the server ends the session with 421
 * after protocol errors, or when more than max-protocol-errors commands got a 5xx. Once per session.
 */
export default defineRule({
  meta: {
    id: 'too-many-errors',
    severity: 'warning',
    category: 'envelope',
    title: 'Too many failed commands in one session',
    summary: '{{errors}} command(s) failed with 5xx in this session (limit {{limit}}){{closing}}',
    advice:
      'The client keeps sending commands the server refuses: a misconfigured device or script, a client that ignores errors, or a scanner. Servers count such errors and drop the connection (Exchange MaxProtocolErrors on the receive connector, Postfix smtpd_hard_error_limit); read the first refused command in the transcript and fix the client, or raise the limit only if the client is trusted.',
    references: ['RFC 5321 §4.2.1', 'RFC 5321 §4.2.2', 'RFC 5321 §3.8'],
    // The 421 is a 4xx, and the server closing the connection on it is this rule's story,
    // not an aborted session or a missing QUIT.
    supersedes: ['temporary-failure', 'session-aborted', 'no-quit'],
    scope: 'session',
    thresholds: { 'max-protocol-errors': 5 },
  },
  create(ctx) {
    const max = ctx.thresholds['max-protocol-errors'];
    const failed: { cmd: Command | null; reply: Reply }[] = [];
    let errors = 0;
    let protocolErrors = 0;
    let closing: Reply | null = null;
    return {
      reply(ev) {
        const r = ev.reply;
        // A refused greeting is greeting-refused's; it is not a command the client got wrong.
        if (ev.to?.verb === '<connect>') return;
        if (r.code >= 500 && r.code <= 599) {
          errors++;
          if (isProtocolError(r)) protocolErrors++;
          if (failed.length < 10) failed.push({ cmd: ev.to, reply: r });
        } else if (r.code === 421 && closing === null && (protocolErrors > 0 || TOO_MANY_TEXT.test(r.text))) {
          closing = r;
        }
      },
      'session-end'(ev) {
        if (closing === null && errors <= max) return;
        const evidence: Evidence[] = [];
        for (const f of failed) {
          if (f.cmd) evidence.push(commandEvidence(f.cmd));
          evidence.push(replyEvidence(f.reply));
        }
        if (closing) {
          evidence.push(replyEvidence(closing));
          evidence.push({ frame: ev.frame, time: ev.time, dir: null, line: `session ended (${ev.reason})` });
        }
        ctx.report({
          data: {
            errors,
            protocolErrors,
            limit: max,
            code: closing ? closing.code : null,
            enhanced: closing ? closing.enhanced : null,
            closing: closing ? `; the server then closed the session: ${replyLine(closing)}` : '',
          },
          evidence,
        });
      },
    };
  },
});
