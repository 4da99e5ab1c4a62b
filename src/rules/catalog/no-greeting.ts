import { defineRule } from '../define-rule.js';
import { diffMs } from '../../util/time.js';
import type { Evidence } from '../types.js';

/**
 * RFC 5321 §3.1 / §4.3.1: after the TCP connection is set up the server speaks
 * first with its 220 greeting; the client waits (§4.5.3.2.1: at least 5 minutes).
 * This rule fires when the connection was established (SYN-ACK seen, or the
 * session started with the handshake) and the server sent no reply line at all
 * before the connection closed. No claim when the capture began mid-session,
 * on an implicit-TLS port (the greeting comes inside TLS), after a gap in the
 * server's direction, or when the capture simply stopped sooner than
 * `greeting-wait-ms` after the connection (the greeting may still have come).
 */
export default defineRule({
  meta: {
    id: 'no-greeting',
    severity: 'error',
    category: 'greeting',
    title: 'The server never sent its greeting',
    summary: 'The connection was established but no greeting came in {{waited}} s; the connection {{end}}',
    advice:
      'The TCP port accepted the connection but no SMTP greeting followed: the SMTP service hangs (Exchange: Transport service stuck or back pressure; Postfix: smtpd processes exhausted, slow reverse DNS), or a firewall, load balancer or SMTP proxy accepts the connection itself and cannot reach the server behind it. Connect by hand from the same network (telnet host 25) and look at the server\'s connection logs.',
    references: ['RFC 5321 §3.1', 'RFC 5321 §4.3.1', 'RFC 5321 §4.5.3.2.1'],
    supersedes: ['session-aborted', 'no-quit', 'slow-reply'],
    scope: 'session',
    thresholds: { 'greeting-wait-ms': 30000 },
  },
  create(ctx) {
    let start: Evidence | null = null;
    let serverSpoke = false;
    let skip = false;
    return {
      'session-start'(ev) {
        if (ev.midstream || ev.implicitTls) skip = true;
        start = { frame: ev.frame, time: ev.time, dir: null, line: 'client opened the TCP connection' };
      },
      greeting() {
        serverSpoke = true;
      },
      reply() {
        serverSpoke = true;
      },
      tls() {
        serverSpoke = true; // implicit TLS detected from the first bytes
      },
      gap(ev) {
        if (ev.dir === 's2c') skip = true;
      },
      'session-end'(ev, session) {
        if (skip || serverSpoke || !start) return;
        if (session.bytes.s2c > 0) return; // the server sent something, only not a reply line
        const flow = ctx.flowOf(session);
        if (flow && !flow.sawSynAck) return; // never established: connection-refused / -unanswered
        const waited = diffMs(ev.time, start.time);
        const closed = ev.reason === 'fin' || ev.reason === 'rst';
        if (!closed && waited < ctx.thresholds['greeting-wait-ms']) return;
        // Who ended it: the first FIN or RST of either side (tcp/ HalfStats).
        const ends: { frame: number; side: 'server' | 'client'; how: 'FIN' | 'RST' }[] = [];
        if (flow) {
          for (const [side, half] of [['server', flow.s2c], ['client', flow.c2s]] as const) {
            if (half.finFrame !== null) ends.push({ frame: half.finFrame, side, how: 'FIN' });
            if (half.rstFrame !== null) ends.push({ frame: half.rstFrame, side, how: 'RST' });
          }
        }
        ends.sort((a, b) => a.frame - b.frame);
        const first = closed ? ends[0] : undefined;
        const end = !closed
          ? 'was still open when the capture ended'
          : first
            ? `was ${first.how === 'RST' ? 'reset' : 'closed'} by the ${first.side}`
            : ev.reason === 'rst' ? 'was reset' : 'was closed';
        const evidence: Evidence[] = [start];
        if (closed && ev.frame !== start.frame) {
          // FlowSummary gives the first FIN/RST frame but not its time: the evidence line is the
          // session's end (frame and time known) and names the earlier frame in words.
          const by = first ? `; the ${first.side} sent the first ${first.how} (frame ${first.frame})` : '';
          evidence.push({ frame: ev.frame, time: ev.time, dir: null, line: `connection ended (${ev.reason.toUpperCase()}) without a greeting${by}` });
        }
        ctx.report({
          data: { waited: Math.round(waited / 100) / 10, end, reason: ev.reason, closedBy: first?.side ?? null, clientSentBytes: session.bytes.c2s },
          evidence,
        });
      },
    };
  },
});
