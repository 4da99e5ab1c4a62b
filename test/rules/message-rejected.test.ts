import rule from '../../src/rules/catalog/message-rejected.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'message accepted with 250', capture: 'captures/real/postfix-plain.pcap' },
    { name: '552 to MAIL for size: refused before any data (message-too-large)', capture: 'captures/smtp/message-too-large.pcap' },
    { name: 'data too large refused with 552 5.3.4: message-too-large supersedes', dialogue: 'dialogues/rules/message-too-large-data.smtp' },
    { name: '451 at the end of data is temporary, not a rejection', dialogue: 'dialogues/rules/temporary-failure-local-error.smtp' },
    { name: 'malformed BDAT refused with 521 5.5.4 Syntax: the command, not the message (zeek bdat-cmd-invalid)', capture: '../../shared/conformance/zeek/bdat-cmd-invalid.pcapng' },
  ],
  invalid: [
    {
      name: 'virus scanner refuses the message with 554 5.7.1; the earlier MAIL refusal is not counted (suricata-verify smtp-data-rejected)',
      capture: '../../shared/conformance/suricata-verify/smtp-data-rejected.pcap',
      findings: [{ frames: [146, 195], data: { code: 554, enhanced: '5.7.1', from: '<uprootedx38@gateway2c.dhl.com>', bytes: 114252, via: 'DATA' }, evidence: ['<end-of-data>', '554 5.7.1 Message contains virus'] }],
    },
    {
      name: '552 5.2.2 mailbox full at the end of data',
      dialogue: 'dialogues/rules/message-rejected-mailbox-full.smtp',
      findings: [{ data: { code: 552, enhanced: '5.2.2', bytes: 22 } }],
      absent: ['message-too-large'],
    },
    {
      name: 'CHUNKING: the reply to BDAT LAST is the verdict (RFC 3030 §3)',
      script: [
        '@client 10.0.0.5:40040', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250-mx.example.com', 'S: 250 CHUNKING',
        'C: MAIL FROM:<spam@example.net>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 2.1.5 Ok',
        'C: BDAT 18 LAST', 'C~: Subject: x\\r\\n\\r\\nhi\\r\\n', 'S: 550 5.7.1 Message rejected as spam', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      findings: [{ data: { code: 550, enhanced: '5.7.1', from: '<spam@example.net>', bytes: 18, via: 'BDAT' }, evidence: ['BDAT 18 LAST', '550 5.7.1'] }],
    },
  ],
});
