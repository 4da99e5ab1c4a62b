import rule from '../../src/rules/catalog/tls-not-offered.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'STARTTLS advertised and used (Postfix)', capture: 'captures/real/postfix-starttls.pcap' },
    { name: 'X-ANONYMOUSTLS advertised by Exchange, then refused: tls-refused alone', capture: 'captures/mission/x-anonymoustls-500.pcap' },
    { name: 'not advertised and refused: tls-refused supersedes', dialogue: 'dialogues/rules/tls-refused-not-advertised.smtp' },
    {
      name: 'no EHLO reply seen (capture began after it): no claim',
      script: [
        '@client 192.0.2.30:52020', '@server 198.51.100.25:25', '@handshake off',
        'C: STARTTLS', 'S: 454 4.7.0 TLS not available', 'C: QUIT', 'S: 221 Bye', '@close C',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'STARTTLS sent without being advertised, accepted, handshake completes',
      dialogue: 'dialogues/rules/tls-not-offered-accepted.smtp',
      findings: [{ frames: [8, 12], data: { verb: 'STARTTLS', hello: 'EHLO', code: 220 }, evidence: ['250 8BITMIME', 'STARTTLS', '220 2.0.0 Ready to start TLS'] }],
      absent: ['tls-handshake-failed', 'tls-refused'],
    },
    {
      name: 'STARTTLS after HELO (HELO offers no extensions), accepted',
      script: [
        '@client 192.0.2.30:52021', '@server 198.51.100.25:25',
        'S: 220 mx.example.net ESMTP', 'C: HELO app.example.org', 'S: 250 mx.example.net',
        'C: STARTTLS', 'S: 220 Ready', 'C!: 15 03 03 00 02 02 28', '@close C',
      ].join('\n'),
      findings: [{ data: { verb: 'STARTTLS', hello: 'HELO', code: 220 } }],
    },
  ],
});
