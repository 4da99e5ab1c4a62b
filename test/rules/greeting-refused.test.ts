import rule from '../../src/rules/catalog/greeting-refused.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'ordinary 220 greeting', capture: 'captures/real/postfix-plain.pcap' },
    {
      name: 'client spoke first and the server never greeted: the 250 answers EHLO, not the connection (suricata-verify)',
      capture: '../../shared/conformance/suricata-verify/smtp-rset-starttls.pcap',
    },
    {
      name: 'no greeting in the capture: the first reply, 502, answers the client\'s EHLO (smtp/: greeting missing)',
      script: ['@client 10.0.0.5:40040', '@server 10.0.0.25:25', 'C: EHLO c.example.com', 'S: 502 5.5.1 EHLO not implemented', 'C: HELO c.example.com', 'S: 250 mx', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
    },
    { name: 'masked 220 greeting is still a 220 (middlebox-masking\'s business)', capture: 'captures/mission/asa-masked.pcap' },
  ],
  invalid: [
    {
      name: '554 5.7.1 blocklist refusal in the greeting',
      dialogue: 'dialogues/rules/greeting-refused-554.smtp',
      findings: [{ frames: [4, 4], data: { code: 554, enhanced: '5.7.1' }, evidence: ['554 5.7.1 Service unavailable; Client host [203.0.113.50] blocked'] }],
    },
    {
      name: '421 4.3.2 service not available: one finding, not also temporary-failure',
      script: [
        '@client 203.0.113.51:41001', '@server 198.51.100.25:25',
        'S: 421 4.3.2 Service not available, closing transmission channel', '@close S',
      ].join('\n'),
      findings: [{ data: { code: 421, enhanced: '4.3.2', text: 'Service not available, closing transmission channel' } }],
      absent: ['temporary-failure'],
    },
    {
      name: 'something else answers on the port with 500 where 220 was expected',
      script: [
        '@client 203.0.113.52:41002', '@server 198.51.100.25:25',
        'S: 500 5.3.3 Unrecognized command', 'C: QUIT', 'S: 221 Bye', '@close C',
      ].join('\n'),
      findings: [{ data: { code: 500, enhanced: '5.3.3' } }],
    },
  ],
});
