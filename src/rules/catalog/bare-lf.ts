import { defineRule } from '../define-rule.js';
import type { Evidence } from '../types.js';

/**
 * RFC 5321 §2.3.8: lines end in CRLF; "a server MUST NOT" take a bare LF (or CR) as a
 * line end, and R-LINE-1 (§4.1.1.4) keeps `<LF>.<LF>` from ending data. Senders that
 * end lines in LF alone (scripts, printers, old Unix tools) get refused by strict
 * servers (Postfix smtpd_forbid_bare_newline, Exchange's 'bare line feeds' rejection)
 * or have their mail rewritten. One finding per place (commands, replies, DATA body),
 * so that smtp-smuggling, which explains the body's bare LFs, replaces only that one.
 */
type Place = 'commands' | 'replies' | 'DATA body';

interface Seen {
  lf: number;
  cr: number;
  frame: number;
  time: Evidence['time'];
  dir: 'c2s' | 's2c';
  line: string | null;
}

export default defineRule({
  meta: {
    id: 'bare-lf',
    severity: 'warning',
    category: 'content',
    title: 'Line ends in a bare LF or CR',
    summary: '{{count}} line(s) of the {{place}} end in a bare {{kind}} instead of CRLF',
    advice:
      'The sending program ends lines with LF alone (or stray CRs): typical of scripts, printers and scanners, and of hand-made SMTP clients. Strict servers refuse such mail (Postfix smtpd_forbid_bare_newline, Exchange Online since 2024) and lenient ones may rewrite it; fix the sender to use CRLF, or send through a relay that normalises line ends.',
    references: ['RFC 5321 §2.3.8', 'RFC 5321 §4.1.1.4'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    const seen = new Map<Place, Seen>();
    // After a gap, until smtp/ resynchronises, a "line" may be binary or half a line: no claim.
    const unsync = { c2s: false, s2c: false };
    function note(place: Place, kind: 'lf' | 'cr', n: number, frame: number, time: Evidence['time'], dir: 'c2s' | 's2c'): void {
      let s = seen.get(place);
      if (!s) {
        s = { lf: 0, cr: 0, frame, time, dir, line: null };
        seen.set(place, s);
      }
      s[kind] += n;
    }
    return {
      gap(ev) {
        unsync[ev.dir] = true;
      },
      resync(ev) {
        unsync[ev.dir] = false;
      },
      anomaly(ev) {
        if ((ev.kind !== 'bare-lf' && ev.kind !== 'bare-cr') || unsync[ev.dir]) return;
        note(ev.dir === 'c2s' ? 'commands' : 'replies', ev.kind === 'bare-lf' ? 'lf' : 'cr', 1, ev.frame, ev.time, ev.dir);
      },
      // Name the first offending line (the anomaly comes with the line's last frame).
      command(ev) {
        const s = seen.get('commands');
        if (s && s.line === null && ev.cmd.frame === s.frame) s.line = ev.cmd.pseudo ? ev.cmd.verb : `${ev.cmd.verb} ${ev.cmd.arg}`.trim();
      },
      reply(ev) {
        const s = seen.get('replies');
        if (s && s.line === null && ev.reply.frame === s.frame) s.line = ev.reply.lines[0] ?? String(ev.reply.code);
      },
      'data-end'(ev) {
        const { bareLf, bareCr } = ev.body;
        if (bareLf.count > 0) note('DATA body', 'lf', bareLf.count, bareLf.firstFrame ?? ev.frame, ev.time, 'c2s');
        if (bareCr.count > 0) note('DATA body', 'cr', bareCr.count, bareCr.firstFrame ?? ev.frame, ev.time, 'c2s');
      },
      'session-end'() {
        for (const [place, s] of seen) {
          const kind = s.lf > 0 && s.cr > 0 ? 'LF or CR' : s.lf > 0 ? 'LF' : 'CR';
          const what = place === 'DATA body' ? 'message line' : place === 'commands' ? 'command' : 'reply';
          const line = `first ${what} ending in a bare ${kind}${s.line ? `: ${s.line.slice(0, 120)}` : ''}`;
          ctx.report({
            data: { place, kind, count: s.lf + s.cr, bareLf: s.lf, bareCr: s.cr },
            evidence: [{ frame: s.frame, time: s.time, dir: s.dir, line }],
          });
        }
      },
    };
  },
});
