import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Evidence } from '../types.js';
import { diffMs, type Time } from '../../util/time.js';

/**
 * RFC 5321 §4.3.1 (R-GREET-1): the client SHOULD wait for the 220 greeting before it
 * sends anything (servers such as Postfix postscreen's pregreet test reject clients
 * that talk first). smtp/ states the fact (`early-talker`: client bytes delivered before
 * the greeting of a session whose start was seen); the rule reports it when the
 * greeting arrives, so it can say how early the client was. No claim when a gap came
 * before the greeting (the greeting may be in it) or when no greeting ever came
 * (no-greeting reports that).
 */
/** Codes a server may open a session with (RFC 5321 §4.3.2, §3.8). */
const GREETING_CODES = new Set([220, 421, 554]);

/** A client line as a report shows it: printable, and short (an early talker may send binary). */
function shown(line: string): string {
  const clean = line.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

export default defineRule({
  meta: {
    id: 'early-talker',
    severity: 'warning',
    category: 'command-order',
    title: 'Client spoke before the server greeting',
    summary: 'The client sent {{bytes}} bytes ({{line}}) {{earlyMs}} ms before the server\'s 220 greeting',
    advice:
      'A client that talks before the greeting is typical of spam bots and of broken devices or scripts that do not read replies; Postfix postscreen (postscreen_greet_action) and Exchange tarpitting reject or slow such clients. If the client is yours, make it wait for the 220 line; if the greeting is slow, see why the server delays it (DNS lookups, tarpit, load).',
    references: ['RFC 5321 §4.3.1', 'RFC 5321 §3.1'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let early: { frame: number; time: Time; evidence: Evidence | null } | null = null;
    let gapBefore = false;
    let greeted = false;
    return {
      gap() {
        if (!greeted) gapBefore = true;
      },
      'early-talker'(ev) {
        if (!greeted && !gapBefore && early === null) early = { frame: ev.frame, time: ev.time, evidence: null };
      },
      command(ev) {
        // The first command line read from the early bytes names them in the evidence.
        if (early && early.evidence === null && !ev.cmd.pseudo && !greeted) {
          const e = commandEvidence(ev.cmd);
          early.evidence = { ...e, line: shown(e.line) };
        }
      },
      greeting(ev, session) {
        greeted = true;
        if (!early || gapBefore) return;
        // The server's first reply is no greeting when its code cannot open a session
        // (§4.3.2 CONNECTION ESTABLISHMENT: 220, E: 554; §3.8: 421). After a complete command
        // smtp/ already pairs such a reply with it and sends no greeting (greetingMissing,
        // suricata-verify smtp-rset-starttls); this check covers a partial first client line.
        if (!GREETING_CODES.has(ev.reply.code)) return;
        const first: Evidence = early.evidence ?? { frame: early.frame, time: early.time, dir: 'c2s', line: '(partial line)' };
        ctx.report({
          data: {
            bytes: session.earlyTalker?.bytes ?? 0,
            line: first.line,
            earlyMs: Math.max(0, Number(diffMs(ev.reply.firstTime, early.time).toFixed(1))),
          },
          evidence: [first, replyEvidence(ev.reply)],
        });
      },
    };
  },
});
