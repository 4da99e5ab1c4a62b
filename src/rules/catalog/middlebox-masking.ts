import { defineRule } from '../define-rule.js';
import type { Evidence } from '../types.js';

/**
 * Cisco ASA/PIX `inspect esmtp` (and similar SMTP "fixups") rewrite the dialogue:
 * the banner is replaced by asterisks (`mask-banner`), and EHLO keywords the
 * inspection does not allow are overwritten with X's of the same length plus a
 * letter (`250-XXXXXXXA` is STARTTLS, `250-XXXA` ...), so the client never sees
 * STARTTLS and ESMTP features fail. Commands it does not allow reach the server
 * as X's too. These are facts no real server sends, so one sighting suffices.
 * One finding per session with every masked line as evidence.
 */

/** A keyword or verb made of X's with at most one trailing letter: XXXXXXXA, XXXA, XXXXXXXB, XXXX. */
export const MASKED_WORD = /^X{3,}[A-Z]?$/;

/** A banner text that is mostly asterisks (`220 ******`, `220 *****2**0**0*0*`). */
export function maskedBanner(text: string): boolean {
  const t = text.replace(/\s+/g, '');
  if (!/\*{4,}/.test(t)) return false;
  let stars = 0;
  for (const c of t) if (c === '*') stars++;
  return stars * 2 >= t.length;
}

export default defineRule({
  meta: {
    id: 'middlebox-masking',
    severity: 'error',
    category: 'greeting',
    title: 'A firewall rewrites the SMTP session (masked banner or EHLO keywords)',
    summary: 'The SMTP dialogue is rewritten by a middlebox: {{what}}',
    advice:
      'A firewall\'s SMTP inspection (Cisco ASA/PIX "inspect esmtp", older "fixup smtp") rewrites the session: it masks the banner and overwrites EHLO keywords such as STARTTLS (XXXXXXXA), which disables TLS and breaks ESMTP features such as XEXCH50 and CHUNKING. Disable ESMTP inspection for the mail server (policy-map global_policy / class inspection_default / no inspect esmtp) or relax its policy-map (no mask-banner, allow-tls), then check the EHLO reply again.',
    references: ['RFC 5321 §4.1.1.1', 'Cisco ASA ESMTP inspection (inspect esmtp, mask-banner)'],
    supersedes: ['starttls-stripped', 'tls-not-offered', 'banner-disclosure', 'unexpected-reply'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    const evidence: Evidence[] = [];
    let banner = false;
    const keywords: string[] = [];
    const verbs: string[] = [];
    return {
      greeting(ev) {
        const first = ev.reply.lines[0] ?? '';
        if (maskedBanner(ev.reply.text)) {
          banner = true;
          evidence.push({ frame: ev.reply.firstFrame, time: ev.reply.firstTime, dir: 's2c', line: first });
        }
      },
      'reply[to.verb=EHLO]'(ev) {
        if (ev.reply.code !== 250) return;
        // Keyword lines are every line after the first (RFC 5321 §4.1.1.1 ehlo-ok-rsp).
        ev.reply.lines.slice(1).forEach((line) => {
          const kw = line.slice(4).trim().split(/[ =]/)[0] ?? '';
          if (!MASKED_WORD.test(kw)) return;
          keywords.push(kw);
          evidence.push({ frame: ev.reply.frame, time: ev.reply.time, dir: 's2c', line });
        });
      },
      command(ev) {
        if (!ev.cmd.pseudo && MASKED_WORD.test(ev.cmd.verb)) {
          verbs.push(ev.cmd.verb);
          evidence.push({ frame: ev.cmd.frame, time: ev.cmd.time, dir: 'c2s', line: ev.cmd.arg ? `${ev.cmd.verb} ${ev.cmd.arg}` : ev.cmd.verb });
        }
      },
      'session-end'() {
        if (evidence.length === 0) return;
        const what: string[] = [];
        if (banner) what.push('the greeting is masked with asterisks');
        if (keywords.length) what.push(`EHLO keywords are overwritten (${keywords.join(', ')})`);
        if (verbs.length) what.push(`commands are overwritten (${verbs.join(', ')})`);
        ctx.report({
          data: { what: what.join('; '), bannerMasked: banner, maskedKeywords: keywords.join(' '), maskedCommands: verbs.join(' ') },
          evidence,
        });
      },
    };
  },
});
