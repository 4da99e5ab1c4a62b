import { join } from 'node:path';
import rule from '../../src/rules/catalog/data-without-rcpt.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const zeek = (f: string) => join(CONFORMANCE, 'zeek', f);
const suricata = (f: string) => join(CONFORMANCE, 'suricata-verify', f);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'pipelined MAIL/RCPT/DATA: the RCPT was accepted, its reply arrived after DATA was sent (real Postfix)', capture: 'captures/real/postfix-pipelined.pcap' },
    { name: 'pipelined group: one RCPT refused, one accepted, replies after DATA', dialogue: 'dialogues/rules/data-without-rcpt-pipelined-one-accepted.smtp' },
    { name: 'capture began after RCPT was accepted (no reset point before DATA)', capture: 'captures/smtp/midstream-after-mail.pcap' },
    { name: 'capture began mid-session before EHLO', capture: 'captures/real/postfix-midstream.pcap' },
    { name: 'BDAT chunks after an accepted RCPT (CHUNKING)', capture: zeek('bdat-nonascii.pcap') },
    { name: 'ordinary transaction', capture: 'captures/real/postfix-plain.pcap' },
    // RFC 2920 §3.1, P-4: the pipelining client could not know; the refusals are the finding.
    { name: 'pipelined group: the only RCPT refused, its reply after DATA was sent (unknown-recipient reports it)', dialogue: 'dialogues/rules/data-without-rcpt-pipelined-refused.smtp' },
    { name: 'real Sendmail: pipelined MAIL refused 553, DATA answered 503 (sender-rejected reports it)', capture: suricata('smtp-data-rejected.pcap') },
  ],
  invalid: [
    {
      name: 'Exim: DATA without MAIL, then DATA twice without RCPT',
      capture: zeek('mail-transactions-invalid.pcap'),
      findings: [
        { frames: [27, 28], data: { command: 'DATA', code: 503, detail: 'no MAIL FROM was sent' }, evidence: ['DATA', '503-All RCPT commands were rejected'] },
        { frames: [39, 40], data: { command: 'DATA', code: 503, detail: 'no RCPT TO was sent', text: 'valid RCPT command must precede DATA' } },
        { frames: [48, 49], data: { command: 'DATA', code: 503, detail: 'no RCPT TO was sent' } },
      ],
      absent: ['bad-sequence'],
    },
    {
      name: 'Postfix: DATA right after HELO',
      capture: suricata('smtp-ehlo-reset-after-rejected-data.pcap'),
      findings: [{ frames: [9, 10], data: { code: 503, enhanced: '5.5.1', detail: 'no MAIL FROM was sent' }, evidence: ['DATA', '503 5.5.1 Error: need RCPT command'] }],
      absent: ['bad-sequence'],
    },
    {
      name: 'BDAT LAST without RCPT: an order problem, not a content refusal',
      dialogue: 'dialogues/rules/data-without-rcpt-bdat.smtp',
      findings: [{ frames: [14, 16], data: { command: 'BDAT', code: 503, detail: 'no RCPT TO was sent' }, evidence: ['BDAT 12 LAST', '503 5.5.1 No valid recipients'] }],
      absent: ['bad-sequence', 'message-rejected'],
    },
  ],
});
