import { defineRule } from '../define-rule.js';
import type { Evidence } from '../types.js';

/**
 * Transport health of a session, from the flow's counters (tcp/ HalfStats):
 *  - retransmitted data segments above `retransmit-percent` (default 5 %) of the
 *    session's data segments, both directions together: packet loss on the path
 *    (duplex mismatch, overloaded link, MTU black hole with large DATA segments);
 *  - zero-window segments (at least `zero-window-segments`, default 1): a receiver
 *    whose buffer is full stalls the sender (RFC 9293 §3.8.6.1, persist timer): a
 *    busy or blocked server process (Exchange back pressure, a slow content filter).
 * HalfStats gives counts, not frame numbers, so the evidence lines carry no frame;
 * `data.filter` is the display filter that shows them in Wireshark.
 */
export default defineRule({
  meta: {
    id: 'retransmissions',
    severity: 'notice',
    category: 'transport',
    title: 'TCP retransmissions or zero-window stalls',
    summary: 'TCP trouble on this session: {{what}} (Wireshark: {{filter}})',
    advice:
      'Many retransmissions mean packet loss between client and server: check interface errors and duplex settings, a congested WAN link, or an MTU/MSS problem that drops full-size DATA segments. Zero windows mean the receiver stopped reading: a busy or blocked server process (Exchange back pressure, a slow antivirus or content filter); check the server\'s load and queues.',
    references: ['RFC 9293 §3.8.1', 'RFC 9293 §3.8.6.1', 'RFC 6298'],
    scope: 'session',
    thresholds: { 'retransmit-percent': 5, 'zero-window-segments': 1 },
  },
  create(ctx) {
    return {
      'session-end'(ev, session) {
        const flow = ctx.flowOf(session);
        if (!flow) return;
        const data = flow.c2s.dataSegments + flow.s2c.dataSegments;
        const retrans = flow.c2s.retransmissions + flow.s2c.retransmissions;
        const percent = data > 0 ? (100 * retrans) / data : 0;
        const lossy = retrans > 0 && percent > ctx.thresholds['retransmit-percent'];
        const zeroWindows = flow.c2s.zeroWindow + flow.s2c.zeroWindow;
        const stalled = zeroWindows > 0 && zeroWindows >= ctx.thresholds['zero-window-segments'];
        if (!lossy && !stalled) return;
        const what: string[] = [];
        const filters: string[] = [];
        const evidence: Evidence[] = [];
        if (lossy) {
          const p = Math.round(percent * 10) / 10;
          what.push(`${retrans} of ${data} data segments retransmitted (${p} %)`);
          filters.push('tcp.analysis.retransmission || tcp.analysis.fast_retransmission');
          evidence.push({ frame: 0, time: ev.time, dir: null, line: `retransmitted segments: client ${flow.c2s.retransmissions}, server ${flow.s2c.retransmissions} (of ${data} data segments)` });
        }
        if (stalled) {
          // A zero window sent by one side stalls the OTHER side's sending.
          const by = flow.s2c.zeroWindow >= flow.c2s.zeroWindow ? 'server' : 'client';
          what.push(`${zeroWindows} zero-window segment(s), the ${by} stopped reading`);
          filters.push('tcp.analysis.zero_window');
          evidence.push({ frame: 0, time: ev.time, dir: null, line: `zero-window segments: from the client ${flow.c2s.zeroWindow}, from the server ${flow.s2c.zeroWindow}` });
        }
        const filter = `tcp.stream eq ${flow.tcpStream} && (${filters.join(' || ')})`;
        ctx.report({
          data: {
            what: what.join('; '),
            filter,
            retransmissions: retrans,
            dataSegments: data,
            percent: Math.round(percent * 10) / 10,
            zeroWindows,
            zeroWindowsFromServer: flow.s2c.zeroWindow,
            zeroWindowsFromClient: flow.c2s.zeroWindow,
          },
          evidence,
        });
      },
    };
  },
});
