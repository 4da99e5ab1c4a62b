import { defineRule } from '../define-rule.js';
import { commandEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import type { EhloInfo } from '../../smtp/commands.js';

/**
 * RFC 6152 §3 (8BITMIME) and RFC 5321 §2.4: octets above 127 may be sent in DATA only
 * when the server advertised 8BITMIME and the client declared BODY=8BITMIME on MAIL
 * (RFC 6531 §3.4: or SMTPUTF8, advertised and requested). Otherwise the message is
 * 7-bit by declaration and a server or gateway may strip the 8th bit, refuse it
 * (554 5.6.1), or convert it. The rule makes no claim without the facts: EHLO reply
 * or MAIL not seen (mid-stream), or a gap in the body.
 *
 * BDAT (RFC 3030): CHUNKING does not imply 8BITMIME or BINARYMIME (§2: BDAT carries
 * 7bit, 8BITMIME or BINARYMIME bodies, each declared by BODY=), so 8-bit chunks without
 * BODY= would be the same finding; but smtp/'s bdat-chunk event carries no 8-bit
 * count, so this rule judges DATA only (see the report: a fact to add).
 */
export default defineRule({
  meta: {
    id: '8bit-without-8bitmime',
    severity: 'notice',
    category: 'content',
    title: '8-bit message content without 8BITMIME',
    summary: 'The DATA body carries octets above 127 (first in frame {{frame}}) although {{why}}',
    advice:
      'The client sends 8-bit text (UTF-8 or Latin-1 without MIME encoding) but did not declare it: a server or gateway that honours the declaration may strip the 8th bit, convert or refuse the message (554 5.6.1). Make the client encode the body (quoted-printable/base64) or send BODY=8BITMIME to servers that advertise 8BITMIME (Exchange and Postfix do by default; a firewall\'s SMTP inspection may remove the keyword).',
    references: ['RFC 6152 §3', 'RFC 5321 §2.4', 'RFC 6531 §3.4', 'RFC 3030 §2'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let ehlo: EhloInfo | null = null;
    let mail: Command | null = null;
    let ehloSeen = false;
    let dataCmd: Command | null = null;
    return {
      extensions(ev) {
        ehlo = ev.ehlo;
        ehloSeen = true;
      },
      command(ev) {
        const v = ev.cmd.verb;
        if (v === 'MAIL') mail = ev.cmd;
        else if (v === 'RSET' || v === 'EHLO' || v === 'HELO') mail = null;
        if (v === 'HELO') {
          // HELO: no extensions at all (RFC 5321 §4.1.1.1).
          ehlo = null;
          ehloSeen = true;
        }
      },
      'data-start'(ev) {
        dataCmd = ev.cmd;
      },
      'data-end'(ev) {
        const eight = ev.body.eightBit;
        if (eight.count === 0 || !ehloSeen || !mail) return;
        const body = mail.path?.body ?? null;
        const params = mail.path?.params ?? {};
        const smtputf8 = 'SMTPUTF8' in params;
        const adv8 = ehlo?.eightBitMime ?? false;
        const advUtf8 = ehlo?.smtpUtf8 ?? false;
        const declared8 = (body === '8BITMIME' || body === 'BINARYMIME') && adv8;
        const declaredUtf8 = smtputf8 && advUtf8;
        if (declared8 || declaredUtf8) return;
        const why = !adv8 && !advUtf8
          ? 'the server did not advertise 8BITMIME'
          : body === null && !smtputf8
            ? 'MAIL FROM did not declare BODY=8BITMIME'
            : `MAIL FROM declared ${body !== null ? `BODY=${body}` : 'SMTPUTF8'} which the server did not advertise`;
        const evidence = [commandEvidence(mail)];
        if (dataCmd) evidence.push(commandEvidence(dataCmd));
        evidence.push({ frame: eight.firstFrame ?? ev.frame, time: ev.time, dir: 'c2s' as const, line: `${eight.count} segment(s) of the body carry octets above 127` });
        ctx.report({
          data: {
            why,
            frame: eight.firstFrame ?? ev.frame,
            segments: eight.count,
            body,
            advertised8bitmime: adv8,
          },
          evidence,
        });
      },
    };
  },
});
