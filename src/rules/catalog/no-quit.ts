import { defineRule } from '../define-rule.js';
import { commandEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';

/**
 * RFC 5321 §4.1.1.10: "The sender MUST NOT intentionally close the transmission
 * channel until it sends a QUIT command", and §3.8 asks the same of the server.
 * Outside a transaction nothing is lost, so this is only a notice: some clients
 * (monitoring probes, load balancer health checks, Exchange's connection caching)
 * simply drop idle connections. Closes inside a transaction are session-aborted.
 * No claim without a greeting (no-greeting, connection-refused), after the server
 * announced the close (221/421, or 521 followed by its own close: RFC 7504 §3, which
 * Postfix sends before it hangs up), inside TLS, or when the capture (not a FIN/RST)
 * ended the session.
 */
export default defineRule({
  meta: {
    id: 'no-quit',
    severity: 'notice',
    category: 'transport',
    title: 'Connection closed without QUIT',
    summary: 'The {{by}} closed the connection with {{how}} without QUIT (last command: {{last}})',
    advice:
      'Nothing was lost, but RFC 5321 wants QUIT before the close. Monitoring probes and load-balancer health checks often drop the connection like this; a client that does it after an error reply may have given up (check its log), and a FIN/RST from a firewall in the middle points at an idle timeout.',
    references: ['RFC 5321 §4.1.1.10', 'RFC 5321 §3.8'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let last: Command | null = null;
    let greeted = false;
    let serverClosing = false;
    let sent521 = false;
    return {
      greeting() {
        greeted = true;
      },
      command(ev) {
        if (!ev.cmd.pseudo || ev.cmd.verb === '<end-of-data>') last = ev.cmd;
      },
      reply(ev) {
        if (ev.reply.code === 221 || ev.reply.code === 421) serverClosing = true;
        if (ev.reply.code === 521) sent521 = true;
      },
      'session-start'(ev) {
        // Mid-stream: the greeting happened before the capture began.
        if (ev.midstream) greeted = true;
      },
      'session-end'(ev, session) {
        if (ev.reason !== 'fin' && ev.reason !== 'rst') return;
        if (ev.closedBy !== 'fin' && ev.closedBy !== 'rst') return; // quit, tls, capture-end
        if (!greeted || serverClosing) return;
        if (ev.state === 'unknown' || ev.state === 'refused' || ev.state === 'init') return;
        const flow = ctx.flowOf(session);
        const key = ev.reason === 'rst' ? 'rstFrame' : 'finFrame';
        const c = flow?.c2s[key] ?? null;
        const s = flow?.s2c[key] ?? null;
        const dir = c !== null && (s === null || c <= s) ? 'c2s' : s !== null ? 's2c' : null;
        const frame = dir === 'c2s' ? c! : dir === 's2c' ? s! : ev.frame;
        if (sent521 && dir === 's2c') return;
        const by = dir === 'c2s' ? 'client' : dir === 's2c' ? 'server' : 'peer';
        const how = ev.reason === 'rst' ? 'a reset (RST)' : 'FIN';
        const evidence = last ? [commandEvidence(last)] : [];
        // The close's time is known only as the session's end (FlowSummary has frames, not times).
        evidence.push({ frame, time: ev.time, dir, line: `${ev.reason === 'rst' ? 'RST' : 'FIN'} from the ${by}` });
        ctx.report({ data: { by, how, last: last ? last.verb : 'none' }, evidence });
      },
    };
  },
});
