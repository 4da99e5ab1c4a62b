import { join } from 'node:path';
import rule from '../../src/rules/catalog/pipelining-not-advertised.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const suricata = (f: string) => join(CONFORMANCE, 'suricata-verify', f);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'PIPELINING advertised and groups end correctly (real Postfix)', capture: 'captures/real/postfix-pipelined.pcap' },
    { name: 'PIPELINING advertised, group errors are pipelining-violation\'s', capture: suricata('smtp-pipelining.pcap') },
    { name: 'lock-step client; commands after a capture gap are not judged', capture: 'captures/smtp/capture-gap.pcap' },
    { name: 'capture began mid-session: the extensions are unknown', capture: 'captures/real/postfix-midstream.pcap' },
    { name: 'commands sent before the greeting are early-talker\'s', capture: 'captures/smtp/early-talker.pcap' },
    { name: 'QUIT followed by more: command-after-quit\'s', dialogue: 'dialogues/rules/command-after-quit-reuse.smtp' },
    {
      // The server never greeted: its first 250 answers EHLO (smtp/ marks the greeting missing),
      // so every reply answers the command just sent; read as a greeting, each would look one late.
      name: 'no greeting in the capture, lock-step client',
      script: [
        '@client 10.0.0.5:40030', '@server 10.0.0.25:25',
        'C: EHLO client.example.com', 'S: 250 mx.example.com', 'C: MAIL FROM:<a@example.com>', 'S: 250 2.1.0 Ok',
        'C: RCPT TO:<b@example.com>', 'S: 250 2.1.5 Ok', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
    },
  ],
  invalid: [
    {
      name: 'MAIL and RCPT in one write although the EHLO reply had no PIPELINING',
      dialogue: 'dialogues/rules/pipelining-not-advertised-helo.smtp',
      findings: [
        {
          frames: [10, 12],
          data: { command: 'RCPT', previous: 'MAIL', count: 1 },
          evidence: ['MAIL FROM:<promo@bulk.example.net>', 'RCPT TO:<carol@example.org>', '250 2.1.0 Sender OK'],
        },
      ],
      absent: ['pipelining-violation'],
    },
    {
      name: 'HELO session: RSET and DATA pipelined, message sent before the 354',
      script: [
        '@client 10.0.0.5:40020', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: HELO client.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<a@example.com>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 2.1.5 Ok',
        'C: DATA', 'C~: Subject: hi\\r\\n\\r\\nbody\\r\\n.\\r\\n', 'S: 354 go ahead', 'S: 250 2.0.0 queued', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      findings: [{ data: { command: 'message content', previous: 'DATA', count: 1 }, evidence: ['DATA', 'message content and the final', '354 go ahead'] }],
      absent: ['pipelining-violation'],
    },
    {
      name: 'HELO session: the body begins before the 354 and ends after it',
      script: [
        '@client 10.0.0.5:40021', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: HELO client.example.com', 'S: 250 mx.example.com',
        'C: MAIL FROM:<a@example.com>', 'S: 250 2.1.0 Ok', 'C: RCPT TO:<b@example.com>', 'S: 250 2.1.5 Ok',
        'C: DATA', 'C~: Subject: hi\\r\\n', 'S: 354 go ahead', 'C~: \\r\\nbody\\r\\n.\\r\\n', 'S: 250 2.0.0 queued', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      findings: [{ frames: [18, 20], data: { command: 'message content', previous: 'DATA', count: 1 }, evidence: ['DATA', 'begun before the 354, finished after it', '354 go ahead'] }],
      absent: ['pipelining-violation'],
    },
    {
      name: 'suricata-verify smtp-rset-starttls: no greeting, EHLO answered "250" (no PIPELINING), then RSET and STARTTLS in one write',
      capture: suricata('smtp-rset-starttls.pcap'),
      findings: [{ frames: [6, 7], data: { command: 'STARTTLS', previous: 'RSET', count: 1 }, evidence: ['RSET', 'STARTTLS', '250'] }],
    },
  ],
});
