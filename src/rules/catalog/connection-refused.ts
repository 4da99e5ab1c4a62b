import { defineRule } from '../define-rule.js';

/**
 * RFC 9293 §3.10.7.1: a SYN to a port with no listener is answered by RST (the
 * "Connection refused" a client logs). A flow that is only SYN → RST on an SMTP port
 * still becomes a session (detected by port) that ends with reason 'rst' and no
 * greeting; this finding replaces no-greeting and session-aborted for it (same frames).
 * The facts come from the flow (FlowSummary): the client's SYN was seen, no SYN/ACK
 * came back, and the server side sent RST.
 */
export default defineRule({
  meta: {
    id: 'connection-refused',
    severity: 'error',
    category: 'transport',
    title: 'Connection refused (SYN answered by RST)',
    summary: 'Connection to {{server}} refused: the SYN from {{client}} was answered by RST',
    advice:
      'Nothing listens on that address and port, or a firewall rejects the connection actively. Check that the SMTP service is running and bound to this address (Exchange: the receive connector\'s bindings and the MSExchangeFrontEndTransport service; Postfix: inet_interfaces and master.cf), and whether a host firewall or load balancer sends the RST.',
    references: ['RFC 9293 §3.10.7.1', 'RFC 5321 §3.1'],
    supersedes: ['no-greeting', 'session-aborted', 'no-quit'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let greeted = false;
    return {
      greeting() {
        greeted = true;
      },
      'session-end'(ev, session) {
        if (ev.reason !== 'rst' || greeted || session.detectedBy !== 'port') return;
        const flow = ctx.flowOf(session);
        if (!flow || !flow.sawSyn || flow.sawSynAck) return;
        const syn = flow.c2s.synFrame;
        const rst = flow.s2c.rstFrame;
        if (syn === null || rst === null || flow.c2s.dataSegments > 0 || flow.s2c.dataSegments > 0) return;
        const server = `${session.server.ip}:${session.server.port}`;
        const client = `${session.client.ip}:${session.client.port}`;
        ctx.report({
          data: { server, client, port: session.server.port },
          evidence: [
            { frame: syn, time: session.start, dir: 'c2s', line: `SYN ${client} → ${server}` },
            { frame: rst, time: ev.time, dir: 's2c', line: `RST from ${server}` },
          ],
        });
      },
    };
  },
});
