import rule from '../../src/rules/catalog/capture-midstream.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'a stray ACK without payload after the session closed is no session (near miss, suricata-verify smtp-extract-url-schemes frame 33)', capture: '/work/shared/conformance/suricata-verify/smtp-extract-url-schemes.pcap' },
    { name: 'capture with the SYN and the greeting', capture: 'captures/real/postfix-plain.pcap' },
    { name: 'capture with the SYN, TLS later', capture: 'captures/real/postfix-starttls.pcap' },
  ],
  invalid: [
    {
      name: 'Postfix session captured from EHLO on (real, no SYN)',
      capture: 'captures/real/postfix-midstream.pcap',
      findings: [{ frames: [1, 1], data: { sawSyn: false, first: 1, resync: 1 }, evidence: ['no SYN in the capture; first command read: EHLO'] }],
    },
    {
      name: 'capture began after MAIL FROM: first line read is a reply',
      capture: 'captures/smtp/midstream-after-mail.pcap',
      findings: [{ frames: [1, 1], data: { sawSyn: false, first: 1, resync: 1 }, evidence: ['no SYN in the capture; first reply read: 250'] }],
      absent: ['rcpt-without-mail', 'unexpected-reply'],
    },
  ],
});
