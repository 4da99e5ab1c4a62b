import { defineRule } from '../define-rule.js';
import { commandEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import type { Dir } from '../../tcp/events.js';
import type { Evidence } from '../types.js';

/**
 * Bytes missing from a direction of the stream (tcp/ delivers a `gap`, Zeek's
 * Undelivered): the capture dropped packets (SPAN port overload, snap length, ring
 * buffer) or the network lost them and they were never retransmitted in view.
 * One finding per direction: how many octets, in how many holes, and where the first
 * hole lies in SMTP terms (inside a command line, a reply, the DATA body after n
 * octets, a BDAT chunk after n of m octets, TLS ...). What a gap hides is unknown and
 * the finding says so; smtp/ resynchronises after it (habit 3).
 * A gap of 'unknown' length at offset 0 is a mid-stream start: capture-midstream's.
 */
const MAX_EVIDENCE = 5;

const INSIDE: Record<string, string> = {
  line: 'in the command stream',
  reply: 'in the reply stream',
  data: 'inside the DATA message body',
  bdat: 'inside a BDAT chunk',
  xexch50: 'inside the XEXCH50 BLOB',
  auth: 'inside an AUTH exchange',
  tls: 'inside TLS records',
  held: 'in client bytes waiting for a reply',
};

interface Hole {
  frame: number;
  time: Evidence['time'];
  length: number;
  inside: string;
  /** Octets of the body / chunk delivered before the hole, when known. */
  before: number | null;
  chunk: number | null;
  /** The DATA/BDAT/XEXCH50 command whose content the hole cut. */
  content: Command | null;
}

export default defineRule({
  meta: {
    id: 'tcp-gap',
    severity: 'warning',
    category: 'transport',
    title: 'Bytes missing from the TCP stream',
    summary: '{{bytes}} octets missing in the {{direction}} direction ({{gaps}} hole(s)); first hole {{position}}; what they carried is unknown',
    advice:
      'The capture missed packets that the peer acknowledged (an overloaded SPAN/mirror port, a capture filter or ring buffer, or a snap length: see capture-truncated), or the network lost them. Capture on the host itself (tcpdump -s 0 on the server) to get the whole stream; until then, whatever falls in the hole is unknown, not absent.',
    references: ['RFC 9293 §3.10.7.4', 'Wireshark "TCP Previous segment not captured"'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    const holes: Record<Dir, Hole[]> = { c2s: [], s2c: [] };
    const totals: Record<Dir, number> = { c2s: 0, s2c: 0 };
    const counts: Record<Dir, number> = { c2s: 0, s2c: 0 };
    let lastContent: Command | null = null;
    let lastBodyHole: Hole | null = null;
    return {
      'data-start'(ev) {
        lastContent = ev.cmd;
      },
      'command[verb=BDAT]'(ev) {
        lastContent = ev.cmd;
      },
      'command[verb=XEXCH50]'(ev) {
        lastContent = ev.cmd;
      },
      gap(ev) {
        if (ev.length === 'unknown' || ev.length <= 0) return;
        totals[ev.dir] += ev.length;
        counts[ev.dir] += 1;
        // The command whose content the hole cut, as known at the gap (later commands do not count).
        const content = ev.inside === 'data' || ev.inside === 'bdat' || ev.inside === 'xexch50' ? lastContent : null;
        const hole: Hole = { frame: ev.frame, time: ev.time, length: ev.length, inside: ev.inside, before: null, chunk: null, content };
        if (holes[ev.dir].length < MAX_EVIDENCE) holes[ev.dir].push(hole);
        lastBodyHole = ev.inside === 'data' || ev.inside === 'bdat' ? hole : null;
      },
      // smtp/ ends a body cut by a gap right after the gap event: its counts say where the hole began.
      'data-end'(ev) {
        if (lastBodyHole && !ev.complete && lastBodyHole.inside === 'data') lastBodyHole.before = ev.body.rawBytes;
        lastBodyHole = null;
      },
      'bdat-chunk'(ev) {
        if (lastBodyHole && !ev.complete && lastBodyHole.inside === 'bdat') {
          lastBodyHole.before = ev.received;
          lastBodyHole.chunk = ev.size;
        }
        lastBodyHole = null;
      },
      'session-end'() {
        for (const dir of ['c2s', 's2c'] as const) {
          const list = holes[dir];
          const first = list[0];
          if (!first) continue;
          const evidence: Evidence[] = [];
          if (first.content) evidence.push(commandEvidence(first.content));
          for (const h of list) evidence.push({ frame: h.frame, time: h.time, dir, line: `[${h.length} octets not captured before this frame, ${describe(h)}]` });
          ctx.report({
            data: {
              direction: dir === 'c2s' ? 'client-to-server' : 'server-to-client',
              dir,
              bytes: totals[dir],
              gaps: counts[dir],
              position: describe(first),
              inside: first.inside,
              offset: first.before,
              frame: first.frame,
            },
            evidence,
          });
        }
      },
    };
  },
});

function describe(h: Hole): string {
  const where = INSIDE[h.inside] ?? h.inside;
  if (h.before === null) return where;
  if (h.inside === 'bdat' && h.chunk !== null) return `${where} after ${h.before} of its ${h.chunk} octets`;
  return `${where} after ${h.before} octets`;
}
