import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyText } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';

/**
 * RFC 5321 §4.2 (R-REPLY-1): every command gets exactly one reply, in order (RFC 2920
 * §3.2 (1)); smtp/ pairs them FIFO with pseudo-commands for the greeting and the end of
 * data, so a reply with nothing pending is a fact (`to: null`). §4.3.2 lists the codes
 * each command may get (`permitted`).
 *
 * Judgement:
 * - an unpaired reply fires, except an unsolicited 421 (§3.8: the server may announce
 *   it is closing at any time) and a reply while message content is still flowing (the
 *   server answered the body early: message-too-large / session rules own that);
 * - a paired reply fires when its code is not permitted AND is positive or
 *   intermediate (2yz/3yz such as 354 to RCPT, 235 to MAIL, 250 to DATA). An unlisted
 *   4yz/5yz does not: clients act on the first digit (§4.2.1) and servers add error
 *   codes in practice (R-SEQ note), so it is not a protocol fault;
 * - never the greeting (greeting-refused judges it), never after TLS started (opaque).
 *
 * Pairing is trusted only from a known start: in a mid-stream capture or after a gap,
 * replies to commands we never saw shift the queue, so no claim until a reply to a
 * reset point (EHLO, HELO, RSET, NOOP, QUIT, end of data) pairs with a 2yz it permits.
 * Because tcp/ may report a gap of one direction after replies of the other direction
 * that it explains (capture-gap.pcap: the body is cut, its 250 arrives unpaired, the
 * gap is delivered later), a finding waits for the next client command to confirm it,
 * and a gap before that voids it. An unpaired 4yz/5yz that no client command follows is
 * the server's parting word before it closes (e.g. "451 4.7.0 Timeout waiting for
 * client input"), like the 421 of §3.8: not claimed. Once per session (one misalignment makes many): the
 * first case as evidence, the count in data.
 */
const RESET_REPLIES = new Set(['EHLO', 'HELO', 'RSET', 'NOOP', 'QUIT', '<end-of-data>']);
/**
 * Line-level damage after which client and server may count lines differently (a
 * server may end a line at a bare LF, split an over-long line, or we skip a reply
 * line that does not parse): pairing is not trusted until the next reset point.
 */
const DESYNC: ReadonlySet<string> = new Set(['bare-lf', 'bare-cr', 'line-too-long', 'malformed-reply', 'reply-code-mismatch', 'reply-too-many-lines', 'pending-limit', 'held-bytes-limit', 'unparsed-command']);
const CONTENT_STATES = new Set(['data', 'bdat', 'xexch50']);

interface Case {
  reply: Reply;
  to: Command | null;
}

export default defineRule({
  meta: {
    id: 'unexpected-reply',
    severity: 'error',
    category: 'command-order',
    title: 'Reply without a command, or with a code the command cannot get',
    summary: 'The server sent {{code}} {{enhanced}} {{text}} {{what}} ({{count}} such reply(s) in the session)',
    advice:
      'Each command gets exactly one reply, in order. An extra reply or a positive code that does not fit the command usually means a program between client and server (firewall SMTP inspection, antivirus or anti-spam proxy) answers on the server\'s behalf, or a server bug; the client then pairs every later reply with the wrong command. Capture on both sides of the middlebox and compare.',
    references: ['RFC 5321 §4.2', 'RFC 5321 §4.3.2', 'RFC 2920 §3.2'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let trusted = false;
    let opaque = false;
    /** Cases seen since the last client command, not yet confirmed. */
    let waiting: Case[] = [];
    let first: Case | null = null;
    let count = 0;

    function confirm(): void {
      for (const c of waiting) {
        count++;
        first ??= c;
      }
      waiting = [];
    }

    return {
      'session-start'(ev) {
        trusted = !ev.midstream;
      },
      gap() {
        trusted = false;
        waiting = [];
      },
      anomaly(ev) {
        if (!DESYNC.has(ev.kind)) return;
        trusted = false;
        waiting = [];
      },
      tls(ev) {
        if (ev.phase === 'start') opaque = true;
      },
      command() {
        if (!opaque) confirm();
      },
      reply(ev) {
        if (opaque) return;
        const { reply, to } = ev;
        const code = reply.code;
        if (!trusted) {
          if (to && RESET_REPLIES.has(to.verb) && ev.permitted && code >= 200 && code < 300) trusted = true;
          return;
        }
        if (to === null) {
          if (code === 421 || CONTENT_STATES.has(ev.stateBefore)) return;
          waiting.push({ reply, to });
          return;
        }
        if (to.verb === '<connect>' || ev.permitted) return;
        if (code >= 100 && code < 400) waiting.push({ reply, to });
      },
      'session-end'() {
        waiting = waiting.filter((c) => c.to !== null || c.reply.code < 400);
        confirm();
        if (!first) return;
        const { reply, to } = first;
        const evidence: Evidence[] = [];
        if (to) evidence.push(commandEvidence(to));
        evidence.push(replyEvidence(reply));
        ctx.report({
          data: {
            code: reply.code,
            enhanced: reply.enhanced,
            text: replyText(reply),
            command: to ? to.verb : null,
            what: to ? `in reply to ${to.verb}, which cannot get that code` : 'with no command waiting for a reply',
            count,
          },
          evidence,
        });
      },
    };
  },
});
