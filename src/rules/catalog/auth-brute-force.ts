import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Evidence, ReplyToEvent } from '../types.js';
import type { SmtpSession } from '../../smtp/index.js';
import { AUTH_FAILURE_CODES, type AuthExchange } from './auth-failed.js';

/** Evidence kept per client: the first attempts (AUTH command + final reply each); counts go on. */
const MAX_EVIDENCE_ATTEMPTS = 10;
/** Distinct user names listed in the finding. */
const MAX_USERS = 5;

interface ClientTally {
  attempts: number;
  sessions: Set<number>;
  users: Set<string>;
  evidence: Evidence[];
}

/**
 * Cross-session (Zeek's ACTION_LOG_PER_ORIG): one client with at least
 * `auth-brute-force` failed AUTH exchanges in the capture, counted as auth-failed
 * counts them (535/534/538/454), whether in one session or many.
 * Events of sessions interleave, so the open exchange is kept per session.
 */
export default defineRule({
  meta: {
    id: 'auth-brute-force',
    severity: 'error',
    category: 'auth',
    title: 'Repeated failed logins from one client',
    summary: 'Client {{client}} failed to authenticate {{attempts}} times in {{sessions}} session(s) (users: {{users}})',
    advice:
      'Many failed logins from one address usually mean password guessing, or a device or script with a stale password retrying. If the address is not yours, block it and enable lockout/throttling (Postfix anvil/smtpd_client_auth_rate_limit, fail2ban; Exchange account lockout policy); if it is, update the stored password on that client.',
    references: ['RFC 4954 §6', 'RFC 4954 §14'],
    scope: 'client',
    thresholds: { 'auth-brute-force': 5 },
  },
  create(ctx) {
    const open = new Map<number, AuthExchange>();
    const byClient = new Map<string, ClientTally>();
    /** A reply to AUTH or to an answer of its exchange: the latest is the exchange's outcome. */
    const authReply = (ev: ReplyToEvent, session: SmtpSession): void => {
      const x = open.get(session.id);
      if (x) x.reply = ev.reply;
    };
    return {
      'command[verb=AUTH]'(ev, session) {
        open.set(session.id, { cmd: ev.cmd, reply: null });
      },
      'reply[to.verb=AUTH]': authReply,
      'reply[to.verb=<auth-response>]': authReply,
      auth(ev, session) {
        const x = open.get(session.id);
        open.delete(session.id);
        if (!x || !x.reply || ev.result !== 'failure' || ev.code === null || !AUTH_FAILURE_CODES.has(ev.code)) return;
        const ip = session.client.ip;
        let t = byClient.get(ip);
        if (!t) byClient.set(ip, (t = { attempts: 0, sessions: new Set(), users: new Set(), evidence: [] }));
        t.attempts++;
        t.sessions.add(session.id);
        if (ev.user !== null && t.users.size < MAX_USERS) t.users.add(ev.user);
        if (t.attempts <= MAX_EVIDENCE_ATTEMPTS) t.evidence.push(commandEvidence(x.cmd), replyEvidence(x.reply));
      },
      'session-end'(_ev, session) {
        open.delete(session.id);
      },
      'capture-end'() {
        const min = ctx.thresholds['auth-brute-force'];
        for (const [client, t] of byClient) {
          if (t.attempts < min) continue;
          ctx.report({
            session: null,
            client,
            data: { client, attempts: t.attempts, sessions: t.sessions.size, users: [...t.users].join(', ') || '(not seen)', threshold: min },
            evidence: t.evidence,
          });
        }
      },
    };
  },
});
