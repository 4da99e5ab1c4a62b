import { join } from 'node:path';
import rule from '../../src/rules/catalog/line-too-long.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const head = ['@client 10.0.0.5:40800', '@server 10.0.0.25:25', 'S: 220 mx.example.com ESMTP', 'C: EHLO c.example.com', 'S: 250-mx.example.com', 'S: 250 AUTH PLAIN LOGIN'];

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'ordinary lines', capture: 'captures/real/postfix-plain.pcap' },
    {
      name: 'command of exactly 512 octets with CRLF',
      script: [...head, `C: MAIL FROM:<${'a'.repeat(510 - 'MAIL FROM:<@example.net>'.length)}@example.net>`, 'S: 250 Ok', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
    },
    {
      name: 'AUTH answer of 900 octets: RFC 4954 §4 allows 12288',
      script: [...head, 'C: AUTH LOGIN', 'S: 334 VXNlcm5hbWU6', `C: ${'QUFB'.repeat(225)}`, 'S: 334 UGFzc3dvcmQ6', 'C: c2VjcmV0', 'S: 235 2.7.0 ok', 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'suricata-verify smtp-long-command: EHLO of 4097 octets',
      capture: join(CONFORMANCE, 'suricata-verify/smtp-long-command.pcap'),
      findings: [{ frames: [7, 7], data: { place: 'command line', count: 1, longest: 4097, limit: 512 }, evidence: ['command line of 4097 octets: EHLO OBLAHOBLAH'] }],
    },
    {
      name: 'suricata-verify smtp-long-DATA-line: a message line of 5070 octets',
      capture: join(CONFORMANCE, 'suricata-verify/smtp-long-DATA-line.pcap'),
      findings: [{ frames: [26, 26], data: { place: 'message line', count: 1, longest: 5070, limit: 1000 } }],
    },
    {
      name: 'HTML body on one 1202-octet line; a 1000-octet line next to it is fine',
      dialogue: 'dialogues/rules/line-too-long-data.smtp',
      findings: [{ data: { place: 'message line', count: 1, longest: 1202 } }],
    },
    {
      name: 'reply line over 512 octets',
      script: ['@client 10.0.0.5:40801', '@server 10.0.0.25:25', `S: 220 mx.example.com ${'x'.repeat(600)}`, 'C: QUIT', 'S: 221 Bye', '@close'].join('\n'),
      findings: [{ frames: [4, 4], data: { place: 'reply line', longest: 621, limit: 512 } }],
    },
  ],
});
