import { join } from 'node:path';
import rule from '../../src/rules/catalog/mail-without-helo.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const zeek = (f: string) => join(CONFORMANCE, 'zeek', f);
const suricata = (f: string) => join(CONFORMANCE, 'suricata-verify', f);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'RSET before HELO is allowed, then HELO and MAIL', capture: suricata('smtp-no-helo-rset-helo-mail.pcap') },
    { name: 'QUIT without HELO', capture: suricata('smtp-no-helo-quit.pcap') },
    { name: 'RSET without HELO', capture: suricata('smtp-no-helo-rset.pcap') },
    { name: 'capture began after EHLO (mid-stream)', capture: 'captures/smtp/midstream-after-mail.pcap' },
    { name: 'one-sided capture: EHLO sent, its reply not captured', capture: zeek('one-side.pcap') },
    {
      name: 'EHLO refused, HELO fallback accepted before MAIL',
      script: [
        '@client 10.0.0.5:40010', '@server 10.0.0.25:25',
        'S: 220 gw.example.net SMTP ready', 'C: EHLO app.example.com', 'S: 502 5.5.2 Error: command not recognized',
        'C: HELO app.example.com', 'S: 250 gw.example.net', 'C: MAIL FROM:<a@example.com>', 'S: 250 2.1.0 Ok', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'MAIL FROM straight after the greeting (Postfix smtpd_helo_required)',
      dialogue: 'dialogues/rules/mail-without-helo-503.smtp',
      findings: [
        {
          frames: [6, 8],
          data: { sender: 'scanner@example.com', hello: 'no HELO or EHLO was sent', code: 503, enhanced: '5.5.1' },
          evidence: ['MAIL FROM:<scanner@example.com>', '503 5.5.1 Error: send HELO/EHLO first'],
        },
      ],
      absent: ['bad-sequence'],
    },
    {
      name: 'EHLO refused and no HELO fallback',
      dialogue: 'dialogues/rules/mail-without-helo-ehlo-refused.smtp',
      findings: [{ frames: [6, 12], data: { hello: 'EHLO was refused with 502', code: 503 }, evidence: ['EHLO app01.example.com', '502', 'MAIL FROM:<alerts@example.com>', '503'] }],
      absent: ['bad-sequence'],
    },
  ],
});
