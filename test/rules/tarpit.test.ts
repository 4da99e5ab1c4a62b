import rule from '../../src/rules/catalog/tarpit.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'pipelined 501s 2 s apart are 2 s delays, under tarpit-ms 4000 (near miss, suricata-verify smtp-errors)', capture: '/work/shared/conformance/suricata-verify/smtp-errors.pcap' },
    { name: 'every reply equally slow (5 s): a slow server, not a tarpit', dialogue: 'dialogues/rules/tarpit-all-slow.smtp' },
    { name: 'fast 5xx replies', capture: 'captures/real/smtp-server-unknown-rcpt.pcap' },
    { name: 'ordinary transaction', capture: 'captures/real/postfix-plain.pcap' },
  ],
  invalid: [
    {
      name: 'Exchange TarpitInterval: 550 delayed 5 s while 2xx come at once',
      capture: 'captures/smtp/tarpit.pcap',
      findings: [{ frames: [18, 24], data: { delayed: 2, code: 550, enhanced: '5.1.1' }, evidence: ['RCPT TO:<nobody1@example.net>', '550 5.1.1', 'RCPT TO:<nobody2@example.net>', '550 5.1.1'] }],
      absent: ['slow-reply'],
    },
    {
      name: 'CommuniGate error delay: each pipelined 501 2 s after the previous reply, positive replies under 0.5 s (suricata-verify smtp-errors, tarpit-ms 1500)',
      capture: '../../shared/conformance/suricata-verify/smtp-errors.pcap',
      options: { thresholds: { 'tarpit-ms': 1500 } },
      findings: [{ data: { delayed: 2, code: 501, delayMs: 2000, slowestMs: 2001 }, evidence: ['RCPT TO:<sghaier@fts.com.tn>', 'DATA', '501 Unknown command', '501 Unknown command'] }],
    },
    {
      name: 'lower tarpit-ms catches shorter delays',
      script: [
        '@client 10.0.0.5:40010', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250 mx.example.com',
        'C: VRFY root', '@+1500ms', 'S: 502 5.5.1 VRFY disabled', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      options: { thresholds: { 'tarpit-ms': 1000 } },
      findings: [{ data: { delayed: 1, code: 502 } }],
    },
  ],
});
