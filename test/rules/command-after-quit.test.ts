import rule from '../../src/rules/catalog/command-after-quit.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'QUIT is the last command', capture: 'captures/real/postfix-plain.pcap' },
    {
      name: 'capture began just before QUIT: no reset point',
      script: ['@client 10.0.0.5:40040', '@server 10.0.0.25:25', '@handshake off', 'C: QUIT', 'S: 221 Bye', 'C: NOOP', '@close S'].join('\n'),
    },
    {
      name: 'QUIT refused by a middlebox (500), the client carries on',
      script: [
        '@client 10.0.0.5:40041', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO a.example.com', 'S: 250 mx.example.com',
        'C: QUIT', 'S: 500 5.5.1 Command unrecognized', 'C: RSET', 'S: 250 Ok', '@close',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'connection reused after 221',
      dialogue: 'dialogues/rules/command-after-quit-reuse.smtp',
      findings: [{ frames: [10, 14], data: { line: 'MAIL FROM:<app@example.net>', count: 1, quitReply: 221 }, evidence: ['QUIT', '221 2.0.0 Bye', 'MAIL FROM:<app@example.net>'] }],
    },
    {
      name: 'QUIT and RSET in one pipelined group',
      dialogue: 'dialogues/rules/command-after-quit-pipelined.smtp',
      findings: [{ frames: [10, 12], data: { line: 'RSET', count: 1 }, evidence: ['QUIT', 'RSET', '221 2.0.0 Bye'] }],
      absent: ['pipelining-violation', 'pipelining-not-advertised'],
    },
  ],
});
