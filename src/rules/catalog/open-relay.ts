import { defineRule } from '../define-rule.js';
import { commandEvidence, domainOf, replyEvidence } from '../evidence.js';
import type { Evidence } from '../types.js';

/** Accepted external recipients kept as evidence (RCPT + reply each); the count goes on. */
const MAX_EVIDENCE_RCPTS = 10;
/** Distinct external domains listed in the finding. */
const MAX_DOMAINS = 5;

/** A domain is local when it is one of --local-domain or a subdomain of one. */
function isLocal(domain: string, locals: readonly string[]): boolean {
  return locals.some((l) => domain === l || domain.endsWith(`.${l}`));
}

/**
 * RFC 5321 §3.6.2 and §7.1: a server that accepts mail from any unauthenticated
 * client for any domain is an open relay. Only with --local-domain (the domains the
 * server is authoritative for). Claims nothing where the capture cannot tell whether
 * the client authenticated: a mid-stream start or a gap before the RCPT. RCPT TO:<Postmaster>
 * without a domain (§4.5.1) is local. Once per session.
 */
export default defineRule({
  meta: {
    id: 'open-relay',
    severity: 'error',
    category: 'envelope',
    title: 'Open relay: external recipient accepted without authentication',
    summary: 'The server accepted {{rcpt}} (domain {{domain}}, not local) from unauthenticated client {{client}}: {{code}}; {{accepted}} external recipient(s) accepted ({{domains}})',
    advice:
      'The server accepts mail for outside domains from a client that did not log in; spammers find such servers within hours and get them blacklisted. Unless this client is meant to relay (a known application server), restrict relaying: on Exchange remove Ms-Exch-SMTP-Accept-Any-Recipient for Anonymous Logon and narrow the connector\'s RemoteIPRanges; on Postfix keep reject_unauth_destination in smtpd_relay_restrictions and mynetworks small.',
    references: ['RFC 5321 §3.6.2', 'RFC 5321 §7.1', 'RFC 2505 §2'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    const locals = ctx.options.localDomains;
    if (locals.length === 0) return {};
    // null: the capture cannot tell (mid-stream start, gap); true once AUTH succeeded.
    let authenticated: boolean | null = false;
    let first: { rcpt: string; domain: string; code: number } | null = null;
    let accepted = 0;
    const domains = new Set<string>();
    const evidence: Evidence[] = [];
    return {
      'session-start'(ev) {
        if (ev.midstream) authenticated = null;
      },
      gap() {
        authenticated = null;
      },
      auth(ev) {
        if (ev.result === 'success' && authenticated === false) authenticated = true;
      },
      'reply[to.verb=RCPT]'(ev) {
        const to = ev.to;
        if (authenticated !== false) return;
        if (ev.reply.code !== 250 && ev.reply.code !== 251) return;
        const rcpt = to.path?.address ?? to.arg;
        const domain = domainOf(rcpt);
        if (domain === '' || isLocal(domain, locals)) return;
        accepted++;
        first ??= { rcpt, domain, code: ev.reply.code };
        if (domains.size < MAX_DOMAINS) domains.add(domain);
        if (accepted <= MAX_EVIDENCE_RCPTS) evidence.push(commandEvidence(to), replyEvidence(ev.reply));
      },
      'session-end'(_ev, session) {
        if (!first) return;
        ctx.report({ data: { ...first, client: session.client.ip, accepted, domains: [...domains].join(', ') }, evidence });
      },
    };
  },
});
