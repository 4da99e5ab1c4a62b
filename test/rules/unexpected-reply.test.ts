import { join } from 'node:path';
import rule from '../../src/rules/catalog/unexpected-reply.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const zeek = (f: string) => join(CONFORMANCE, 'zeek', f);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: '334 challenges of AUTH LOGIN', capture: 'captures/real/smtp-server-auth-login.pcap' },
    { name: '334 challenge of AUTH PLAIN, then 535', capture: 'captures/real/smtp-server-auth-plain-535.pcap' },
    {
      name: 'the greeting is never judged here (a 250 greeting is greeting-refused\'s business)',
      script: ['@client 10.0.0.5:40030', '@server 10.0.0.25:25', 'S: 250 mx.example.com ready', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
    },
    { name: 'pipelined replies paired in order (real Postfix)', capture: 'captures/real/postfix-pipelined.pcap' },
    { name: 'capture began mid-session: the first reply answers a command not captured', capture: 'captures/real/postfix-midstream.pcap' },
    { name: 'capture gap in the body: its replies arrive before the gap is known', capture: 'captures/smtp/capture-gap.pcap' },
    { name: 'server closes with "451 4.7.0 Timeout waiting for client input"', capture: zeek('multi-addr.pcap') },
  ],
  invalid: [
    {
      name: 'test server sends an extra 250 after BDAT LAST (real capture)',
      capture: zeek('bdat-nonascii.pcap'),
      findings: [{ frames: [17, 17], data: { code: 250, command: null, count: 1 }, evidence: ['250 OK'] }],
    },
    {
      name: 'a proxy answers MAIL with 235',
      dialogue: 'dialogues/rules/unexpected-reply-235-to-mail.smtp',
      findings: [{ frames: [10, 12], data: { code: 235, enhanced: '2.7.0', command: 'MAIL', count: 1 }, evidence: ['MAIL FROM:<app@example.net>', '235 2.7.0 Authentication successful'] }],
    },
  ],
});
