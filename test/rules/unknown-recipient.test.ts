import rule from '../../src/rules/catalog/unknown-recipient.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

const rcptScript = (reply: string) =>
  [
    '@client 10.0.0.5:40020', '@server 10.0.0.25:25',
    'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com',
    'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<nobody@example.com>', `S: ${reply}`,
    'C: QUIT', 'S: 221 Bye', '@close',
  ].join('\n');

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'a relay refusal (550 5.7.1 Unable to relay) is relay-denied\'s, not doubled', capture: 'captures/mission/relay-denied.pcap' },
    { name: 'every recipient known', capture: 'captures/real/postfix-multi-rcpt.pcap' },
    { name: 'temporary verification failure (450 4.1.1) is not a permanent unknown', script: rcptScript('450 4.1.1 <nobody@example.com>: Recipient address rejected: unverified address: host not found') },
    { name: 'generic "mailbox unavailable" without 5.1.1 may be policy', script: rcptScript('550 Requested action not taken: mailbox unavailable') },
  ],
  invalid: [
    {
      name: '550 5.1.1 User unknown (swaks → smtp-server)',
      capture: 'captures/real/smtp-server-unknown-rcpt.pcap',
      findings: [{ frames: [11, 12], data: { rcpt: 'unknown@test.example', domain: 'test.example', code: 550, enhanced: '5.1.1', text: 'User unknown' }, evidence: ['RCPT TO:<unknown@test.example>', '550 5.1.1 User unknown'] }],
      absent: ['relay-denied'],
    },
    {
      name: 'Exchange 550 5.1.10 RESOLVER.ADR.RecipientNotFound',
      script: rcptScript('550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient nobody@example.com not found by SMTP address lookup'),
      findings: [{ data: { rcpt: 'nobody@example.com', code: 550, enhanced: '5.1.10' } }],
    },
    {
      name: 'no enhanced code, text only (553 sorry, no such user)',
      script: rcptScript('553 sorry, no such user here'),
      findings: [{ data: { code: 553, enhanced: null } }],
    },
    {
      name: 'one finding per refused recipient (harvest capture: 12 of 14)',
      capture: 'captures/smtp/harvest.pcap',
      findings: Array.from({ length: 12 }, () => ({ data: { code: 550, enhanced: '5.1.1' } })),
    },
  ],
});
