import { defineRule } from '../define-rule.js';
import type { Evidence } from '../types.js';

/**
 * The capture began after the connection was opened: smtp/ saw no SYN (or no
 * greeting where one belongs) and marks the session mid-stream. It resynchronises at
 * the first complete command or reply line (DESIGN habit 3), so what happened before
 * (greeting, EHLO, MAIL ...) is unknown and rules that need it make no claim
 * (rcpt-without-mail, data-without-rcpt). This notice tells the reader why.
 */
export default defineRule({
  meta: {
    id: 'capture-midstream',
    severity: 'notice',
    category: 'transport',
    title: 'Capture started in the middle of the session',
    summary: 'The capture started after this session began ({{why}}); the dialogue is read from frame {{resync}} on and what came before is unknown',
    advice:
      'Start the capture before the connection is opened (a client that reuses connections, like Exchange\'s SMTP connection caching, may need its transport service restarted, or wait for a new connection). Findings about the start of this session (greeting, EHLO, transaction order) are not available.',
    references: ['RFC 9293 §3.5', 'RFC 5321 §3.1'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let start: { frame: number; time: Evidence['time'] } | null = null;
    let resync: { frame: number; time: Evidence['time']; line: string; dir: 'c2s' | 's2c' } | null = null;
    return {
      'session-start'(ev) {
        if (ev.midstream) start = { frame: ev.frame, time: ev.time };
      },
      // The first complete line after the resync: where reading starts.
      command(ev) {
        if (start && !resync && !ev.cmd.pseudo) resync = { frame: ev.cmd.frame, time: ev.cmd.time, dir: 'c2s', line: `first command read: ${ev.cmd.verb}` };
      },
      reply(ev) {
        if (start && !resync) resync = { frame: ev.reply.frame, time: ev.reply.time, dir: 's2c', line: `first reply read: ${ev.reply.code}` };
      },
      'session-end'(_ev, session) {
        if (!start) return;
        const flow = ctx.flowOf(session);
        // A flow with no payload at all (a stray ACK or FIN after the connection closed,
        // e.g. suricata-verify smtp-extract-url-schemes frame 33) holds no dialogue to
        // read: there is no session whose start was missed.
        if (!resync && flow && flow.c2s.bytes + flow.s2c.bytes + flow.c2s.gapBytes + flow.s2c.gapBytes === 0) return;
        const why = flow && !flow.sawSyn ? 'no SYN in the capture' : 'no greeting in the capture';
        const first = `first packet of the session: ${why}`;
        const evidence: Evidence[] = [];
        if (resync && resync.frame === start.frame) evidence.push({ ...resync, line: `${first}; ${resync.line}` });
        else {
          evidence.push({ frame: start.frame, time: start.time, dir: null, line: first });
          if (resync) evidence.push(resync);
        }
        ctx.report({
          data: { why, sawSyn: flow ? flow.sawSyn : null, first: start.frame, resync: resync ? resync.frame : start.frame },
          evidence,
        });
      },
    };
  },
});
