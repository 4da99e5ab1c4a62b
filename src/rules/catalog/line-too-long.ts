import { defineRule } from '../define-rule.js';
import type { Evidence } from '../types.js';

/**
 * RFC 5321 §4.5.3.1.4-6: a command line is at most 512 octets, a reply line 512 and a
 * text line of the message 1000, CRLF included (the stuffed dot not counted). Servers
 * answer 500 "Line too long" or cut the line; a DATA line over 1000 octets is folded
 * or breaks signatures (DKIM) on the way. RFC 4954 §4 raises the limit for AUTH
 * exchanges to 12288 octets, so those lines count only above that.
 * One finding per place (commands, replies, DATA body) with the longest line.
 */
const AUTH_LINE = 12288;

interface Long {
  count: number;
  longest: number;
  limit: number;
  frame: number;
  time: Evidence['time'];
  dir: 'c2s' | 's2c';
  line: string | null;
}

export default defineRule({
  meta: {
    id: 'line-too-long',
    severity: 'warning',
    category: 'content',
    title: 'Line longer than RFC 5321 allows',
    summary: '{{count}} {{what}} longer than {{limit}} octets (longest {{longest}} octets)',
    advice:
      'Over-long command lines come from broken clients or attacks (buffer-overflow probes, long EHLO arguments); servers answer 500 or drop them. Message lines over 1000 octets come from programs that send HTML or base64 without line breaks: servers may fold or refuse them and signatures break; make the sender wrap lines or use quoted-printable/base64 encoding.',
    references: ['RFC 5321 §4.5.3.1.4', 'RFC 5321 §4.5.3.1.5', 'RFC 5321 §4.5.3.1.6', 'RFC 4954 §4'],
    scope: 'session',
    thresholds: { 'command-line-octets': 512, 'reply-line-octets': 512, 'text-line-octets': 1000 },
  },
  create(ctx) {
    const t = ctx.thresholds;
    // Anomalies wait for the line they belong to (same frame) to learn whether it was an AUTH answer.
    const waiting: { dir: 'c2s' | 's2c'; frame: number; time: Evidence['time']; length: number }[] = [];
    const found = new Map<string, Long>();
    // After a gap, until smtp/ resynchronises, a "line" may be binary (a BLOB, a chunk): no claim.
    const unsync = { c2s: false, s2c: false };
    function add(place: string, length: number, limit: number, frame: number, time: Evidence['time'], dir: 'c2s' | 's2c', line: string | null, count = 1): void {
      const l = found.get(place);
      if (!l) {
        found.set(place, { count, longest: length, limit, frame, time, dir, line });
        return;
      }
      l.count += count;
      if (length > l.longest) Object.assign(l, { longest: length, frame, time, line });
    }
    function settle(dir: 'c2s' | 's2c', frame: number | null, text: string | null, auth: boolean): void {
      for (let i = 0; i < waiting.length; ) {
        const a = waiting[i]!;
        if (a.dir !== dir || (frame !== null && a.frame !== frame)) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        if (dir === 'c2s') {
          const limit = auth ? AUTH_LINE : t['command-line-octets'];
          if (a.length > limit) add(auth ? 'AUTH line' : 'command line', a.length, limit, a.frame, a.time, dir, text);
        } else if (a.length > t['reply-line-octets']) {
          add('reply line', a.length, t['reply-line-octets'], a.frame, a.time, dir, text);
        }
      }
    }
    return {
      gap(ev) {
        unsync[ev.dir] = true;
      },
      resync(ev) {
        unsync[ev.dir] = false;
      },
      anomaly(ev) {
        if (ev.kind !== 'line-too-long' || ev.length === undefined || unsync[ev.dir]) return;
        waiting.push({ dir: ev.dir, frame: ev.frame, time: ev.time, length: ev.length });
      },
      command(ev) {
        if (waiting.length === 0) return; // nothing to settle (most commands): no text built
        const auth = ev.cmd.verb === 'AUTH' || ev.cmd.verb === '<auth-response>';
        const text = ev.cmd.pseudo ? ev.cmd.verb : `${ev.cmd.verb} ${ev.cmd.arg}`.trim();
        settle('c2s', ev.cmd.frame, text, auth);
      },
      reply(ev) {
        if (waiting.length === 0) return;
        settle('s2c', ev.reply.frame, ev.reply.lines.find((l) => l.length > 80) ?? ev.reply.lines[0] ?? null, false);
      },
      'data-end'(ev) {
        const l = ev.body.longLines;
        if (l.count > 0 && l.longest > t['text-line-octets']) {
          add('message line', l.longest, t['text-line-octets'], l.firstFrame ?? ev.frame, ev.time, 'c2s', null, l.count);
        }
      },
      'session-end'() {
        // Lines no command/reply claimed (unparsed after a gap, cut at the end).
        settle('c2s', null, null, false);
        settle('s2c', null, null, false);
        for (const [what, l] of found) {
          const shown = l.line ? `: ${l.line.slice(0, 80)}${l.line.length > 80 ? '…' : ''}` : '';
          const line = what === 'message line' ? `first message line over ${l.limit} octets (longest ${l.longest})` : `${what} of ${l.longest} octets${shown}`;
          ctx.report({
            data: { what: `${what}(s)`, place: what, count: l.count, longest: l.longest, limit: l.limit },
            evidence: [{ frame: l.frame, time: l.time, dir: l.dir, line }],
          });
        }
      },
    };
  },
});
