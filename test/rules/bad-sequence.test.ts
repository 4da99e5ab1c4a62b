import { join } from 'node:path';
import rule from '../../src/rules/catalog/bad-sequence.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const zeek = (f: string) => join(CONFORMANCE, 'zeek', f);
const suricata = (f: string) => join(CONFORMANCE, 'suricata-verify', f);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'ordinary transaction', capture: 'captures/real/postfix-plain.pcap' },
    { name: '503 to RCPT explained by rcpt-without-mail (MAIL stripped by an AV proxy)', capture: 'captures/mission/503-rcpt-without-mail.pcap' },
    { name: '503 to MAIL explained by nested-mail (Postfix "nested MAIL command")', capture: suricata('firewall-132-smtp-nested-mail.pcap') },
    { name: '503 to DATA explained by data-without-rcpt (DATA right after HELO)', capture: suricata('smtp-ehlo-reset-after-rejected-data.pcap') },
    { name: '503 to MAIL explained by mail-without-helo', dialogue: 'dialogues/rules/mail-without-helo-503.smtp' },
    { name: 'Exim: every 503 of an invalid-transactions session has a specific cause', capture: zeek('mail-transactions-invalid.pcap') },
    {
      name: 'real Sendmail: RCPT and DATA pipelined behind a refused MAIL get 503 (RFC 2920 P-4): sender-rejected is the finding',
      capture: suricata('smtp-data-rejected.pcap'),
    },
  ],
  invalid: [
    {
      name: 'not pipelined: RCPT sent after the client saw MAIL refused is still a bad sequence',
      script: [
        '@client 10.0.0.5:40101', '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO c.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<a@example.net>', 'S: 553 5.1.8 Domain of sender address does not exist',
        'C: RCPT TO:<b@example.com>', 'S: 503 5.0.0 Need MAIL before RCPT', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      findings: [{ data: { code: 503, command: 'RCPT' }, evidence: ['RCPT TO:<b@example.com>', '503 5.0.0 Need MAIL before RCPT'] }],
    },
    {
      name: 'AUTH refused with 503 by a server without SMTP AUTH: no more specific rule',
      dialogue: 'dialogues/rules/bad-sequence-auth-not-enabled.smtp',
      findings: [
        {
          frames: [10, 12],
          data: { code: 503, enhanced: '5.5.1', command: 'AUTH', state: 'ready', text: 'Error: authentication not enabled' },
          evidence: ['AUTH LOGIN', '503 5.5.1 Error: authentication not enabled'],
        },
      ],
      absent: ['rcpt-without-mail', 'data-without-rcpt', 'nested-mail', 'mail-without-helo', 'unexpected-reply'],
    },
  ],
});
