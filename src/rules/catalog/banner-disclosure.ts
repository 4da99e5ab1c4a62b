import { defineRule } from '../define-rule.js';
import { firstTextLine, replyEvidence } from '../evidence.js';
import type { Reply } from '../../smtp/index.js';

/** A DNS name (RFC 1035 §2.3.1 labels, RFC 1123 §2.1 leading digits), optional root dot. */
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** First words of greetings that carry no host name ("220 ESMTP ready", "220 Microsoft ESMTP ..."). */
const NOT_A_HOST = new Set(['esmtp', 'smtp', 'esmtps', 'lmtp', 'ready', 'service', 'welcome', 'hello', 'hi', 'greetings', 'ok', 'microsoft', 'postfix', 'exim', 'sendmail']);

/**
 * The domain a server names at the start of a greeting (RFC 5321 §4.3.1:
 * `Greeting = "220 " (Domain / address-literal) [ SP textstring ]`) or of its EHLO
 * reply (§4.1.1.1: `ehlo-ok-rsp = "250" SP Domain [ SP ehlo-greet ]`), from the
 * reply's first text line. null for address literals, masked banners and words
 * that are evidently not a name. Shared with tls-cert-problem.
 */
export function announcedHost(firstLine: string): string | null {
  const token = firstLine.trim().split(/\s+/)[0] ?? '';
  if (!HOSTNAME.test(token) || IPV4.test(token) || NOT_A_HOST.has(token.toLowerCase())) return null;
  if (/^\d+$/.test(token)) return null;
  return token.replace(/\.$/, '');
}

/** Top-level labels used only inside organisations (RFC 6762 .local; common private suffixes). */
const INTERNAL_TLDS = new Set(['local', 'lan', 'internal', 'corp', 'localdomain', 'intranet', 'home']);

/**
 * Names every host has for itself (RFC 6761 §6.3 "localhost"; the Red Hat/Debian default
 * "localhost.localdomain"): a banner with them tells nothing about the network (a
 * misconfigured or test server, e.g. zeek bdat-nonascii's "220 localhost dummy SMTP service").
 */
const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain']);

/** 'internal' (private suffix), 'single-label', or null (a public-looking name, or localhost). */
export function internalKind(host: string): 'internal' | 'single-label' | null {
  if (LOOPBACK_NAMES.has(host.toLowerCase())) return null;
  const labels = host.toLowerCase().split('.');
  if (labels.length === 1) return 'single-label';
  return INTERNAL_TLDS.has(labels[labels.length - 1]!) ? 'internal' : null;
}

/** Mail server software named with a version number in a banner. */
const SOFTWARE_VERSION =
  /\b(Exim|Sendmail|Postfix|MDaemon|hMailServer|Kerio Connect|IceWarp|Merak|Haraka|OpenSMTPD|CommuniGate Pro|Lotus Domino|Domino|Zimbra|Courier|qmail|MailEnable|SmarterMail|Axigen|ArGoSoft Mail Server|Mercury|XMail|Exchange|Messaging Server|IronPort|Barracuda)\b[^\d\n]{0,20}?v?(\d+(?:\.\d+)+[\w./-]*)/i;

/** What a greeting says about the software behind it, or null. */
export function bannerSoftware(text: string): string | null {
  // IIS SMTP / Exchange 2003: "Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready at ..."
  const iis = /Microsoft ESMTP MAIL Service, Version: ([\d.]+)/i.exec(text);
  if (iis) return `Microsoft SMTP Service ${iis[1]}`;
  // Exchange 2007 and later, default receive connector banner (Set-ReceiveConnector -Banner changes it).
  if (/Microsoft ESMTP MAIL Service ready at/i.test(text)) return 'Microsoft Exchange (default "Microsoft ESMTP MAIL Service ready at" banner)';
  const m = SOFTWARE_VERSION.exec(text);
  return m ? `${m[1]} ${m[2]}` : null;
}

/**
 * The greeting (RFC 5321 §4.3.1) tells every connecting host what the server
 * chooses to say: an internal host name (.local, .lan, .internal, .corp or a
 * single label) or the software and its version is information an attacker
 * uses and admins usually replace. The greeting is the reply to <connect>; after
 * a gap at the start, an unpaired 220 before any command is the greeting too.
 * A masked banner (middlebox-masking) discloses nothing and is left alone.
 */
export default defineRule({
  meta: {
    id: 'banner-disclosure',
    severity: 'notice',
    category: 'greeting',
    title: 'Greeting discloses an internal host name or the server software',
    summary: 'The greeting discloses {{disclosed}}',
    advice:
      'Every client that connects reads the greeting. Exchange: set a neutral banner with Set-ReceiveConnector <name> -Banner "220 mail.example.com" and a public FQDN with -Fqdn; Postfix: smtpd_banner = $myhostname ESMTP and a public myhostname; Exim: smtp_banner. Internal names in the banner also show that NAT or a connector hands internal configuration to the Internet.',
    references: ['RFC 5321 §4.3.1', 'RFC 5321 §7.9'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let seen = false;
    let commands = 0;
    function check(reply: Reply): void {
      seen = true;
      if (reply.code !== 220) return;
      const first = firstTextLine(reply);
      const host = announcedHost(first);
      const kind = host ? internalKind(host) : null;
      const software = bannerSoftware(reply.text);
      if (!kind && !software) return;
      const parts: string[] = [];
      if (host && kind) parts.push(kind === 'internal' ? `the internal host name ${host}` : `the single-label host name ${host}`);
      if (software) parts.push(`the server software (${software})`);
      ctx.report({
        data: { disclosed: parts.join(' and '), host: kind ? host : null, hostKind: kind, software },
        evidence: [replyEvidence(reply)],
      });
    }
    return {
      command(ev) {
        if (!ev.cmd.pseudo) commands++;
      },
      greeting(ev) {
        if (!seen) check(ev.reply);
      },
      reply(ev) {
        // After a gap at the start the greeting arrives unpaired (the <connect> queue was cleared).
        if (!seen && ev.to === null && commands === 0 && ev.reply.code === 220) check(ev.reply);
      },
    };
  },
});
