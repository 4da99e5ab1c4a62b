import rule from '../../src/rules/catalog/helo-fallback.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'EHLO accepted', capture: 'captures/real/postfix-plain.pcap' },
    {
      name: 'HELO sent again after an accepted EHLO (extensions were known)',
      script: [
        '@client 192.0.2.60:43001', '@server 198.51.100.25:25',
        'S: 220 mx.example.net ESMTP', 'C: EHLO client.example.org', 'S: 250 mx.example.net',
        'C: HELO client.example.org', 'S: 250 mx.example.net', 'C: QUIT', 'S: 221 Bye', '@close C',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'client configured to send HELO (Exchange "Send HELO instead of EHLO")',
      script: [
        '@client 192.0.2.60:43002', '@server 198.51.100.25:25',
        'S: 220 mx.example.net ESMTP', 'C: HELO client.example.org', 'S: 250 mx.example.net',
        'C: QUIT', 'S: 221 Bye', '@close C',
      ].join('\n'),
      findings: [{ frames: [6, 8], data: { ehloRefused: false, heloCode: 250 }, evidence: ['HELO client.example.org', '250 mx.example.net'] }],
    },
    {
      name: 'EHLO refused with 502, client falls back to HELO',
      dialogue: 'dialogues/rules/helo-fallback-ehlo-refused.smtp',
      findings: [{ frames: [6, 12], data: { ehloRefused: true, heloCode: 250 }, evidence: ['EHLO client.example.org', '502 5.5.2', 'HELO client.example.org', '250'] }],
    },
    {
      name: 'EHLO refused with 500 "Please identify yourself with HELO." (suricata-verify)',
      capture: '../../shared/conformance/suricata-verify/smtp-url-base64.pcap',
      findings: [{ data: { ehloRefused: true } }],
    },
  ],
});
