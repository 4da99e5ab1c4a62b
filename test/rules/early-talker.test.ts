import { join } from 'node:path';
import rule from '../../src/rules/catalog/early-talker.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const zeek = (f: string) => join(CONFORMANCE, 'zeek', f);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'no greeting at all: the server\'s first reply is 250 to EHLO (near miss, suricata-verify smtp-rset-starttls)', capture: '/work/shared/conformance/suricata-verify/smtp-rset-starttls.pcap' },
    {
      name: 'no greeting in the capture: the client\'s EHLO is answered 250 at once (nothing to talk before)',
      script: ['@client 10.0.0.5:40041', '@server 10.0.0.25:25', 'C: EHLO c.example.com', 'S: 250 mx', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
    },
    { name: 'EHLO sent 1 ms after a two-part greeting, envelope pipelined later', dialogue: 'dialogues/rules/early-talker-greeting-then-pipelined-ehlo.smtp' },
    { name: 'pipelined EHLO session after the greeting (real Postfix)', capture: 'captures/real/postfix-pipelined.pcap' },
    { name: 'capture began mid-session: the client speaks first in the file only', capture: 'captures/real/postfix-midstream.pcap' },
    { name: 'greeting lost in a capture gap: unknown, not early', dialogue: 'dialogues/rules/early-talker-greeting-lost.smtp' },
  ],
  invalid: [
    {
      name: 'spam bot sends EHLO 2 s before the greeting',
      capture: 'captures/smtp/early-talker.pcap',
      findings: [{ frames: [4, 6], data: { bytes: 18, line: 'EHLO bot.example', earlyMs: 2001.1 }, evidence: ['EHLO bot.example', '220 mx.example.net ESMTP Postfix'] }],
    },
    {
      name: 'script talks 1.2 ms before Exim\'s greeting (real capture)',
      capture: zeek('mail-transactions-invalid.pcap'),
      findings: [{ frames: [4, 6], data: { bytes: 13, line: 'EHLO Bob-PC' }, evidence: ['EHLO Bob-PC', '220 tinkyx390 ESMTP Exim'] }],
    },
  ],
});
