import rule from '../../src/rules/catalog/message-too-large.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'SIZE= under the advertised limit', capture: 'captures/real/postfix-1mb.pcap' },
    { name: '552 5.2.2 mailbox full is not a size limit', dialogue: 'dialogues/rules/message-rejected-mailbox-full.smtp' },
    {
      name: 'SIZE advertised without a value (no fixed maximum, RFC 1870 §4)',
      script: [
        '@client 10.0.0.5:40020', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250-mx.example.com', 'S: 250 SIZE',
        'C: MAIL FROM:<a@example.net> SIZE=99999999', 'S: 250 2.1.0 Ok', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
    { name: '452 4.5.3 too many recipients is too-many-recipients', script: [
      '@client 10.0.0.5:40021', '@server 10.0.0.25:25',
      'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com',
      'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 552 5.5.3 Too many recipients',
      'C: QUIT', 'S: 221 Bye', '@close',
    ].join('\n') },
  ],
  invalid: [
    {
      name: 'MAIL SIZE= above the advertised SIZE refused with 552 5.3.4',
      capture: 'captures/smtp/message-too-large.pcap',
      findings: [{ data: { code: 552, enhanced: '5.3.4', declared: 15728640, limit: 10240000, command: 'MAIL' }, evidence: ['250-SIZE 10240000', 'MAIL FROM:<big@sender.example.org> SIZE=15728640', '552 5.3.4'] }],
      absent: ['sender-rejected', 'message-rejected', 'temporary-failure'],
    },
    {
      name: 'SIZE= above the advertised SIZE, accepted anyway',
      dialogue: 'dialogues/rules/message-too-large-size-accepted.smtp',
      findings: [{ data: { code: 250, declared: 15728640, limit: 10240000 }, evidence: ['250-SIZE 10240000', 'SIZE=15728640', '250 2.1.0 Ok'] }],
    },
    {
      name: 'data larger than the advertised SIZE refused at the end of data',
      dialogue: 'dialogues/rules/message-too-large-data.smtp',
      findings: [{ data: { code: 552, enhanced: '5.3.4', bytes: 20000, limit: 10000, declared: null, command: '<end-of-data>' }, evidence: ['250-SIZE 10000', '<end-of-data>', '552 5.3.4'] }],
      absent: ['message-rejected'],
    },
  ],
});
