import rule from '../../src/rules/catalog/too-many-recipients.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'three recipients', capture: 'captures/real/postfix-multi-rcpt.pcap' },
    { name: 'exactly 200 recipients: at the limit, not over it', dialogue: 'dialogues/rules/too-many-recipients-200.smtp' },
    {
      name: '452 4.3.1 insufficient storage is a temporary failure, not too many recipients',
      script: [
        '@client 10.0.0.5:40040', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 452 4.3.1 Insufficient system storage',
        'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'Postfix smtpd_recipient_limit: 452 4.5.3 to the 4th RCPT',
      dialogue: 'dialogues/rules/too-many-recipients-452.smtp',
      findings: [{ data: { rcpts: 4, code: 452, enhanced: '4.5.3', text: 'Error: too many recipients' }, evidence: ['RCPT TO:<d@example.net>', '452 4.5.3 Error: too many recipients'] }],
      absent: ['temporary-failure'],
    },
    {
      name: '201 RCPT TO in one transaction, over the default max-recipients 200',
      dialogue: 'dialogues/rules/too-many-recipients-201.smtp',
      findings: [{ data: { rcpts: 201, limit: 200, code: null }, evidence: ['MAIL FROM:<news@lists.example.org>', 'RCPT TO:<user201@corp.example.com>'] }],
    },
    {
      name: '600 RCPT TO in one transaction (zeek many-addresses.pcap)',
      capture: '../../shared/conformance/zeek/many-addresses.pcap',
      findings: [{ frames: [10, 814], data: { rcpts: 600, limit: 200 } }],
    },
    {
      name: '--threshold max-recipients=2 on a real 3-recipient delivery',
      capture: 'captures/real/postfix-multi-rcpt.pcap',
      options: { thresholds: { 'max-recipients': 2 } },
      findings: [{ frames: [9, 15], data: { rcpts: 3, limit: 2 }, evidence: ['MAIL FROM:<alice@example.org>', 'RCPT TO:<dave@test.example>'] }],
    },
  ],
});
