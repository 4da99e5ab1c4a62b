import rule from '../../src/rules/catalog/temporary-failure.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: '454 to STARTTLS is tls-refused', capture: 'captures/real/postfix-starttls-454.pcap' },
    { name: '421 after protocol errors is too-many-errors', dialogue: 'dialogues/rules/too-many-errors-421.smtp' },
    { name: '421 timeout after a dropped XEXCH50 BLOB is xexch50-blob-dropped', capture: 'captures/mission/xexch50-blob-dropped.pcap' },
    {
      name: '452 4.5.3 too many recipients is too-many-recipients',
      script: [
        '@client 10.0.0.5:40030', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 452 4.5.3 Error: too many recipients',
        'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
    {
      name: '421 as the greeting is greeting-refused',
      script: ['@client 10.0.0.5:40031', '@server 10.0.0.25:25', 'S: 421 4.3.2 mx.example.com Service not available', '@close S'].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'greylisting 450 4.7.1 on two RCPTs: one finding, counted twice',
      dialogue: 'dialogues/rules/temporary-failure-greylisting.smtp',
      findings: [{ frames: [14, 20], data: { code: 450, enhanced: '4.7.1', command: 'RCPT', kind: 'greylisting', count: 2 }, evidence: ['RCPT TO:<alice@example.net>', '450 4.7.1', 'RCPT TO:<bob@example.net>', '450 4.7.1'] }],
    },
    {
      name: 'Exchange back pressure 452 4.3.1 to MAIL',
      dialogue: 'dialogues/rules/temporary-failure-back-pressure.smtp',
      findings: [{ data: { code: 452, enhanced: '4.3.1', command: 'MAIL', kind: 'insufficient system resources (back pressure)' } }],
    },
    {
      name: '451 4.3.0 local error at the end of data',
      dialogue: 'dialogues/rules/temporary-failure-local-error.smtp',
      findings: [{ data: { code: 451, enhanced: '4.3.0', command: '<end-of-data>', kind: 'local error in processing' } }],
      absent: ['message-rejected'],
    },
    {
      name: '421 4.3.2 service not available without earlier errors',
      dialogue: 'dialogues/rules/temporary-failure-421-shutdown.smtp',
      findings: [{ frames: [10, 12], data: { code: 421, enhanced: '4.3.2', command: 'MAIL' }, evidence: ['MAIL FROM:<app@corp.example.com>', '421 4.3.2'] }],
      absent: ['too-many-errors'],
    },
    {
      name: '472 (invalid code, class 4) to MAIL in suricata-verify smtp-errors',
      capture: '../../shared/conformance/suricata-verify/smtp-errors.pcap',
      findings: [{ data: { code: 472, command: 'MAIL' }, evidence: ['MAIL FROM: <unusualz@prg-dc.dhl.com>', '472 unusualz@prg-dc.dhl.com DNS A-record is empty'] }],
    },
  ],
});
