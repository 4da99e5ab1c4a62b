import { defineRule } from '../define-rule.js';
import { commandEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import type { EhloInfo } from '../../smtp/commands.js';
import type { Time } from '../../util/time.js';

/**
 * RFC 6152 §3 (8BITMIME) and RFC 5321 §2.4: octets above 127 may be sent in DATA only
 * when the server advertised 8BITMIME and the client declared BODY=8BITMIME on MAIL
 * (RFC 6531 §3.4: or SMTPUTF8, advertised and requested). Otherwise the message is
 * 7-bit by declaration and a server or gateway may strip the 8th bit, refuse it
 * (554 5.6.1), or convert it. The rule makes no claim without the facts: EHLO reply
 * or MAIL not seen (mid-stream), or a gap in the body.
 *
 * BDAT (RFC 3030 §2): CHUNKING changes how the body is delimited, not what it may
 * contain: "the BODY parameter ... 8BITMIME or BINARYMIME" still declares the content
 * (RFC 3030 §2, §3; RFC 6152 §3), and a MAIL FROM without BODY= declares a 7-bit body.
 * So BDAT chunks with octets above 127 and no BODY=8BITMIME/BINARYMIME (or SMTPUTF8),
 * each advertised, are the same finding; smtp/'s bdat-chunk event counts the chunk's
 * 8-bit segments. One finding per message (the chunks up to BDAT LAST together).
 */
type Judged = { body: string | null; adv8: boolean; why: string } | null;

export default defineRule({
  meta: {
    id: '8bit-without-8bitmime',
    severity: 'notice',
    category: 'content',
    title: '8-bit message content without 8BITMIME',
    summary: 'The {{via}} body carries octets above 127 (first in frame {{frame}}) although {{why}}',
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
    /** 8-bit BDAT chunks of the current message, reported at BDAT LAST (or when the message ends otherwise). */
    let bdat: { cmd: Command; frame: number; time: Time; segments: number } | null = null;

    /** The declaration that makes 8-bit content legitimate, or why it is missing (null: declared). */
    function judge(via: 'DATA' | 'BDAT'): Judged {
      if (!ehloSeen || !mail) return null;
      const body = mail.path?.body ?? null;
      const params = mail.path?.params ?? {};
      const smtputf8 = 'SMTPUTF8' in params;
      const adv8 = ehlo?.eightBitMime ?? false;
      const advUtf8 = ehlo?.smtpUtf8 ?? false;
      // RFC 3030 §3: BINARYMIME (only with BDAT) declares binary content when advertised.
      const advBinary = via === 'BDAT' && (ehlo?.keywords.some((k) => k.keyword === 'BINARYMIME') ?? false);
      const declared8 = (body === '8BITMIME' && adv8) || (body === 'BINARYMIME' && (adv8 || advBinary));
      const declaredUtf8 = smtputf8 && advUtf8;
      if (declared8 || declaredUtf8) return null;
      const why = !adv8 && !advUtf8 && !advBinary
        ? 'the server did not advertise 8BITMIME'
        : body === null && !smtputf8
          ? 'MAIL FROM did not declare BODY=8BITMIME'
          : `MAIL FROM declared ${body !== null ? `BODY=${body}` : 'SMTPUTF8'} which the server did not advertise`;
      return { body, adv8, why };
    }

    function report(via: 'DATA' | 'BDAT', j: NonNullable<Judged>, cmd: Command | null, frame: number, time: Time, segments: number): void {
      const evidence = [commandEvidence(mail!)];
      if (cmd) evidence.push(commandEvidence(cmd));
      evidence.push({ frame, time, dir: 'c2s' as const, line: `${segments} segment(s) of the ${via === 'DATA' ? 'body' : 'BDAT chunks'} carry octets above 127` });
      ctx.report({
        data: { why: j.why, via, frame, segments, body: j.body, advertised8bitmime: j.adv8 },
        evidence,
      });
    }

    function flushBdat(): void {
      const b = bdat;
      bdat = null;
      if (!b) return;
      const j = judge('BDAT');
      if (j) report('BDAT', j, b.cmd, b.frame, b.time, b.segments);
    }

    return {
      extensions(ev) {
        ehlo = ev.ehlo;
        ehloSeen = true;
      },
      command(ev) {
        const v = ev.cmd.verb;
        if (v === 'MAIL' || v === 'RSET' || v === 'EHLO' || v === 'HELO') flushBdat();
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
        if (eight.count === 0) return;
        const j = judge('DATA');
        if (j) report('DATA', j, dataCmd, eight.firstFrame ?? ev.frame, ev.time, eight.count);
      },
      'bdat-chunk'(ev) {
        if (ev.eightBit.count > 0) {
          if (bdat) bdat.segments += ev.eightBit.count;
          else bdat = { cmd: ev.cmd, frame: ev.eightBit.firstFrame ?? ev.frame, time: ev.time, segments: ev.eightBit.count };
        }
        if (ev.chunk === 'last') flushBdat();
      },
      'session-end'() {
        flushBdat();
      },
    };
  },
});
