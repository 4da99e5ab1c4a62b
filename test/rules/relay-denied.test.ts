import rule from '../../src/rules/catalog/relay-denied.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: '550 5.1.1 User unknown is unknown-recipient, not a relay refusal', capture: 'captures/real/smtp-server-unknown-rcpt.pcap' },
    { name: 'local delivery accepted', capture: 'captures/real/postfix-multi-rcpt.pcap' },
    {
      name: '5.7.1 to the end of data is a message refusal, not a relay refusal',
      script: [
        '@client 10.0.0.5:40010', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 2.1.5 Ok',
        'C: DATA', 'S: 354 go ahead', 'C: Subject: x', 'C: ', 'C: body', 'C: .', 'S: 550 5.7.1 Message rejected as spam',
        'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'Exchange 2013 frontend refuses a scan-to-mail device (mission capture)',
      capture: 'captures/mission/relay-denied.pcap',
      findings: [{
        frames: [14, 16],
        client: '10.0.1.50',
        data: { domain: 'gmail.com', client: '10.0.1.50', rcpt: 'alan.reid@gmail.com', code: 550, enhanced: '5.7.1', text: 'Unable to relay' },
        evidence: ['RCPT TO:<alan.reid@gmail.com>', '550 5.7.1 Unable to relay'],
      }],
      absent: ['unknown-recipient', 'open-relay', 'temporary-failure'],
    },
    {
      name: 'Postfix reject_unauth_destination: 554 5.7.1 Relay access denied',
      script: [
        '@client 192.0.2.9:40011', '@server 198.51.100.25:25',
        'S: 220 mx.example.net ESMTP Postfix', 'C: EHLO client.example.org', 'S: 250 mx.example.net',
        'C: MAIL FROM:<a@example.org>', 'S: 250 2.1.0 Ok',
        'C: RCPT TO:<someone@elsewhere.example>', 'S: 554 5.7.1 <someone@elsewhere.example>: Relay access denied',
        'C: QUIT', 'S: 221 2.0.0 Bye', '@close',
      ].join('\n'),
      findings: [{ data: { domain: 'elsewhere.example', client: '192.0.2.9', code: 554, enhanced: '5.7.1' }, evidence: ['RCPT TO:<someone@elsewhere.example>', 'Relay access denied'] }],
      absent: ['unknown-recipient'],
    },
    {
      name: 'relay text without an enhanced code (Sendmail: 550 Relaying denied)',
      script: [
        '@client 192.0.2.10:40012', '@server 198.51.100.26:25',
        'S: 220 old.example.net ESMTP Sendmail', 'C: HELO client', 'S: 250 old.example.net Hello',
        'C: MAIL FROM:<a@example.org>', 'S: 250 Sender ok', 'C: RCPT TO:<x@far.example>', 'S: 550 <x@far.example>... Relaying denied',
        'C: QUIT', 'S: 221 closing', '@close',
      ].join('\n'),
      findings: [{ data: { domain: 'far.example', code: 550, enhanced: null } }],
    },
  ],
});
