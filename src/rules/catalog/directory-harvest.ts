import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Evidence } from '../types.js';
import { isUnknownRecipient } from './unknown-recipient.js';

/** Refusals kept as evidence per client (RCPT + reply each); the counts go on. */
const MAX_EVIDENCE_REFUSALS = 10;

interface ClientTally {
  rcpts: number;
  unknown: number;
  sessions: Set<number>;
  evidence: Evidence[];
}

/**
 * Directory harvest attack: one client guesses addresses and learns from the
 * replies which exist. Cross-session, per client address. Fires when the client got
 * at least `directory-harvest` unknown-recipient refusals, or at least
 * `directory-harvest-min` of them that are at least half of its answered RCPTs.
 */
export default defineRule({
  meta: {
    id: 'directory-harvest',
    severity: 'error',
    category: 'envelope',
    title: 'Directory harvest: many unknown recipients from one client',
    summary: 'Client {{client}} tried {{unknown}} unknown recipients out of {{rcpts}} RCPT TO in {{sessions}} session(s)',
    advice:
      'One client trying many addresses that do not exist is usually a spammer harvesting valid addresses, sometimes a mailing list with stale entries. Throttle or block it: on Exchange enable recipient filtering with tarpitting (Set-ReceiveConnector -TarpitInterval) and the Recipient Filter agent; on Postfix smtpd_hard_error_limit, smtpd_error_sleep_time and postscreen.',
    references: ['RFC 5321 §7.3', 'RFC 5321 §4.2.3'],
    scope: 'client',
    thresholds: { 'directory-harvest': 10, 'directory-harvest-min': 5 },
  },
  create(ctx) {
    const byClient = new Map<string, ClientTally>();
    return {
      'reply[to.verb=RCPT]'(ev, session) {
        const to = ev.to;
        const ip = session.client.ip;
        let t = byClient.get(ip);
        if (!t) byClient.set(ip, (t = { rcpts: 0, unknown: 0, sessions: new Set(), evidence: [] }));
        t.rcpts++;
        if (!isUnknownRecipient(ev.reply)) return;
        t.unknown++;
        t.sessions.add(session.id);
        if (t.unknown <= MAX_EVIDENCE_REFUSALS) t.evidence.push(commandEvidence(to), replyEvidence(ev.reply));
      },
      'capture-end'() {
        const many = ctx.thresholds['directory-harvest'];
        const min = ctx.thresholds['directory-harvest-min'];
        for (const [client, t] of byClient) {
          // "at least half": 2·unknown ≥ rcpts, in integers.
          if (t.unknown < many && !(t.unknown >= min && 2 * t.unknown >= t.rcpts)) continue;
          ctx.report({
            session: null,
            client,
            data: { client, unknown: t.unknown, rcpts: t.rcpts, sessions: t.sessions.size },
            evidence: t.evidence,
          });
        }
      },
    };
  },
});
