import rule from '../../src/rules/catalog/rcpt-without-mail.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'refused EHLO keeps the envelope: MAIL 250, EHLO 501, RCPT (near miss, suricata-verify smtp-rejected-ehlo-preserves-envelope)', capture: '/work/shared/conformance/suricata-verify/smtp-rejected-ehlo-preserves-envelope.pcap' },
    { name: 'capture began after MAIL FROM was sent', capture: 'captures/smtp/midstream-after-mail.pcap' },
    { name: 'ordinary transaction', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'pipelined MAIL and RCPT in one segment', capture: 'captures/real/postfix-pipelined.pcap' },
    {
      name: 'MAIL sent but refused: sender-rejected, not a missing MAIL',
      script: [
        '@client 10.0.0.5:40000', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<spoof@example.net>', 'S: 550 5.7.1 Client does not have permissions to send as this sender',
        'C: RCPT TO:<a@example.com>', 'S: 503 5.5.1 Need MAIL command', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'AV proxy stripped MAIL FROM after AUTH (frankysweb case)',
      capture: 'captures/mission/503-rcpt-without-mail.pcap',
      findings: [{ frames: [22, 24], data: { code: 503, enhanced: '5.5.1', rcpt: 'frank@frankysweb.de' }, evidence: ['RCPT TO:<frank@frankysweb.de>', '503 5.5.1 Error: Bad sequence of commands'] }],
      absent: ['bad-sequence'],
    },
    {
      name: 'RCPT after RSET without a new MAIL',
      script: [
        '@client 10.0.0.5:40001', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<a@example.net>', 'S: 250 2.1.0 Ok', 'C: RSET', 'S: 250 2.0.0 Ok',
        'C: RCPT TO:<b@example.com>', 'S: 503 5.5.1 Error: need MAIL command', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      findings: [{ data: { code: 503, rcpt: 'b@example.com' } }],
      absent: ['bad-sequence'],
    },
  ],
});
