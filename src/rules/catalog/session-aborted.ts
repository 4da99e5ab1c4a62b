import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Command, Reply } from '../../smtp/index.js';
import type { Evidence } from '../types.js';

/**
 * RFC 5321 §4.1.1.10 / §3.8: neither side should close before QUIT; "a premature
 * close cancels the pending transaction" (the message is not delivered, and the
 * sender will retry or bounce). This rule reports a close (FIN or RST) that cuts:
 *  - the message content (DATA body, BDAT chunks, XEXCH50 BLOB),
 *  - an open mail transaction (MAIL accepted, no verdict yet),
 *  - a command still waiting for its reply.
 * It makes no claim when the dialogue is opaque (TLS, rules.md "TLS": a session that
 * ends inside TLS is not aborted), after QUIT or after the server announced the
 * close (221, 421: other rules explain a 421; 521 followed by the server's own close,
 * RFC 7504 §3, which Postfix sends before it hangs up, e.g. after a BDAT it cannot
 * delimit), when the server answered in the middle of the content (it took an end-of-data
 * look-alike as the end: smtp-smuggling's finding, the message was judged), when the end of the capture (not a
 * FIN/RST) ends the session, or when a gap left the state unknown (never guessed).
 * A connection that never got a greeting is no-greeting's / connection-refused's.
 */
const CONTENT_STATES = new Set(['data', 'bdat', 'xexch50']);

export default defineRule({
  meta: {
    id: 'session-aborted',
    severity: 'error',
    category: 'transport',
    title: 'Connection closed in the middle of a mail transaction',
    summary: 'The {{by}} closed the connection with {{how}} {{during}}; {{consequence}}',
    advice:
      'A connection cut in the middle of a message is usually a firewall, IPS or SMTP proxy that resets sessions (content inspection, idle or size limits), a client that timed out (Exchange send connector ConnectionInactivityTimeout, Postfix smtp_data_xfer_timeout), or a crashed process. Look at which side sent the FIN/RST and how long the last reply took; compare a capture taken on the other side of the firewall.',
    references: ['RFC 5321 §4.1.1.10', 'RFC 5321 §3.8', 'RFC 5321 §4.5.3.2'],
    supersedes: ['no-quit'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let contentCmd: Command | null = null;
    let contentReply: Reply | null = null;
    let contentBytes: number | null = null;
    let mail: Command | null = null;
    let abortedTxn = false;
    let serverClosing = false;
    let sent521 = false;
    /** The server replied while the client was still sending content (to a look-alike end). */
    let answeredInContent = false;
    return {
      reply(ev) {
        const { code } = ev.reply;
        if (code === 221 || code === 421) serverClosing = true;
        if (code === 521) sent521 = true;
        if (ev.to === null && CONTENT_STATES.has(ev.stateAfter)) answeredInContent = true;
        const verb = ev.to?.verb;
        if ((verb === 'DATA' || verb === 'XEXCH50') && code === 354) {
          contentCmd = ev.to;
          contentReply = ev.reply;
          contentBytes = null;
          answeredInContent = false;
        }
        if (verb === 'MAIL' && code >= 200 && code < 300) mail = ev.to;
      },
      'command[verb=BDAT]'(ev) {
        contentCmd = ev.cmd;
        contentReply = null;
      },
      'data-end'(ev) {
        contentBytes = ev.body.rawBytes;
      },
      'bdat-chunk'(ev) {
        contentBytes = ev.received;
      },
      'transaction-end'(ev) {
        if (ev.outcome === 'aborted') abortedTxn = true;
      },
      'session-end'(ev, session) {
        if (ev.reason !== 'fin' && ev.reason !== 'rst') return;
        if (ev.closedBy === 'tls' || ev.closedBy === 'quit' || serverClosing) return;
        if (ev.state === 'unknown' || ev.state === 'tls' || ev.state === 'init' || ev.state === 'quit') return;
        const owed = ev.pending.filter((c) => c.verb !== '<connect>');
        // The state stays 'data' until the verdict arrives (server view); once the client
        // sent <CRLF>.<CRLF> the content is complete and what is missing is the reply.
        const contentDone = owed.some((c) => c.verb === '<end-of-data>' || c.verb === '<end-of-blob>');
        const inContent = CONTENT_STATES.has(ev.state) && !contentDone;
        if (inContent && answeredInContent) return;
        if (!inContent && !abortedTxn && owed.length === 0) return;

        // Who closed: the first RST, else the first FIN (TCP facts of the flow).
        const flow = ctx.flowOf(session);
        const rst = pickFirst(flow?.c2s.rstFrame, flow?.s2c.rstFrame);
        const fin = pickFirst(flow?.c2s.finFrame, flow?.s2c.finFrame);
        const how = ev.reason === 'rst' ? 'a reset (RST)' : 'FIN';
        const closer = ev.reason === 'rst' ? rst : fin;
        const by = closer ? (closer.dir === 'c2s' ? 'client' : 'server') : 'peer';
        const closeFrame = closer?.frame ?? ev.frame;
        if (sent521 && closer?.dir === 's2c') return;

        let during: string;
        let phase: string;
        const evidence: Evidence[] = [];
        if (inContent) {
          phase = ev.state === 'data' ? 'DATA' : ev.state === 'bdat' ? 'BDAT' : 'XEXCH50';
          during = `in the middle of the ${phase === 'XEXCH50' ? 'XEXCH50 BLOB' : `${phase} message content`}${contentBytes !== null ? ` after ${contentBytes} octets` : ''}`;
          if (contentCmd) evidence.push(commandEvidence(contentCmd));
          if (contentReply) evidence.push(replyEvidence(contentReply));
        } else if (owed.length > 0) {
          phase = 'reply';
          during = `while the server still owed a reply to ${owed.map((c) => c.verb).join(', ')}`;
          for (const c of owed.slice(0, 5)) evidence.push(commandEvidence(c));
        } else {
          phase = 'transaction';
          during = `with a mail transaction open${mail ? ` (${mail.arg})` : ''}`;
          if (mail) evidence.push(commandEvidence(mail));
        }
        evidence.push({ frame: closeFrame, time: ev.time, dir: closer?.dir ?? null, line: `${ev.reason === 'rst' ? 'RST' : 'FIN'} from the ${by}` });
        ctx.report({
          data: {
            by,
            how,
            during,
            consequence: phase === 'reply' && !abortedTxn ? 'the command was never answered' : 'the message was not delivered in this session',
            phase,
            state: ev.state,
            octets: inContent ? contentBytes : null,
            pending: owed.map((c) => c.verb).join(',') || null,
          },
          evidence,
        });
      },
    };
  },
});

function pickFirst(c2s: number | null | undefined, s2c: number | null | undefined): { dir: 'c2s' | 's2c'; frame: number } | null {
  if (c2s != null && (s2c == null || c2s <= s2c)) return { dir: 'c2s', frame: c2s };
  if (s2c != null) return { dir: 's2c', frame: s2c };
  return null;
}
