import { join } from 'node:path';
import rule from '../../src/rules/catalog/nested-mail.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const zeek = (f: string) => join(CONFORMANCE, 'zeek', f);
const suricata = (f: string) => join(CONFORMANCE, 'suricata-verify', f);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'first MAIL refused: the second MAIL opens the only transaction', dialogue: 'dialogues/rules/nested-mail-first-refused.smtp' },
    { name: 'RSET between two transactions', capture: suricata('firewall-128-smtp-rset-change-sender.pcap') },
    { name: 'MAIL pipelined right after the end of data (RFC 2920 P-3)', capture: suricata('firewall-139-smtp-pipelined-post-data-mail-from.pcap') },
    { name: 'end of data, RSET, MAIL pipelined in one group', capture: suricata('smtp-pipelined-post-data-rset-sequence.pcap') },
    { name: 'several messages in one session', capture: suricata('firewall-135-smtp-multi-mail.pcap') },
    { name: 'capture began mid-session', capture: 'captures/real/postfix-midstream.pcap' },
  ],
  invalid: [
    {
      name: 'Postfix: MAIL while a transaction is open',
      capture: suricata('firewall-132-smtp-nested-mail.pcap'),
      findings: [
        {
          frames: [9, 12],
          data: { first: 'alice@example.com', second: 'bob@example.com', code: 503, enhanced: '5.5.1', text: 'Error: nested MAIL command' },
          evidence: ['MAIL from:<alice@example.com>', '250 2.1.0 Ok', 'MAIL from:<bob@example.com>', '503 5.5.1 Error: nested MAIL command'],
        },
      ],
      absent: ['bad-sequence'],
    },
    {
      name: 'Exim: MAIL again after DATA was refused for want of RCPT',
      capture: zeek('mail-transactions-invalid.pcap'),
      findings: [{ frames: [36, 58], data: { first: 'bob@example.org', second: 'bob@example.org', code: 503, text: 'sender already given' } }],
      absent: ['bad-sequence'],
    },
    {
      name: 'MAIL after a refused DATA without RSET',
      dialogue: 'dialogues/rules/nested-mail-after-refused-data.smtp',
      findings: [{ frames: [10, 24], data: { code: 503, enhanced: '5.5.1' }, evidence: ['MAIL FROM:<app@example.net>', 'MAIL FROM:<app@example.net>', 'nested MAIL command'] }],
      absent: ['bad-sequence'],
    },
  ],
});
