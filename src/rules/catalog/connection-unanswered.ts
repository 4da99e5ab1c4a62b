import { defineRule } from '../define-rule.js';

/**
 * RFC 9293 §3.8.1: a SYN that gets no answer is retransmitted with a growing timeout
 * (1 s, 2 s, 4 s ... on most stacks) until the client gives up. A flow on an SMTP port
 * where the client's SYN was seen and the server side sent nothing at all (no SYN/ACK,
 * no RST) before the capture ended or the client gave up: the port is filtered, the
 * host is down, or the route back is broken.
 */
export default defineRule({
  meta: {
    id: 'connection-unanswered',
    severity: 'error',
    category: 'transport',
    title: 'SYN to the SMTP port got no answer',
    summary: 'Connection from {{client}} to {{server}} unanswered: {{syns}} SYN(s) over {{seconds}} s, no SYN/ACK or RST',
    advice:
      'A firewall drops the connection silently (filtered port), the server is down or unreachable, or the answer takes another route (asymmetric routing, NAT). Check the firewall rules and the route between the two hosts, and capture on the server side to see whether the SYN arrives there; Exchange logs nothing for a connection that never reached it.',
    references: ['RFC 9293 §3.8.1', 'RFC 9293 §3.5'],
    supersedes: ['no-greeting', 'session-aborted', 'no-quit'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    return {
      'session-end'(ev, session) {
        if (session.detectedBy !== 'port') return;
        const flow = ctx.flowOf(session);
        if (!flow || !flow.sawSyn || flow.sawSynAck || flow.s2c.segments > 0 || flow.c2s.dataSegments > 0) return;
        const syn = flow.c2s.synFrame;
        if (syn === null) return;
        // Every c2s segment is a SYN but for a final RST/FIN when the client gave up.
        const syns = flow.c2s.segments - (flow.c2s.rstFrame !== null ? 1 : 0) - (flow.c2s.finFrame !== null ? 1 : 0);
        const ms = (flow.lastTime.sec - flow.firstTime.sec) * 1000 + (flow.lastTime.nsec - flow.firstTime.nsec) / 1e6;
        const server = `${session.server.ip}:${session.server.port}`;
        const client = `${session.client.ip}:${session.client.port}`;
        const evidence = [{ frame: syn, time: flow.firstTime, dir: 'c2s' as const, line: `SYN ${client} → ${server}` }];
        if (flow.lastFrame !== syn) {
          const gaveUp = flow.c2s.rstFrame === flow.lastFrame;
          evidence.push({ frame: flow.lastFrame, time: flow.lastTime, dir: 'c2s', line: gaveUp ? 'client gave up (RST)' : `last SYN retransmission (${syns} SYNs in all)` });
        }
        ctx.report({
          data: { client, server, port: session.server.port, syns, seconds: Math.round(ms / 100) / 10, end: ev.reason },
          evidence,
        });
      },
    };
  },
});
