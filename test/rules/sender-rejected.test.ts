import rule from '../../src/rules/catalog/sender-rejected.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

const mailScript = (reply: string, from = 'news@example.org') =>
  [
    '@client 192.0.2.80:40050', '@server 198.51.100.25:25',
    'S: 220 mx.example.net ESMTP', 'C: EHLO sender.example.org', 'S: 250 mx.example.net',
    `C: MAIL FROM:<${from}>`, `S: ${reply}`, 'C: QUIT', 'S: 221 Bye', '@close',
  ].join('\n');

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'sender accepted', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'SIZE refused (552 5.3.4) is message-too-large', capture: 'captures/smtp/message-too-large.pcap' },
    { name: '530 before authentication is auth-required', dialogue: 'dialogues/rules/auth-required-exchange-530.smtp' },
    { name: '503 nested MAIL is command order, not the sender', capture: '../../shared/conformance/suricata-verify/firewall-132-smtp-nested-mail.pcap' },
    { name: 'greylisting 450 4.7.1 is temporary', script: mailScript('450 4.7.1 Try again later') },
  ],
  invalid: [
    {
      name: 'Sendmail 553 5.1.8 domain of sender address does not exist (suricata-verify smtp-data-rejected.pcap)',
      capture: '../../shared/conformance/suricata-verify/smtp-data-rejected.pcap',
      findings: [{ frames: [8, 10], data: { code: 553, enhanced: '5.1.8', domain: 'gezydb01.apis.dhl.com' }, evidence: ['MAIL FROM:', '553 5.1.8'] }],
    },
    {
      name: 'Exchange: Client does not have permissions to send as this sender',
      dialogue: 'dialogues/rules/sender-rejected-send-as.smtp',
      findings: [{ data: { sender: '<ceo@corp.example.com>', domain: 'corp.example.com', code: 550, enhanced: '5.7.1', text: 'Client does not have permissions to send as this sender' }, evidence: ['MAIL FROM:<ceo@corp.example.com>', '550 5.7.1 Client does not have permissions'] }],
      absent: ['auth-required', 'relay-denied'],
    },
    {
      name: 'SPF failure 550 5.7.23',
      script: mailScript('550 5.7.23 SPF validation failed for news@example.org'),
      findings: [{ data: { code: 550, enhanced: '5.7.23', domain: 'example.org' } }],
    },
    {
      name: 'sender domain does not resolve (553 5.1.8)',
      script: mailScript('553 5.1.8 <x@nonexistent.invalid>: Sender address rejected: Domain not found', 'x@nonexistent.invalid'),
      findings: [{ data: { code: 553, enhanced: '5.1.8', sender: '<x@nonexistent.invalid>' } }],
    },
  ],
});
