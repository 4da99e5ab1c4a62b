import { join } from 'node:path';
import rule from '../../src/rules/catalog/pipelining-violation.js';
import type { Rule } from '../../src/rules/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import { ruleTester } from '../helpers/rule-tester.js';

const suricata = (f: string) => join(CONFORMANCE, 'suricata-verify', f);

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'PIPELINING advertised, MAIL/RCPT/RCPT/DATA group ends with DATA (real Postfix)', capture: 'captures/real/postfix-pipelined.pcap' },
    { name: 'message content starts a group: ".", RSET, MAIL, RCPT, DATA (RFC 2920 P-3)', capture: suricata('smtp-pipelined-post-data-rset-sequence.pcap') },
    { name: 'MAIL pipelined after the end of data', capture: suricata('firewall-139-smtp-pipelined-post-data-mail-from.pcap') },
    { name: 'no PIPELINING advertised: pipelining-not-advertised\'s case', dialogue: 'dialogues/rules/pipelining-not-advertised-helo.smtp' },
    { name: 'QUIT followed by RSET: command-after-quit\'s case', dialogue: 'dialogues/rules/command-after-quit-pipelined.smtp' },
    { name: 'AUTH LOGIN challenges answered one by one', capture: 'captures/real/smtp-server-auth-login.pcap' },
  ],
  invalid: [
    {
      name: 'PIPELINING advertised: the body begins before the 354 and ends after it',
      script: [
        '@client 10.0.0.5:40022', '@server 10.0.0.25:25',
        'S: 220 mx.example.com ESMTP', 'C: EHLO client.example.com', 'S: 250-mx.example.com', 'S: 250 PIPELINING',
        'C: MAIL FROM:<a@example.com>', 'C: RCPT TO:<b@example.com>', 'C: DATA', 'S: 250 2.1.0 Ok', 'S: 250 2.1.5 Ok',
        '@flush', 'C~: Subject: hi\\r\\n', 'S: 354 go ahead', 'C~: \\r\\nbody\\r\\n.\\r\\n', 'S: 250 2.0.0 queued', 'C: QUIT', 'S: 221 Bye', '@close',
      ].join('\n'),
      findings: [{ data: { command: 'message content', groupEnd: 'DATA', count: 1 }, evidence: ['DATA', 'begun before the 354, finished after it', '354 go ahead'] }],
      absent: ['pipelining-not-advertised'],
    },
    {
      name: 'message content sent before the 354 to DATA',
      capture: suricata('smtp-pipelining.pcap'),
      findings: [{ frames: [11, 13], data: { command: 'message content', groupEnd: 'DATA', count: 1 }, evidence: ['DATA', 'message content', '354 End data'] }],
      absent: ['pipelining-not-advertised'],
    },
    {
      name: 'MAIL pipelined after VRFY',
      dialogue: 'dialogues/rules/pipelining-violation-vrfy.smtp',
      findings: [{ frames: [10, 12], data: { command: 'MAIL', groupEnd: 'VRFY', count: 1 }, evidence: ['VRFY alice', 'MAIL FROM:<probe@example.net>', '252 2.0.0 alice'] }],
      absent: ['pipelining-not-advertised'],
    },
  ],
});
